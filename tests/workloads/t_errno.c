/* Bad arguments return the errno Linux returns and never stop gem5. */
#include "dmtest.h"

int
main(void)
{
    unsigned long m1 = 2, m5 = 1UL << 5, m0 = 1, empty = 0;
    int mode, st[1], nd[1];
    char *p = map_pages(4);
    touch(p, 4);
    void *pg[1] = {p};

    /* set_mempolicy */
    CHECK_ERR(sys_set_mempolicy(99, &m1, MAXNODE), EINVAL,
              "set_mempolicy(mode 99)");
    CHECK_ERR(sys_set_mempolicy(MPOL_BIND, &empty, MAXNODE), EINVAL,
              "set_mempolicy(BIND, empty mask)");
    CHECK_ERR(sys_set_mempolicy(MPOL_BIND, &m5, MAXNODE), EINVAL,
              "set_mempolicy(BIND, {5}) (no such node)");
    CHECK_ERR(sys_set_mempolicy(MPOL_DEFAULT, &m1, MAXNODE), EINVAL,
              "set_mempolicy(DEFAULT, {1})");
    CHECK_ERR(sys_set_mempolicy(MPOL_LOCAL, &m1, MAXNODE), EINVAL,
              "set_mempolicy(LOCAL, {1})");
    CHECK_ERR(sys_set_mempolicy(MPOL_BIND | MPOL_F_STATIC_NODES |
                                MPOL_F_RELATIVE_NODES, &m1, MAXNODE),
              EINVAL, "set_mempolicy(STATIC|RELATIVE)");
    CHECK_ERR(sys_set_mempolicy(MPOL_BIND, (unsigned long *)8, MAXNODE),
              EFAULT, "set_mempolicy(bad nodemask pointer)");

    /* get_mempolicy */
    CHECK_ERR(sys_get_mempolicy(&mode, NULL, 0, NULL, 64), EINVAL,
              "get_mempolicy(flags 64)");
    CHECK_ERR(sys_get_mempolicy(&mode, NULL, 0, p, 0), EINVAL,
              "get_mempolicy(addr without MPOL_F_ADDR)");
    CHECK_ERR(sys_get_mempolicy(&mode, &m0, 1, NULL, 0), EINVAL,
              "get_mempolicy(maxnode 1 < nodes)");
    CHECK_ERR(sys_get_mempolicy(&mode, NULL, 0, (void *)0x1000,
                                MPOL_F_ADDR), EFAULT,
              "get_mempolicy(MPOL_F_ADDR, unmapped)");
    CHECK_ERR(sys_get_mempolicy(&mode, NULL, 0, NULL, MPOL_F_NODE), EINVAL,
              "get_mempolicy(MPOL_F_NODE) without interleave");
    CHECK_ERR(sys_get_mempolicy(&mode, NULL, 0, p,
                                MPOL_F_MEMS_ALLOWED | MPOL_F_ADDR), EINVAL,
              "get_mempolicy(MEMS_ALLOWED|ADDR)");
    CHECK_ERR(sys_get_mempolicy((int *)8, NULL, 0, NULL, 0), EFAULT,
              "get_mempolicy(bad mode pointer)");

    /* mbind */
    CHECK_ERR(sys_mbind(p + 1, PAGE, MPOL_BIND, &m1, MAXNODE, 0), EINVAL,
              "mbind(unaligned start)");
    CHECK_ERR(sys_mbind(p, PAGE, MPOL_BIND, &m1, MAXNODE, 64), EINVAL,
              "mbind(flags 64)");
    CHECK_ERR(sys_mbind(p, PAGE, 42, &m1, MAXNODE, 0), EINVAL,
              "mbind(mode 42)");
    CHECK_ERR(sys_mbind(p, PAGE, MPOL_BIND, &empty, MAXNODE, 0), EINVAL,
              "mbind(BIND, empty mask)");
    CHECK_ERR(sys_mbind((void *)0x10000, PAGE, MPOL_BIND, &m1, MAXNODE, 0),
              EFAULT, "mbind(unmapped range)");
    CHECK_ERR(sys_mbind(p, 64 * PAGE, MPOL_BIND, &m1, MAXNODE, 0), EFAULT,
              "mbind(range running past the mapping)");
    CHECK_ERR(sys_mbind(p, PAGE, MPOL_BIND, (unsigned long *)8, MAXNODE, 0),
              EFAULT, "mbind(bad nodemask pointer)");

    /* move_pages */
    nd[0] = 5;
    CHECK_ERR(sys_move_pages(0, 1, pg, nd, st, MPOL_MF_MOVE), ENODEV,
              "move_pages(node 5)");
    nd[0] = -1;
    CHECK_ERR(sys_move_pages(0, 1, pg, nd, st, MPOL_MF_MOVE), ENODEV,
              "move_pages(node -1)");
    nd[0] = 1;
    CHECK_ERR(sys_move_pages(0, 1, pg, nd, st, 64), EINVAL,
              "move_pages(flags 64)");
    CHECK_ERR(sys_move_pages(4242, 1, pg, nd, st, MPOL_MF_MOVE), ESRCH,
              "move_pages(pid 4242)");
    CHECK_ERR(sys_move_pages(0, 1, (void **)8, nd, st, MPOL_MF_MOVE),
              EFAULT, "move_pages(bad pages pointer)");
    CHECK_ERR(sys_move_pages(0, 1, pg, nd, (int *)8, MPOL_MF_MOVE), EFAULT,
              "move_pages(bad status pointer)");

    /* migrate_pages */
    CHECK_ERR(sys_migrate_pages(4242, MAXNODE, &m0, &m1), ESRCH,
              "migrate_pages(pid 4242)");
    CHECK_ERR(sys_migrate_pages(0, MAXNODE, &m0, &empty), EINVAL,
              "migrate_pages(empty target)");
    CHECK_ERR(sys_migrate_pages(0, MAXNODE, &m0, &m5), EINVAL,
              "migrate_pages(target {5})");
    CHECK_ERR(sys_migrate_pages(0, MAXNODE, (unsigned long *)8, &m1), EFAULT,
              "migrate_pages(bad mask pointer)");

    /* still alive, and the policy was left alone */
    mode = -1;
    CHECK(sys_get_mempolicy(&mode, NULL, 0, NULL, 0) == 0 &&
          mode == MPOL_DEFAULT, "policy unchanged by failed calls (%d)",
          mode);
    return dm_done("t_errno");
}
