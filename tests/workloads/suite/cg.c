/* Conjugate gradient on the 2D Poisson matrix (5-point, CSR), a mini-app
 * with arrays of different hotness: the matrix (cold-ish, streamed), the
 * vectors p and Ap (hot), x and r (warm), and a rarely used residual log.
 * usage: cg [grid side (default 160)] [iterations (default 12)] */
#include "suite.h"
#include <math.h>

int
main(int argc, char **argv)
{
    long side = arg_or(argc, argv, 1, 160), iters = arg_or(argc, argv, 2, 12);
    long n = side * side;
    long *rowptr = region((n + 1) * sizeof(long), "rowptr");
    int *col = region(5 * n * sizeof(int), "col");
    double *val = region(5 * n * sizeof(double), "val");
    double *x = region(n * sizeof(double), "x");
    double *r = region(n * sizeof(double), "r");
    double *p = region(n * sizeof(double), "p");
    double *ap = region(n * sizeof(double), "Ap");
    double *logv = region(4096 * sizeof(double), "log");
    long k = 0;
    for (long i = 0; i < side; ++i)
        for (long j = 0; j < side; ++j) {
            long row = i * side + j;
            rowptr[row] = k;
            if (i > 0) { col[k] = (int)(row - side); val[k++] = -1; }
            if (j > 0) { col[k] = (int)(row - 1); val[k++] = -1; }
            col[k] = (int)row; val[k++] = 4;
            if (j < side - 1) { col[k] = (int)(row + 1); val[k++] = -1; }
            if (i < side - 1) { col[k] = (int)(row + side); val[k++] = -1; }
        }
    rowptr[n] = k;
    for (long i = 0; i < n; ++i) {
        x[i] = 0;
        r[i] = p[i] = 1.0 + (double)(i % 3);
    }
    double rr = 0;
    for (long i = 0; i < n; ++i)
        rr += r[i] * r[i];
    for (long it = 0; it < iters; ++it) {
        for (long i = 0; i < n; ++i) {
            double s = 0;
            for (long q = rowptr[i]; q < rowptr[i + 1]; ++q)
                s += val[q] * p[col[q]];
            ap[i] = s;
        }
        double pap = 0;
        for (long i = 0; i < n; ++i)
            pap += p[i] * ap[i];
        double alpha = rr / pap, rr2 = 0;
        for (long i = 0; i < n; ++i) {
            x[i] += alpha * p[i];
            r[i] -= alpha * ap[i];
            rr2 += r[i] * r[i];
        }
        double beta = rr2 / rr;
        for (long i = 0; i < n; ++i)
            p[i] = r[i] + beta * p[i];
        rr = rr2;
        logv[it % 4096] = sqrt(rr);
    }
    double sum = 0;
    for (long i = 0; i < n; ++i)
        sum += x[i];
    printf("cg side=%ld iterations=%ld residual=%.6e checksum=%.6f\n", side,
           iters, logv[(iters - 1) % 4096], sum);
    return 0;
}
