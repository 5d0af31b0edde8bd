/* A program whose hot set moves: phase 1 sweeps array A repeatedly, phase 2
 * sweeps array B, phase 3 sweeps A again; C is touched once (cold).
 * usage: phases [MiB per array (default 4)] [sweeps per phase (default 4)] */
#include "suite.h"

static double
sweep(double *v, size_t n, int times)
{
    double s = 0;
    for (int t = 0; t < times; ++t)
        for (size_t i = 0; i < n; i += 8) {
            v[i] += 1.0;
            s += v[i];
        }
    return s;
}

int
main(int argc, char **argv)
{
    long mib = arg_or(argc, argv, 1, 4), times = arg_or(argc, argv, 2, 4);
    size_t n = (size_t)mib * 1024 * 1024 / sizeof(double);
    double *c = region(4 * n * sizeof(double), "C");
    double *a = region(n * sizeof(double), "A");
    double *b = region(n * sizeof(double), "B");
    for (size_t i = 0; i < 4 * n; i += 512)
        c[i] = 1;
    double s = sweep(a, n, (int)times);
    s += sweep(b, n, (int)times);
    s += sweep(a, n, (int)times);
    printf("phases MiB=%ld sweeps=%ld checksum=%.1f\n", mib, times, s);
    return 0;
}
