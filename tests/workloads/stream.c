/* Streaming kernel (STREAM triad) over arrays larger than the L2 cache.
 * usage: stream [KiB per array (default 1024)] [passes (default 2)] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
    size_t kib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
    int passes = argc > 2 ? atoi(argv[2]) : 2;
    size_t n = kib * 1024 / sizeof(double);
    double *a = malloc(n * sizeof(double));
    double *b = malloc(n * sizeof(double));
    double *c = malloc(n * sizeof(double));
    if (!a || !b || !c) {
        printf("FAIL malloc\n");
        return 2;
    }
    for (size_t i = 0; i < n; ++i) {
        a[i] = 0.0;
        b[i] = (double)i;
        c[i] = 2.0;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int p = 0; p < passes; ++p) {
        for (size_t i = 0; i < n; ++i)
            a[i] = b[i] + 3.0 * c[i];
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = 0;
    for (size_t i = 0; i < n; i += 512)
        s += a[i];
    double expect = 0;
    for (size_t i = 0; i < n; i += 512)
        expect += (double)i + 6.0;
    double us = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec)
        / 1e3;
    printf("stream: %zu KiB x 3, %d passes, %.1f us, %.1f MB/s\n", kib,
           passes, us, passes * 3.0 * kib * 1024 / us);
    printf("STREAM_US %.3f\n", us);
    printf("%s\n", s == expect ? "RESULT PASS" : "RESULT FAIL");
    return s == expect ? 0 : 1;
}
