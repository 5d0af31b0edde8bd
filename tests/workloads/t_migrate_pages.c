/* migrate_pages: every page of the process on node 0 goes to node 1. */
#include "dmtest.h"

#define N 32

int
main(void)
{
    unsigned long m0 = 1, m1 = 2;
    char *p = map_pages(N);
    for (unsigned long i = 0; i < N * PAGE; ++i)
        p[i] = (char)(i * 13 + 5);
    uint64_t sum = checksum(p, N * PAGE);
    CHECK(status_of(p) == 0, "pages start on node 0");

    long r = sys_migrate_pages(0, MAXNODE, &m0, &m1);
    CHECK(r == 0, "migrate_pages({0} -> {1}) returned %ld", r);
    int ok = 1;
    for (int i = 0; i < N; ++i)
        ok &= status_of(p + i * PAGE) == 1;
    CHECK(ok, "all data pages on node 1");
    int stack_var = 42;
    CHECK(status_of(&stack_var) == 1, "the stack moved too");
    CHECK(checksum(p, N * PAGE) == sum, "data preserved");

    r = sys_migrate_pages(getpid(), MAXNODE, &m1, &m0);
    CHECK(r == 0, "migrate_pages(getpid(), {1} -> {0}) returned %ld", r);
    CHECK(status_of(p) == 0 && status_of(&stack_var) == 0,
          "back on node 0");
    CHECK(checksum(p, N * PAGE) == sum, "data preserved again");
    return dm_done("t_migrate_pages");
}
