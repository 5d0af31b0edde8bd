/* move_pages: query and move, per-page status, data kept, cost charged. */
#include "dmtest.h"

#define N 64

int
main(void)
{
    char *p = map_pages(N + 1);
    void *pages[N];
    int nodes[N], status[N];
    int ok;

    for (unsigned long i = 0; i < N * PAGE; ++i)
        p[i] = (char)(i * 31 + 1);
    uint64_t sum = checksum(p, N * PAGE);
    for (int i = 0; i < N; ++i)
        pages[i] = p + i * PAGE + 17; /* any address in the page */

    CHECK(sys_move_pages(0, N, pages, NULL, status, 0) == 0,
          "move_pages query");
    ok = 1;
    for (int i = 0; i < N; ++i)
        ok &= status[i] == 0;
    CHECK(ok, "all %d pages on node 0", N);

    for (int i = 0; i < N; ++i) {
        nodes[i] = 1;
        status[i] = -99;
    }
    double t0 = now_us();
    long r = sys_move_pages(0, N, pages, nodes, status, MPOL_MF_MOVE);
    double dt = now_us() - t0;
    ok = 1;
    for (int i = 0; i < N; ++i)
        ok &= status[i] == 1;
    CHECK(r == 0 && ok, "move_pages to node 1: ret %ld, status all 1", r);
    CHECK(checksum(p, N * PAGE) == sum, "data preserved after move to 1");
    /* 64 pages x (2 us + 4 KiB / 2.3 GB/s) ~= 240 us with the defaults. */
    CHECK(dt >= N * 2.0, "move cost in simulated time: %.1f us", dt);

    ok = 1;
    sys_move_pages(0, N, pages, NULL, status, 0);
    for (int i = 0; i < N; ++i)
        ok &= status[i] == 1;
    CHECK(ok, "query confirms node 1");

    for (int i = 0; i < N; ++i)
        nodes[i] = i % 2;
    r = sys_move_pages(0, N, pages, nodes, status, MPOL_MF_MOVE);
    ok = 1;
    for (int i = 0; i < N; ++i)
        ok &= status[i] == i % 2;
    CHECK(r == 0 && ok, "move even pages back to node 0");
    CHECK(checksum(p, N * PAGE) == sum, "data preserved after move back");
    for (unsigned long i = 0; i < N * PAGE; i += 97)
        p[i] ^= 0x5a;
    for (unsigned long i = 0; i < N * PAGE; i += 97)
        p[i] ^= 0x5a;
    CHECK(checksum(p, N * PAGE) == sum, "pages are writable after moves");

    /* Per-page errors: a page never touched, an unmapped address. */
    void *odd[3] = {p, p + N * PAGE, (void *)0x1000};
    int on[3] = {1, 1, 1}, os[3] = {-99, -99, -99};
    r = sys_move_pages(0, 3, odd, on, os, MPOL_MF_MOVE);
    CHECK(os[0] == 1 && os[1] == -ENOENT && os[2] == -EFAULT,
          "status: moved %d, untouched %d (-ENOENT), unmapped %d (-EFAULT)",
          os[0], os[1], os[2]);
    r = sys_move_pages(0, 3, odd, NULL, os, 0);
    CHECK(os[1] == -ENOENT && os[2] == -EFAULT,
          "query status: %d %d", os[1], os[2]);
    return dm_done("t_move_pages");
}
