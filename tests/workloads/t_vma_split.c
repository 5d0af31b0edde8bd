/* A VMA's memory policy through the splits and merges that mprotect,
 * madvise and munmap of a part cause (Linux keeps the policy on every
 * piece), and MAP_FIXED over a bound range (the new mapping has none). */
#include "dmtest.h"

static const unsigned long node1 = 2;

static int
policy_at(const char *addr, unsigned long *mask)
{
    int mode = -1;
    *mask = 0;
    if (sys_get_mempolicy(&mode, mask, MAXNODE, (void *)addr, MPOL_F_ADDR))
        return -errno;
    return mode;
}

/* Pages of [p, p + n pages) whose policy is not BIND {1}, as a bit mask
 * (skip: pages not to look at). */
static unsigned long
not_bound(const char *p, unsigned long n, unsigned long skip)
{
    unsigned long bad = 0;
    for (unsigned long i = 0; i < n; ++i) {
        unsigned long m;
        if (skip & (1UL << i))
            continue;
        if (policy_at(p + i * PAGE, &m) != MPOL_BIND || m != node1)
            bad |= 1UL << i;
    }
    return bad;
}

int
main(void)
{
    char *p = map_pages(8);
    unsigned long m, bad;
    CHECK(sys_mbind(p, 8 * PAGE, MPOL_BIND, &node1, MAXNODE, 0) == 0,
          "mbind 8 pages to {1}");

    CHECK(mprotect(p + 2 * PAGE, 2 * PAGE, PROT_READ) == 0,
          "mprotect pages 2-3 read-only (splits the VMA in three)");
    bad = not_bound(p, 8, 0);
    CHECK(bad == 0, "BIND {1} on all 8 pages after the split (bad %#lx)",
          bad);
    CHECK(mprotect(p + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE) == 0,
          "mprotect them back (the pieces merge)");
    bad = not_bound(p, 8, 0);
    CHECK(bad == 0, "BIND {1} on all 8 pages after the merge (bad %#lx)",
          bad);

    CHECK(madvise(p + 4 * PAGE, 2 * PAGE, MADV_NOHUGEPAGE) == 0 &&
          madvise(p + PAGE, PAGE, MADV_RANDOM) == 0,
          "madvise NOHUGEPAGE on pages 4-5, RANDOM on page 1 (splits)");
    bad = not_bound(p, 8, 0);
    CHECK(bad == 0, "BIND {1} on all 8 pages after madvise (bad %#lx)",
          bad);
    madvise(p + PAGE, PAGE, MADV_NORMAL);

    CHECK(munmap(p + 3 * PAGE, PAGE) == 0, "munmap page 3 (a hole)");
    CHECK(policy_at(p + 3 * PAGE, &m) == -EFAULT,
          "get_mempolicy(MPOL_F_ADDR) in the hole: EFAULT");
    bad = not_bound(p, 8, 1UL << 3);
    CHECK(bad == 0, "BIND {1} on both sides of the hole (bad %#lx)", bad);

    /* Pages first touched after all that follow the policy. */
    int ok = 1;
    for (unsigned long i = 0; i < 8; ++i) {
        if (i == 3)
            continue;
        p[i * PAGE] = (char)(i + 1);
        ok &= status_of(p + i * PAGE) == 1;
    }
    CHECK(ok, "the 7 pages, first touched now, are on node 1");

    /* A new mapping in the hole has no policy: first touch, node 0. */
    char *h = mmap(p + 3 * PAGE, PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(h == p + 3 * PAGE && policy_at(h, &m) == MPOL_DEFAULT,
          "MAP_FIXED into the hole: MPOL_DEFAULT (mode %d)",
          policy_at(h, &m));
    h[0] = 1;
    CHECK(status_of(h) == 0, "and its page lands on node 0 (%d)",
          status_of(h));

    /* MAP_FIXED over bound, touched pages replaces them: no policy, new
     * zero-filled pages. */
    char *r = mmap(p + 5 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(r == p + 5 * PAGE && policy_at(r, &m) == MPOL_DEFAULT &&
          policy_at(r + PAGE, &m) == MPOL_DEFAULT,
          "MAP_FIXED over pages 5-6: MPOL_DEFAULT");
    CHECK(status_of(r) == -ENOENT && r[0] == 0 && r[PAGE] == 0,
          "their old pages are gone; the new ones read zero");
    CHECK(status_of(r) == 0, "and are on node 0 (%d)", status_of(r));
    bad = not_bound(p, 8, (1UL << 3) | (1UL << 5) | (1UL << 6));
    CHECK(bad == 0 && p[4 * PAGE] == 5 && p[7 * PAGE] == 8,
          "pages 4 and 7 keep BIND {1} and their data (bad %#lx)", bad);

    /* munmap of the first page: the rest keeps the policy. */
    CHECK(munmap(p, PAGE) == 0 && policy_at(p, &m) == -EFAULT &&
          policy_at(p + PAGE, &m) == MPOL_BIND && m == node1,
          "munmap of the first page: page 1 keeps BIND {1}");
    return dm_done("t_vma_split");
}
