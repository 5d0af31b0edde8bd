/* Threads for the multi-threaded tier of the DeepMem workload suite
 * (mt_*.c): plain pthreads, so a waiting thread sleeps in futex() instead of
 * spinning (libgomp spins up to 300000 rounds at every barrier, and reads
 * OMP_WAIT_POLICY before main can set it), and the calling thread is thread
 * 0, so T threads need T cores in gem5 SE (one thread context per core).
 *
 * The default thread count is the number of online CPUs: gem5 SE answers
 * /sys/devices/system/cpu/online with its core count. Every kernel splits its
 * arrays into page-aligned slices, one per thread, and each thread writes its
 * own slices first, so first-touch places a page by the policy of the
 * thread that works on it. */
#ifndef DEEPMEM_SUITE_MT_H
#define DEEPMEM_SUITE_MT_H

#include "suite.h"

#include <pthread.h>
#include <unistd.h>

#define SUITE_MAX_THREADS 256
#define SUITE_PAGE 4096

static pthread_barrier_t suite_barrier;

/* Argument i as a thread count, default: the online CPUs. */
static inline int
threads_arg(int argc, char **argv, int i)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long t = arg_or(argc, argv, i, cpus > 0 ? cpus : 1);
    if (t < 1 || t > SUITE_MAX_THREADS) {
        fprintf(stderr, "threads must be 1..%d, not %ld\n", SUITE_MAX_THREADS,
                t);
        exit(2);
    }
    return (int)t;
}

/* A size argument that must be positive. */
static inline long
positive_arg(int argc, char **argv, int i, long fallback, const char *what)
{
    long v = arg_or(argc, argv, i, fallback);
    if (v < 1) {
        fprintf(stderr, "%s must be at least 1, not %ld\n", what, v);
        exit(2);
    }
    return v;
}

/* Thread id's share [*lo, *hi) of n elements of elem bytes: contiguous,
 * in whole pages where n allows, the last thread takes the rest. */
static inline void
slice(size_t n, size_t elem, int id, int threads, size_t *lo, size_t *hi)
{
    size_t per_page = SUITE_PAGE / elem ? SUITE_PAGE / elem : 1;
    size_t pages = (n + per_page - 1) / per_page;
    size_t first = pages * (size_t)id / (size_t)threads;
    size_t last = pages * (size_t)(id + 1) / (size_t)threads;
    *lo = first * per_page < n ? first * per_page : n;
    *hi = id == threads - 1 || last * per_page > n ? n : last * per_page;
}

/* All threads wait here until every one has arrived. */
static inline void
team_barrier(void)
{
    pthread_barrier_wait(&suite_barrier);
}

struct suite_member {
    void (*work)(int id, int threads, void *arg);
    void *arg;
    int id, threads;
};

static void *
suite_member_main(void *p)
{
    struct suite_member *m = p;
    m->work(m->id, m->threads, m->arg);
    return NULL;
}

/* Runs work(id, threads, arg) on threads threads, the caller as id 0, and
 * returns when all have finished. */
static inline void
team_run(int threads, void (*work)(int, int, void *), void *arg)
{
    static struct suite_member members[SUITE_MAX_THREADS];
    static pthread_t tids[SUITE_MAX_THREADS];
    if (pthread_barrier_init(&suite_barrier, NULL, (unsigned)threads) != 0) {
        fprintf(stderr, "pthread_barrier_init failed\n");
        exit(2);
    }
    /* Small stacks: each is a region of its own, not 8 MiB of nothing. */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (int t = 0; t < threads; ++t)
        members[t] = (struct suite_member){ work, arg, t, threads };
    for (int t = 1; t < threads; ++t)
        if (pthread_create(&tids[t], &attr, suite_member_main, &members[t])
            != 0) {
            fprintf(stderr, "pthread_create of thread %d failed\n", t);
            exit(2);
        }
    pthread_attr_destroy(&attr);
    work(0, threads, arg);
    for (int t = 1; t < threads; ++t)
        pthread_join(tids[t], NULL);
    pthread_barrier_destroy(&suite_barrier);
}

#endif
