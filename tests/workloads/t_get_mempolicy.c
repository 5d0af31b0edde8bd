/* get_mempolicy: MPOL_F_ADDR, MPOL_F_NODE|MPOL_F_ADDR, MPOL_F_MEMS_ALLOWED. */
#include "dmtest.h"

int
main(void)
{
    unsigned long m1 = 2, mask = 0;
    int mode = -1;
    char *p = map_pages(8);

    CHECK(sys_get_mempolicy(&mode, &mask, MAXNODE, NULL,
                            MPOL_F_MEMS_ALLOWED) == 0 && mask == 3,
          "MPOL_F_MEMS_ALLOWED: nodes {0,1} (mask %#lx)", mask);

    mode = -1;
    CHECK(sys_get_mempolicy(&mode, &mask, MAXNODE, p, MPOL_F_ADDR) == 0 &&
          mode == MPOL_DEFAULT && mask == 0,
          "MPOL_F_ADDR without a VMA policy: MPOL_DEFAULT (mode %d)", mode);

    CHECK(sys_mbind(p + 4 * PAGE, 4 * PAGE, MPOL_BIND, &m1, MAXNODE, 0) == 0,
          "mbind upper half to {1}");
    mode = -1;
    mask = 0;
    CHECK(sys_get_mempolicy(&mode, &mask, MAXNODE, p + 5 * PAGE,
                            MPOL_F_ADDR) == 0 &&
          mode == MPOL_BIND && mask == 2,
          "MPOL_F_ADDR in the bound half: BIND {1} (mode %d mask %#lx)",
          mode, mask);
    mode = -1;
    CHECK(sys_get_mempolicy(&mode, &mask, MAXNODE, p + PAGE,
                            MPOL_F_ADDR) == 0 && mode == MPOL_DEFAULT,
          "MPOL_F_ADDR in the other half: DEFAULT (mode %d)", mode);

    /* MPOL_F_NODE|MPOL_F_ADDR faults the page in and reports its node. */
    CHECK(status_of(p + 6 * PAGE) == -ENOENT,
          "page not touched yet (status %d)", status_of(p + 6 * PAGE));
    mode = -1;
    CHECK(sys_get_mempolicy(&mode, NULL, 0, p + 6 * PAGE,
                            MPOL_F_NODE | MPOL_F_ADDR) == 0 && mode == 1,
          "MPOL_F_NODE|MPOL_F_ADDR: page in bound half on node 1 (%d)",
          mode);
    CHECK(status_of(p + 6 * PAGE) == 1, "and now it is resident");
    mode = -1;
    CHECK(sys_get_mempolicy(&mode, NULL, 0, p, MPOL_F_NODE | MPOL_F_ADDR)
          == 0 && mode == 0,
          "MPOL_F_NODE|MPOL_F_ADDR: other page on node 0 (%d)", mode);

    /* The process policy is reported without MPOL_F_ADDR. */
    sys_set_mempolicy(MPOL_PREFERRED, &m1, MAXNODE);
    mode = -1;
    mask = 0;
    CHECK(sys_get_mempolicy(&mode, &mask, MAXNODE, NULL, 0) == 0 &&
          mode == MPOL_PREFERRED && mask == 2,
          "process policy PREFERRED {1} (mode %d mask %#lx)", mode, mask);
    sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);

    /* A larger user mask is zero-filled beyond the nodes. */
    unsigned long big[4] = {~0UL, ~0UL, ~0UL, ~0UL};
    CHECK(sys_get_mempolicy(&mode, big, 4 * 64 + 1, NULL,
                            MPOL_F_MEMS_ALLOWED) == 0 &&
          big[0] == 3 && big[1] == 0 && big[3] == 0,
          "256-bit mask: %#lx %#lx %#lx %#lx", big[0], big[1], big[2],
          big[3]);
    return dm_done("t_get_mempolicy");
}
