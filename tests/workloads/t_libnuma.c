/* An unmodified libnuma program (static libnuma.a) sees the gem5 nodes. */
#define _GNU_SOURCE
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures, checks;
#define CHECK(cond, ...)                                                 \
    do {                                                                 \
        ++checks;                                                        \
        printf((cond) ? "PASS " : "FAIL ");                              \
        failures += !(cond);                                             \
        printf(__VA_ARGS__);                                             \
        printf("\n");                                                    \
        fflush(stdout);                                                  \
    } while (0)

static int
node_of(void *p)
{
    int node = -1;
    if (get_mempolicy(&node, NULL, 0, p, MPOL_F_NODE | MPOL_F_ADDR))
        return -1;
    return node;
}

int
main(void)
{
    const size_t sz = 64 * 4096;
    CHECK(numa_available() == 0, "numa_available() == 0");
    CHECK(numa_max_node() == 1, "numa_max_node() == 1 (%d)",
          numa_max_node());
    CHECK(numa_num_configured_nodes() == 2,
          "numa_num_configured_nodes() == 2 (%d)",
          numa_num_configured_nodes());
    long long freemem = 0;
    long long size1 = numa_node_size64(1, &freemem);
    CHECK(size1 > 0, "numa_node_size64(1) = %lld bytes", size1);
    CHECK(numa_node_of_cpu(0) == 0, "numa_node_of_cpu(0) == 0 (%d)",
          numa_node_of_cpu(0));
    unsigned cpu = 99, node = 99;
    CHECK(getcpu(&cpu, &node) == 0 && node == 0,
          "getcpu: cpu %u node %u", cpu, node);

    char *a = numa_alloc_onnode(sz, 1);
    CHECK(a != NULL, "numa_alloc_onnode(256 KiB, 1)");
    memset(a, 0x5a, sz);
    int ok = 1;
    for (size_t i = 0; i < sz; i += 4096)
        ok &= node_of(a + i) == 1;
    CHECK(ok, "all pages of the allocation on node 1");

    void *pages[4] = {a, a + 4096, a + 8192, a + 12288};
    int nodes[4] = {0, 0, 0, 0}, status[4] = {-1, -1, -1, -1};
    CHECK(numa_move_pages(0, 4, pages, nodes, status, MPOL_MF_MOVE) == 0 &&
          status[0] == 0 && status[3] == 0,
          "numa_move_pages to node 0 (status %d %d %d %d)", status[0],
          status[1], status[2], status[3]);
    CHECK(node_of(a) == 0 && (unsigned char)a[5] == 0x5a,
          "moved page is on node 0 with its data");
    numa_free(a, sz);

    char *b = numa_alloc_interleaved(sz);
    memset(b, 1, sz);
    int c0 = 0, c1 = 0;
    for (size_t i = 0; i < sz; i += 4096) {
        int n = node_of(b + i);
        c0 += n == 0;
        c1 += n == 1;
    }
    CHECK(c0 == 32 && c1 == 32, "numa_alloc_interleaved: %d/%d", c0, c1);
    numa_free(b, sz);

    numa_set_preferred(1);
    CHECK(numa_preferred() == 1, "numa_preferred() == 1 (%d)",
          numa_preferred());
    char *c = malloc(4 << 20);
    memset(c, 2, 4 << 20);
    CHECK(node_of(c + (2 << 20)) == 1, "malloc after numa_set_preferred(1) "
          "lands on node 1");
    free(c);
    numa_set_localalloc();
    char *d = numa_alloc_local(sz);
    memset(d, 3, sz);
    CHECK(node_of(d) == 0, "numa_alloc_local on node 0");
    numa_free(d, sz);

    printf("t_libnuma: %d checks, %d failed\n", checks, failures);
    printf("%s\n", failures ? "RESULT FAIL" : "RESULT PASS");
    return failures ? 1 : 0;
}
