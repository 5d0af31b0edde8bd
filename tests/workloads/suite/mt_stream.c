/* STREAM-like bandwidth kernel on threads that split the three arrays (each
 * thread first-touches and then works on its own slices): the triad
 * accumulated in place, a += b + s * c, so per element it reads three
 * arrays and writes one, the traffic of STREAM's triad a = b + s * c with
 * its write-allocate read, but the store hits the line the load brought in
 * (a store miss holds gem5's O3 store queue; this keeps loads in flight).
 * usage: mt_stream [footprint MiB, all three arrays (default 16)]
 *                  [iterations (default 2)] [threads (default: online CPUs)] */
#include "suite_mt.h"

struct job {
    double *a, *b, *c;
    size_t n;
    long iters;
};

/* Two doubles per SSE2 instruction, as a vectorising compiler emits for
 * STREAM: each load-queue entry then covers 16 bytes, so a core keeps
 * twice the cache lines in flight (gem5's caches have no prefetcher). */
typedef double v2d __attribute__((vector_size(16)));

static void
work(int id, int threads, void *arg)
{
    const struct job *j = arg;
    size_t lo, hi;
    slice(j->n, sizeof(double), id, threads, &lo, &hi);
    /* Slices start on a page, so a, b and c + lo are 16-byte aligned. */
    v2d *a = (v2d *)(j->a + lo), *b = (v2d *)(j->b + lo),
        *c = (v2d *)(j->c + lo);
    size_t pairs = (hi - lo) / 2;
    for (size_t i = 0; i < pairs; ++i) {
        a[i] = (v2d){ 0, 0 };
        /* lo is a multiple of 8: b[k] = k mod 8. */
        b[i] = (v2d){ (double)(2 * i & 7), (double)((2 * i + 1) & 7) };
        c[i] = (v2d){ 0.5, 0.5 };
    }
    if ((hi - lo) % 2) {
        j->a[hi - 1] = 0;
        j->b[hi - 1] = (double)((hi - 1) & 7);
        j->c[hi - 1] = 0.5;
    }
    for (long it = 0; it < j->iters; ++it) {
        team_barrier();
        double s = 1.0 + (double)it;
        v2d sv = { s, s };
        for (size_t i = 0; i < pairs; ++i)
            a[i] += b[i] + sv * c[i];
        if ((hi - lo) % 2)
            j->a[hi - 1] += j->b[hi - 1] + s * j->c[hi - 1];
    }
}

int
main(int argc, char **argv)
{
    long mib = positive_arg(argc, argv, 1, 16, "footprint MiB");
    long iters = positive_arg(argc, argv, 2, 2, "iterations");
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
