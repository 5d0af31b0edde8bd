/* Multi-threaded STREAM triad: T threads (the main thread is thread 0),
 * each first-touching and streaming its own share of three arrays.
 * usage: stream_mt [KiB per array (1024)] [passes (2)] [threads (1)]
 * Run it on --cores >= threads. Prints STREAM_US (the timed passes, in
 * simulated microseconds) and each thread's core (THREAD lines). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAXT 64

static double *a, *b, *c;
static size_t n;
static int passes, threads;
static pthread_barrier_t barrier;
static int cpus[MAXT];

static void *
work(void *arg)
{
    const int t = (int)(intptr_t)arg;
    const size_t lo = n * t / threads, hi = n * (t + 1) / threads;
    unsigned cpu = 99;
    syscall(SYS_getcpu, &cpu, NULL, NULL);
    cpus[t] = (int)cpu;
    for (size_t i = lo; i < hi; ++i) {
        a[i] = 0.0;
        b[i] = (double)i;
        c[i] = 2.0;
    }
    pthread_barrier_wait(&barrier);
    for (int p = 0; p < passes; ++p) {
        for (size_t i = lo; i < hi; ++i)
            a[i] = b[i] + 3.0 * c[i];
    }
    pthread_barrier_wait(&barrier);
    return NULL;
}

int
main(int argc, char **argv)
{
    size_t kib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
    passes = argc > 2 ? atoi(argv[2]) : 2;
    threads = argc > 3 ? atoi(argv[3]) : 1;
    if (threads < 1 || threads > MAXT) {
        printf("FAIL threads must be 1..%d\n", MAXT);
        return 2;
    }
    n = kib * 1024 / sizeof(double);
    a = malloc(n * sizeof(double));
    b = malloc(n * sizeof(double));
    c = malloc(n * sizeof(double));
    if (!a || !b || !c) {
        printf("FAIL malloc\n");
        return 2;
    }
    pthread_barrier_init(&barrier, NULL, threads);
    pthread_t th[MAXT];
    for (int t = 1; t < threads; ++t) {
        if (pthread_create(&th[t], NULL, work, (void *)(intptr_t)t)) {
            printf("FAIL pthread_create %d\n", t);
            return 2;
        }
    }
    /* Thread 0 is the main thread: the timer brackets the passes, from
     * the barrier after the first touch to the one after the last pass. */
    const size_t lo = 0, hi = n / threads;
    unsigned cpu = 99;
    syscall(SYS_getcpu, &cpu, NULL, NULL);
    cpus[0] = (int)cpu;
    for (size_t i = lo; i < hi; ++i) {
        a[i] = 0.0;
        b[i] = (double)i;
        c[i] = 2.0;
    }
    pthread_barrier_wait(&barrier);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int p = 0; p < passes; ++p) {
        for (size_t i = lo; i < hi; ++i)
            a[i] = b[i] + 3.0 * c[i];
    }
    pthread_barrier_wait(&barrier);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for (int t = 1; t < threads; ++t)
        pthread_join(th[t], NULL);
    for (int t = 0; t < threads; ++t)
        printf("THREAD %d cpu %d\n", t, cpus[t]);
    double s = 0, expect = 0;
    for (size_t i = 0; i < n; i += 512) {
        s += a[i];
        expect += (double)i + 6.0;
    }
    double us = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec)
        / 1e3;
    printf("stream_mt: %zu KiB x 3, %d passes, %d threads, %.1f us, "
           "%.1f MB/s\n", kib, passes, threads, us,
           passes * 3.0 * kib * 1024 / us);
    printf("STREAM_US %.3f\n", us);
    printf("%s\n", s == expect ? "RESULT PASS" : "RESULT FAIL");
    return s == expect ? 0 : 1;
}
