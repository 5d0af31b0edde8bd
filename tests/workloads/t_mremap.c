/* mremap keeps the VMA's memory policy, as Linux does: grow by moving,
 * grow in place, shrink, move to a fixed address; get_mempolicy
 * (MPOL_F_ADDR) answers the policy on every page, the pages already there
 * move with their data and node, and pages first touched later follow the
 * policy. */
#include "dmtest.h"

static const unsigned long node1 = 2, both = 3;

/* Mode of the VMA policy at addr (mask in *mask), or -errno. */
static int
policy_at(const char *addr, unsigned long *mask)
{
    int mode = -1;
    *mask = 0;
    if (sys_get_mempolicy(&mode, mask, MAXNODE, (void *)addr, MPOL_F_ADDR))
        return -errno;
    return mode;
}

/* Every page of [p, p + n pages) has this policy. */
static int
all_policy(const char *p, unsigned long n, int mode, unsigned long mask)
{
    for (unsigned long i = 0; i < n; ++i) {
        unsigned long m;
        int got = policy_at(p + i * PAGE, &m);
        if (got != mode || m != mask) {
            printf("  page %lu: mode %d mask %#lx (want %d %#lx)\n", i, got,
                   m, mode, mask);
            return 0;
        }
    }
    return 1;
}

/* Every page of [p, p + n pages) is resident on node. */
static int
all_on(const char *p, unsigned long n, int node)
{
    for (unsigned long i = 0; i < n; ++i) {
        int st = status_of((void *)(p + i * PAGE));
        if (st != node) {
            printf("  page %lu: status %d (want node %d)\n", i, st, node);
            return 0;
        }
    }
    return 1;
}

/* No page of [p, p + n pages) is resident yet. */
static int
none_present(const char *p, unsigned long n)
{
    for (unsigned long i = 0; i < n; ++i) {
        if (status_of((void *)(p + i * PAGE)) != -ENOENT)
            return 0;
    }
    return 1;
}

static int
data_ok(const char *p, unsigned long n)
{
    for (unsigned long i = 0; i < n; ++i) {
        if (p[i * PAGE] != (char)(i + 1))
            return 0;
    }
    return 1;
}

static void
grow_by_moving(void)
{
    /* Five pages bound to node 1; mremap grows the first four: the fifth
     * is in the way, so the four move (Linux and gem5 alike). */
    char *p = map_pages(5);
    CHECK(sys_mbind(p, 5 * PAGE, MPOL_BIND, &node1, MAXNODE, 0) == 0,
          "move: mbind 5 pages to {1}");
    touch(p, 5);
    char *q = mremap(p, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED && q != p, "move: mremap 4 -> 8 pages moved "
          "(%p -> %p)", (void *)p, (void *)q);
    if (q == MAP_FAILED)
        return;
    CHECK(all_policy(q, 8, MPOL_BIND, node1),
          "move: BIND {1} on all 8 pages of the moved VMA");
    CHECK(data_ok(q, 4) && all_on(q, 4, 1),
          "move: the 4 old pages moved with their data, still on node 1");
    CHECK(none_present(q + 4 * PAGE, 4), "move: grown pages not present");
    touch(q + 4 * PAGE, 4);
    CHECK(all_on(q + 4 * PAGE, 4, 1),
          "move: grown pages first touched after the move are on node 1");
    unsigned long m;
    CHECK(policy_at(p, &m) == -EFAULT, "move: the old range is unmapped");
    CHECK(policy_at(p + 4 * PAGE, &m) == MPOL_BIND && m == node1 &&
          p[4 * PAGE] == 5 && status_of(p + 4 * PAGE) == 1,
          "move: the page left behind keeps BIND {1}, data, node");
    munmap(q, 8 * PAGE);
    munmap(p + 4 * PAGE, PAGE);
}

static void
grow_in_place_interleaved(void)
{
    /* Interleaving follows the page's index in the VMA, which in-place
     * growth continues. */
    char *p = map_pages(8);
    munmap(p + 4 * PAGE, 4 * PAGE);
    CHECK(sys_mbind(p, 4 * PAGE, MPOL_INTERLEAVE, &both, MAXNODE, 0) == 0,
          "in place: mbind 4 pages INTERLEAVE {0,1}");
    touch(p, 4);
    char *q = mremap(p, 4 * PAGE, 8 * PAGE, 0);
    CHECK(q == p, "in place: mremap 4 -> 8 pages without MAYMOVE (%p)",
          (void *)q);
    if (q != p)
        return;
    CHECK(all_policy(p, 8, MPOL_INTERLEAVE, both),
          "in place: INTERLEAVE {0,1} on all 8 pages");
    for (unsigned long i = 4; i < 8; ++i)
        p[i * PAGE] = (char)(i + 1);
    int ok = 1;
    const unsigned long vpn = (unsigned long)p / PAGE;
    for (unsigned long i = 0; i < 8; ++i)
        ok &= status_of(p + i * PAGE) == (int)((vpn + i) % 2);
    CHECK(ok, "in place: pages alternate nodes by page index, old and new");
    CHECK(data_ok(p, 8), "in place: data intact");

    /* Shrink: the tail goes, the rest keeps the policy. */
    q = mremap(p, 8 * PAGE, 3 * PAGE, 0);
    unsigned long m;
    CHECK(q == p && all_policy(p, 3, MPOL_INTERLEAVE, both) &&
          policy_at(p + 3 * PAGE, &m) == -EFAULT &&
          policy_at(p + 7 * PAGE, &m) == -EFAULT,
          "shrink: 3 pages keep INTERLEAVE {0,1}, the other 5 are gone");
    CHECK(data_ok(p, 3), "shrink: data intact");
    munmap(p, 3 * PAGE);
}

static void
move_to_fixed_address(void)
{
    char *p = map_pages(2);
    CHECK(sys_mbind(p, 2 * PAGE, MPOL_PREFERRED, &node1, MAXNODE, 0) == 0,
          "fixed: mbind 2 pages PREFERRED {1}");
    touch(p, 2);
    /* The target holds a mapping of its own, bound to node 0. */
    unsigned long node0 = 1;
    char *t = map_pages(6);
    sys_mbind(t, 6 * PAGE, MPOL_BIND, &node0, MAXNODE, 0);
    touch(t, 6);
    char *q = mremap(p, 2 * PAGE, 6 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
                     t);
    CHECK(q == t, "fixed: mremap 2 -> 6 pages onto an existing mapping");
    if (q != t)
        return;
    CHECK(all_policy(t, 6, MPOL_PREFERRED, node1),
          "fixed: PREFERRED {1} on all 6 pages (the old mapping's policy "
          "is gone)");
    CHECK(data_ok(t, 2) && all_on(t, 2, 1), "fixed: moved pages kept data "
          "and node");
    CHECK(none_present(t + 2 * PAGE, 4) && t[3 * PAGE] == 0,
          "fixed: the rest is new, zero-filled memory");
    touch(t + 2 * PAGE, 4);
    CHECK(all_on(t + 2 * PAGE, 4, 1), "fixed: and lands on node 1");
    munmap(t, 6 * PAGE);
}

static void
realloc_loop(void)
{
    /* numa_realloc's pattern: grow one page at a time. */
    unsigned long n = 1;
    char *p = map_pages(1);
    sys_mbind(p, PAGE, MPOL_BIND, &node1, MAXNODE, 0);
    p[0] = 1;
    int ok = 1, moved = 0;
    for (; n < 40; ++n) {
        char *q = mremap(p, n * PAGE, (n + 1) * PAGE, MREMAP_MAYMOVE);
        if (q == MAP_FAILED) {
            ok = 0;
            break;
        }
        moved += q != p;
        p = q;
        p[n * PAGE] = (char)(n + 1);
        unsigned long m;
        ok &= policy_at(p + n * PAGE, &m) == MPOL_BIND && m == node1;
        ok &= status_of(p + n * PAGE) == 1;
    }
    CHECK(ok && data_ok(p, n) && all_on(p, n, 1),
          "realloc loop: 40 pages grown one by one (%d moves), all BIND "
          "{1} on node 1 with their data", moved);
    munmap(p, n * PAGE);
}

static void
errors(void)
{
    char *p = map_pages(2);
    CHECK_ERR(mremap(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EINVAL,
              "mremap of an unaligned address");
    CHECK_ERR(mremap(p, PAGE, 2 * PAGE, MREMAP_FIXED, p + 8 * PAGE), EINVAL,
              "MREMAP_FIXED without MREMAP_MAYMOVE");
    CHECK_ERR(mremap(p, PAGE, 0, MREMAP_MAYMOVE), EINVAL,
              "mremap to length 0");
    CHECK_ERR(mremap(p, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
                     p + PAGE), EINVAL, "MREMAP_FIXED onto itself");
    munmap(p, 2 * PAGE);
    CHECK_ERR(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT,
              "mremap of an unmapped address");
}

int
main(void)
{
    grow_by_moving();
    grow_in_place_interleaved();
    move_to_fixed_address();
    realloc_loop();
    errors();
    return dm_done("t_mremap");
}
