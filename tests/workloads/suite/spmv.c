/* CSR sparse matrix-vector product, y = A x, repeated.
 * usage: spmv [rows (default 65536)] [nonzeros per row (default 8)]
 *             [repetitions (default 4)] */
#include "suite.h"

int
main(int argc, char **argv)
{
    long rows = arg_or(argc, argv, 1, 65536), per = arg_or(argc, argv, 2, 8);
    long reps = arg_or(argc, argv, 3, 4);
    size_t nnz = (size_t)rows * per;
    long *rowptr = region((rows + 1) * sizeof(long), "rowptr");
    int *col = region(nnz * sizeof(int), "col");
    double *val = region(nnz * sizeof(double), "val");
    double *x = region(rows * sizeof(double), "x");
    double *y = region(rows * sizeof(double), "y");
    uint64_t seed = 42;
    for (long r = 0; r <= rows; ++r)
        rowptr[r] = r * per;
    for (size_t i = 0; i < nnz; ++i) {
        /* Half the entries near the diagonal, half anywhere. */
        long r = (long)(i / per);
        uint64_t z = next_random(&seed);
        col[i] = (int)((i % 2) ? z % rows
                               : (r + (long)(z % 64) - 32 + rows) % rows);
        val[i] = 1.0 / (double)(1 + (i % 13));
    }
    for (long r = 0; r < rows; ++r)
        x[r] = 1.0 + (double)(r % 7);
    for (long rep = 0; rep < reps; ++rep) {
        for (long r = 0; r < rows; ++r) {
            double s = 0;
            for (long k = rowptr[r]; k < rowptr[r + 1]; ++k)
                s += val[k] * x[col[k]];
            y[r] = s;
        }
        for (long r = 0; r < rows; ++r)
            x[r] = 0.5 * x[r] + 0.01 * y[r];
    }
    double sum = 0;
    for (long r = 0; r < rows; ++r)
        sum += y[r];
    printf("spmv rows=%ld nnz=%zu reps=%ld checksum=%.6f\n", rows, nnz,
           reps, sum);
    return 0;
}
