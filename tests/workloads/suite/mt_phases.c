/* A threaded program whose hot set moves: C (four sixths of the footprint)
 * is written once, one word per page, then phase 1 sweeps array A several
 * times, phase 2 sweeps B, phase 3 sweeps A again (one word per cache line),
 * with a barrier between phases. A and B are a sixth of the footprint each:
 * with a fast tier of a quarter of the footprint either fits, both do not,
 * and first-touch fills the fast tier with cold C. Each thread first-touches
 * and sweeps its own slices. The checksum does not depend on the threads.
 * usage: mt_phases [footprint MiB (default 16)] [sweeps per phase (default
 *                  6)] [threads (default: online CPUs)] */
#include "suite_mt.h"

struct job {
    double *a, *b, *c;
    size_t n; /* doubles in A and in B; C has 4 n */
    long sweeps;
    double sums[SUITE_MAX_THREADS];
};

static double
sweep(double *v, size_t lo, size_t hi, long times)
{
    double s = 0;
    for (long t = 0; t < times; ++t)
        for (size_t i = lo; i < hi; i += 8) {
            v[i] += 1.0;
            s += v[i];
        }
    return s;
}

static void
work(int id, int threads, void *arg)
{
    struct job *j = arg;
    size_t lo, hi, clo, chi;
    slice(4 * j->n, sizeof(double), id, threads, &clo, &chi);
    for (size_t i = clo; i < chi; i += 512)
        j->c[i] = 1;
    slice(j->n, sizeof(double), id, threads, &lo, &hi);
    team_barrier();
    double s = sweep(j->a, lo, hi, j->sweeps);
    team_barrier();
    s += sweep(j->b, lo, hi, j->sweeps);
    team_barrier();
    s += sweep(j->a, lo, hi, j->sweeps);
    j->sums[id] = s;
}

int
main(int argc, char **argv)
{
    long mib = positive_arg(argc, argv, 1, 16, "footprint MiB");
    long sweeps = positive_arg(argc, argv, 2, 6, "sweeps per phase");
    int threads = threads_arg(argc, argv, 3);
    static struct job job;
    struct job *j = &job;
    j->n = (size_t)mib * 1024 * 1024 / 6 / sizeof(double) / 512 * 512;
    j->sweeps = sweeps;
    j->c = region(4 * j->n * sizeof(double), "C");
    j->a = region(j->n * sizeof(double), "A");
    j->b = region(j->n * sizeof(double), "B");
    team_run(threads, work, j);
    double sum = 0;
    for (int t = 0; t < threads; ++t)
        sum += j->sums[t];
    printf("mt_phases MiB=%ld sweeps=%ld threads=%d checksum=%.1f\n", mib,
           sweeps, threads, sum);
    return 0;
}
