/* Sparse matrix-vector products, x <- 0.5 A x, repeated, on threads that
 * split the rows: 8 nonzeros per row (ELL layout: col and val of row r at
 * r*8), half near the diagonal and half far (a random column, then
 * every eighth of the matrix from it), so every thread gathers from the
 * whole vector. Each thread first-touches its rows of the matrix and both
 * vectors; the matrix does not depend on the thread count, and neither
 * does the checksum.
 * usage: mt_spmv [footprint MiB (default 16)] [repetitions (default 2)]
 *                [threads (default: online CPUs)] */
#include "suite_mt.h"

#define PER_ROW 8
/* Bytes per row: 8 column indices, 8 values, x and y. */
#define ROW_BYTES (PER_ROW * (sizeof(int) + sizeof(double)) + 2 * sizeof(double))

struct job {
    int *col;
    double *val, *x, *y;
    size_t rows;
    long reps;
};

static void
work(int id, int threads, void *arg)
{
    struct job *j = arg;
    size_t lo, hi;
    /* Rows in whole pages of x (512 rows), so each thread's x and y
     * pages are its own. */
    slice(j->rows, sizeof(double), id, threads, &lo, &hi);
    size_t n = j->rows, step = n / PER_ROW + 1;
    for (size_t r = lo; r < hi; ++r) {
        /* One random column per row; the row's other far columns follow
         * it an eighth of the matrix apart (cheap to simulate). */
        uint64_t s = 42 + (uint64_t)r * 0x9e3779b97f4a7c15ULL;
        size_t far = (size_t)(((next_random(&s) >> 32) * n) >> 32);
        int *col = j->col + r * PER_ROW;
        double *val = j->val + r * PER_ROW;
#pragma GCC unroll 4
        for (size_t k = 0; k < PER_ROW; k += 2) {
            size_t near = r + n - 16 + 4 * k, other = far + (k + 1) * step;
            near -= near >= n ? n : 0;
            other -= other >= n ? n : 0;
            other -= other >= n ? n : 0;
            col[k] = (int)near;
            col[k + 1] = (int)other;
            val[k] = (double)(1 + (k & 3)) * 0.0625;
            val[k + 1] = (double)(2 + (k & 3)) * 0.0625;
        }
        j->x[r] = (double)(1 + (r & 7));
        j->y[r] = 0;
    }
    double *x = j->x, *y = j->y;
    for (long rep = 0; rep < j->reps; ++rep) {
        team_barrier();
        for (size_t r = lo; r < hi; ++r) {
            const int *col = j->col + r * PER_ROW;
            const double *val = j->val + r * PER_ROW;
            double s = 0;
#pragma GCC unroll 8
            for (size_t k = 0; k < PER_ROW; ++k)
                s += val[k] * x[col[k]];
            y[r] = 0.5 * s;
        }
        double *t = x;
        x = y;
        y = t;
    }
}

int
main(int argc, char **argv)
{
    long mib = positive_arg(argc, argv, 1, 16, "footprint MiB");
    long reps = positive_arg(argc, argv, 2, 2, "repetitions");
    int threads = threads_arg(argc, argv, 3);
    struct job j = { .rows = (size_t)mib * 1024 * 1024 / ROW_BYTES,
                     .reps = reps };
    if (j.rows < 64 || j.rows > 0x7fffffff) {
        fprintf(stderr, "footprint of %ld MiB is out of range\n", mib);
        return 2;
    }
    j.col = region(j.rows * PER_ROW * sizeof(int), "col");
    j.val = region(j.rows * PER_ROW * sizeof(double), "val");
    j.x = region(j.rows * sizeof(double), "x");
    j.y = region(j.rows * sizeof(double), "y");
    team_run(threads, work, &j);
    double *out = reps % 2 ? j.y : j.x, sum = 0;
    for (size_t r = 0; r < j.rows; r += 7)
        sum += out[r];
    printf("mt_spmv MiB=%ld rows=%zu repetitions=%ld threads=%d "
           "checksum=%.6f\n", mib, j.rows, reps, threads, sum);
    return 0;
}
