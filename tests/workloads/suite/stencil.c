/* 3D 7-point Jacobi stencil over two n^3 grids.
 * usage: stencil [n (default 48)] [iterations (default 4)] */
#include "suite.h"

int
main(int argc, char **argv)
{
    long n = arg_or(argc, argv, 1, 48), iters = arg_or(argc, argv, 2, 4);
    size_t cells = (size_t)n * n * n;
    double *a = region(cells * sizeof(double), "a");
    double *b = region(cells * sizeof(double), "b");
#define IDX(i, j, k) (((size_t)(i) * n + (j)) * n + (k))
    for (size_t c = 0; c < cells; ++c)
        a[c] = b[c] = (double)(c % 97) * 0.01;
    for (long it = 0; it < iters; ++it) {
        double *src = it % 2 ? b : a, *dst = it % 2 ? a : b;
        for (long i = 1; i < n - 1; ++i)
            for (long j = 1; j < n - 1; ++j)
                for (long k = 1; k < n - 1; ++k)
                    dst[IDX(i, j, k)] = (src[IDX(i, j, k)] * 0.4
                        + (src[IDX(i - 1, j, k)] + src[IDX(i + 1, j, k)]
                           + src[IDX(i, j - 1, k)] + src[IDX(i, j + 1, k)]
                           + src[IDX(i, j, k - 1)] + src[IDX(i, j, k + 1)])
                          * 0.1);
    }
    double *out = iters % 2 ? b : a, sum = 0;
    for (size_t c = 0; c < cells; c += 7)
        sum += out[c];
    printf("stencil n=%ld iterations=%ld checksum=%.6f\n", n, iters, sum);
    return 0;
}
