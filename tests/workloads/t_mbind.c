/* mbind: VMA policies win over the process policy; MPOL_MF_MOVE moves
 * existing pages (data kept); MPOL_MF_STRICT reports misplaced pages. */
#include "dmtest.h"

int
main(void)
{
    unsigned long m0 = 1, m1 = 2, m01 = 3;
    int ok;
    char *p = map_pages(32);

    CHECK(sys_mbind(p, 16 * PAGE, MPOL_BIND, &m1, MAXNODE, 0) == 0,
          "mbind(first 16 pages, BIND {1})");
    CHECK(sys_mbind(p + 16 * PAGE, 16 * PAGE, MPOL_BIND, &m0, MAXNODE, 0)
          == 0, "mbind(last 16 pages, BIND {0})");
    /* The process policy must not override the VMA policy. */
    sys_set_mempolicy(MPOL_BIND, &m0, MAXNODE);
    touch(p, 32);
    sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
    ok = 1;
    for (int i = 0; i < 32; ++i)
        ok &= status_of(p + i * PAGE) == (i < 16 ? 1 : 0);
    CHECK(ok, "pages follow their VMA policy, not the process policy");

    char *q = map_pages(16);
    CHECK(sys_mbind(q, 16 * PAGE, MPOL_INTERLEAVE, &m01, MAXNODE, 0) == 0,
          "mbind(INTERLEAVE {0,1})");
    touch(q, 16);
    ok = 1;
    for (int i = 0; i < 16; ++i) {
        /* Linux interleaves a VMA on the page index (vpn for anon). */
        int want = (int)(((uintptr_t)(q + i * PAGE) / PAGE) % 2);
        ok &= status_of(q + i * PAGE) == want;
    }
    CHECK(ok, "VMA interleave places each page on node vpn %% 2");

    /* Existing pages: fill with data, then move them with MPOL_MF_MOVE. */
    char *r = map_pages(16);
    for (unsigned long i = 0; i < 16 * PAGE; ++i)
        r[i] = (char)(i * 7 + 3);
    uint64_t before = checksum(r, 16 * PAGE);
    CHECK(status_of(r) == 0, "data pages start on node 0");
    CHECK_ERR(sys_mbind(r, 16 * PAGE, MPOL_BIND, &m1, MAXNODE,
                        MPOL_MF_STRICT), EIO,
              "mbind(BIND {1}, STRICT) with pages on node 0");
    double t0 = now_us();
    CHECK(sys_mbind(r, 16 * PAGE, MPOL_BIND, &m1, MAXNODE,
                    MPOL_MF_MOVE | MPOL_MF_STRICT) == 0,
          "mbind(BIND {1}, MOVE|STRICT)");
    double dt = now_us() - t0;
    ok = 1;
    for (int i = 0; i < 16; ++i)
        ok &= status_of(r + i * PAGE) == 1;
    CHECK(ok, "all 16 pages moved to node 1");
    CHECK(checksum(r, 16 * PAGE) == before, "data preserved by the move");
    CHECK(dt >= 16 * 2.0, "move took simulated time (%.1f us >= 32 us)", dt);

    /* MPOL_DEFAULT on a range drops the VMA policy. */
    CHECK(sys_mbind(p, 16 * PAGE, MPOL_DEFAULT, NULL, 0, 0) == 0,
          "mbind(MPOL_DEFAULT)");
    int mode = -1;
    sys_get_mempolicy(&mode, NULL, 0, p, MPOL_F_ADDR);
    CHECK(mode == MPOL_DEFAULT, "range policy is DEFAULT again (%d)", mode);

    CHECK(sys_mbind(p, 0, MPOL_BIND, &m1, MAXNODE, 0) == 0,
          "mbind with length 0 is a no-op");
    return dm_done("t_mbind");
}
