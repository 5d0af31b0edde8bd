/* set_mempolicy: every mode places new pages where Linux would. */
#include "dmtest.h"

static void
count_nodes(char *p, unsigned long n, int *c0, int *c1)
{
    *c0 = *c1 = 0;
    for (unsigned long i = 0; i < n; ++i) {
        int s = status_of(p + i * PAGE);
        if (s == 0)
            ++*c0;
        else if (s == 1)
            ++*c1;
    }
}

int
main(void)
{
    unsigned long m1 = 2, m01 = 3;
    int mode = -1, c0, c1;
    unsigned long mask = 99;
    char *p;

    CHECK(sys_get_mempolicy(&mode, &mask, MAXNODE, NULL, 0) == 0 &&
          mode == MPOL_DEFAULT && mask == 0,
          "initial policy is MPOL_DEFAULT (mode %d mask %#lx)", mode, mask);

    p = map_pages(16);
    touch(p, 16);
    count_nodes(p, 16, &c0, &c1);
    CHECK(c0 == 16, "default policy: first touch on node 0 (%d/16)", c0);

    CHECK(sys_set_mempolicy(MPOL_BIND, &m1, MAXNODE) == 0,
          "set_mempolicy(MPOL_BIND, {1})");
    mode = -1;
    sys_get_mempolicy(&mode, &mask, MAXNODE, NULL, 0);
    CHECK(mode == MPOL_BIND && mask == 2,
          "get_mempolicy reports BIND {1} (mode %d mask %#lx)", mode, mask);
    p = map_pages(16);
    touch(p, 16);
    count_nodes(p, 16, &c0, &c1);
    CHECK(c1 == 16, "BIND {1}: all 16 pages on node 1 (%d)", c1);

    CHECK(sys_set_mempolicy(MPOL_INTERLEAVE, &m01, MAXNODE) == 0,
          "set_mempolicy(MPOL_INTERLEAVE, {0,1})");
    p = map_pages(16);
    touch(p, 16);
    count_nodes(p, 16, &c0, &c1);
    CHECK(c0 == 8 && c1 == 8, "INTERLEAVE: 8/8 pages (%d/%d)", c0, c1);
    mode = -1;
    CHECK(sys_get_mempolicy(&mode, NULL, 0, NULL, MPOL_F_NODE) == 0 &&
          (mode == 0 || mode == 1),
          "get_mempolicy(MPOL_F_NODE) gives the next interleave node (%d)",
          mode);

    CHECK(sys_set_mempolicy(MPOL_PREFERRED, &m1, MAXNODE) == 0,
          "set_mempolicy(MPOL_PREFERRED, {1})");
    p = map_pages(8);
    touch(p, 8);
    count_nodes(p, 8, &c0, &c1);
    CHECK(c1 == 8, "PREFERRED {1}: 8 pages on node 1 (%d)", c1);

    CHECK(sys_set_mempolicy(MPOL_PREFERRED, NULL, 0) == 0,
          "set_mempolicy(MPOL_PREFERRED, empty) means local");
    mode = -1;
    sys_get_mempolicy(&mode, NULL, 0, NULL, 0);
    CHECK(mode == MPOL_LOCAL, "reported as MPOL_LOCAL (%d)", mode);
    p = map_pages(8);
    touch(p, 8);
    count_nodes(p, 8, &c0, &c1);
    CHECK(c0 == 8, "LOCAL: 8 pages on node 0 (%d)", c0);

    CHECK(sys_set_mempolicy(MPOL_WEIGHTED_INTERLEAVE, &m01, MAXNODE) == 0,
          "set_mempolicy(MPOL_WEIGHTED_INTERLEAVE, {0,1})");
    p = map_pages(12);
    touch(p, 12);
    count_nodes(p, 12, &c0, &c1);
    CHECK(c0 + c1 == 12 && c0 > 0 && c1 > 0,
          "WEIGHTED_INTERLEAVE spreads pages (%d/%d)", c0, c1);

    CHECK(sys_set_mempolicy(MPOL_PREFERRED_MANY, &m1, MAXNODE) == 0,
          "set_mempolicy(MPOL_PREFERRED_MANY, {1})");
    p = map_pages(8);
    touch(p, 8);
    count_nodes(p, 8, &c0, &c1);
    CHECK(c1 == 8, "PREFERRED_MANY {1}: 8 pages on node 1 (%d)", c1);

    CHECK(sys_set_mempolicy(MPOL_BIND | MPOL_F_STATIC_NODES, &m1,
                            MAXNODE) == 0,
          "set_mempolicy(MPOL_BIND|MPOL_F_STATIC_NODES, {1})");
    mode = -1;
    sys_get_mempolicy(&mode, NULL, 0, NULL, 0);
    CHECK(mode == (MPOL_BIND | MPOL_F_STATIC_NODES),
          "mode flags are reported (%#x)", mode);

    CHECK(sys_set_mempolicy(MPOL_DEFAULT, NULL, 0) == 0,
          "set_mempolicy(MPOL_DEFAULT)");
    mode = -1;
    sys_get_mempolicy(&mode, NULL, 0, NULL, 0);
    CHECK(mode == MPOL_DEFAULT, "back to MPOL_DEFAULT (%d)", mode);
    p = map_pages(8);
    touch(p, 8);
    count_nodes(p, 8, &c0, &c1);
    CHECK(c0 == 8, "DEFAULT again: 8 pages on node 0 (%d)", c0);
    return dm_done("t_set_mempolicy");
}
