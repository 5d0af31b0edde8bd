/* STREAM-like triad, a = b + s * c, on threads that split the three arrays
 * (each thread first-touches and then works on its own slices).
 * usage: mt_stream [footprint MiB, all three arrays (default 24)]
 *                  [iterations (default 4)] [threads (default: online CPUs)] */
#include "suite_mt.h"

struct job {
    double *a, *b, *c;
    size_t n;
    long iters;
};

static void
work(int id, int threads, void *arg)
{
    const struct job *j = arg;
    double *restrict a = j->a, *restrict b = j->b, *restrict c = j->c;
    size_t lo, hi;
    slice(j->n, sizeof(double), id, threads, &lo, &hi);
    for (size_t i = lo; i < hi; ++i) {
        a[i] = 0;
        b[i] = (double)(i & 7);
        c[i] = 0.5;
    }
    for (long it = 0; it < j->iters; ++it) {
        team_barrier();
        double s = 1.0 + (double)it;
        for (size_t i = lo; i < hi; ++i)
            a[i] = b[i] + s * c[i];
    }
}

int
main(int argc, char **argv)
{
    long mib = positive_arg(argc, argv, 1, 24, "footprint MiB");
    long iters = positive_arg(argc, argv, 2, 4, "iterations");
    int threads = threads_arg(argc, argv, 3);
    struct job j = { .n = (size_t)mib * 1024 * 1024 / 3 / sizeof(double),
                     .iters = iters };
    j.a = region(j.n * sizeof(double), "a");
    j.b = region(j.n * sizeof(double), "b");
    j.c = region(j.n * sizeof(double), "c");
    team_run(threads, work, &j);
    double sum = 0;
    for (size_t i = 0; i < j.n; i += 61)
        sum += j.a[i];
    printf("mt_stream MiB=%ld iterations=%ld threads=%d checksum=%.1f\n", mib,
           iters, threads, sum);
    return 0;
}
