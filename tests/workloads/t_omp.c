/* OpenMP on several cores: t_omp THREADS
 *
 * The team has THREADS threads (libgomp sizes it from sched_getaffinity:
 * one per core), each reports its core (getcpu), each binds itself to
 * node (thread number % 2) and first-touches its static share of an
 * array: every page lands on its toucher's node. A parallel reduction
 * checks the arithmetic.
 */
#include "dmtest.h"

#include <omp.h>

#define PAGES_PER_THREAD 8
#define MAXT 64

static int
sys_getcpu(int *cpu, int *node)
{
    unsigned c = 99, n = 99;
    long r = syscall(SYS_getcpu, &c, &n, NULL);
    *cpu = (int)c;
    *node = (int)n;
    return (int)r;
}

int
main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const int want = argc > 1 ? atoi(argv[1]) : 0;
    int team = 0;
    int cpus[MAXT], nodes[MAXT];

#pragma omp parallel
    {
        const int t = omp_get_thread_num();
#pragma omp single
        team = omp_get_num_threads();
        if (t < MAXT)
            sys_getcpu(&cpus[t], &nodes[t]);
    }
    CHECK(team == want && team <= MAXT, "team of %d threads (want %d)",
          team, want);
    int distinct = 1;
    for (int t = 0; t < team && t < MAXT; ++t) {
        printf("THREAD %d cpu %d node %d\n", t, cpus[t], nodes[t]);
        distinct &= cpus[t] >= 0 && cpus[t] < team && nodes[t] == 0;
        for (int u = 0; u < t; ++u)
            distinct &= cpus[t] != cpus[u];
    }
    CHECK(distinct, "getcpu: each thread on its own core");

    const long pages = (long)team * PAGES_PER_THREAD;
    char *buf = map_pages(pages);
    int bad_policy = 0;
#pragma omp parallel
    {
        const int t = omp_get_thread_num();
        unsigned long mask = 1UL << (t % 2);
        if (sys_set_mempolicy(MPOL_BIND, &mask, MAXNODE))
            __atomic_add_fetch(&bad_policy, 1, __ATOMIC_RELAXED);
#pragma omp for schedule(static)
        for (long p = 0; p < pages; ++p)
            buf[p * PAGE] = (char)(p + 1);
    }
    CHECK(!bad_policy, "set_mempolicy in every thread");
    void *addrs[MAXT * PAGES_PER_THREAD];
    int status[MAXT * PAGES_PER_THREAD];
    for (long p = 0; p < pages; ++p)
        addrs[p] = buf + p * PAGE;
    sys_move_pages(0, pages, addrs, NULL, status, 0);
    int ok = 1, on[2] = {0, 0};
    for (long p = 0; p < pages; ++p) {
        /* schedule(static): thread t touches pages [t*8, t*8+8). */
        ok &= status[p] == (int)((p / PAGES_PER_THREAD) % 2);
        if (status[p] == 0 || status[p] == 1)
            ++on[status[p]];
    }
    CHECK(ok, "each page on its toucher's node (node 0: %d, node 1: %d)",
          on[0], on[1]);

    const long n = 1 << 16;
    long *v = malloc(n * sizeof(long));
    long sum = 0;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i)
        v[i] = i;
#pragma omp parallel for reduction(+ : sum) schedule(static)
    for (long i = 0; i < n; ++i)
        sum += v[i];
    CHECK(sum == n * (n - 1) / 2, "parallel reduction: %ld", sum);
    return dm_done("t_omp");
}
