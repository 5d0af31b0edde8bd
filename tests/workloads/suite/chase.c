/* Pointer chase through a random cyclic permutation (latency bound, one
 * miss at a time), plus a sequential scan of a second array.
 * usage: chase [MiB (default 16)] [steps (default 500000)] */
#include "suite.h"

int
main(int argc, char **argv)
{
    long mib = arg_or(argc, argv, 1, 16), steps = arg_or(argc, argv, 2,
                                                         500000);
    /* One node per 64-byte line. */
    size_t n = (size_t)mib * 1024 * 1024 / 64;
    uint64_t *next = region(n * 64, "ring");
    double *scan = region((size_t)mib * 1024 * 1024 / 4, "scan");
    size_t m = (size_t)mib * 1024 * 1024 / 4 / sizeof(double);
    uint32_t *perm = malloc(n * sizeof(uint32_t));
    uint64_t seed = 11;
    for (size_t i = 0; i < n; ++i)
        perm[i] = (uint32_t)i;
    for (size_t i = n - 1; i > 0; --i) {
        size_t j = next_random(&seed) % (i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < n; ++i)
        next[(size_t)perm[i] * 8] = perm[(i + 1) % n];
    free(perm);
    for (size_t i = 0; i < m; ++i)
        scan[i] = (double)(i % 5);
    uint64_t p = 0, sum = 0;
    double s = 0;
    for (long k = 0; k < steps; ++k) {
        p = next[p * 8];
        sum += p;
        s += scan[(size_t)k % m];
    }
    printf("chase MiB=%ld steps=%ld checksum=%llu/%.1f\n", mib, steps,
           (unsigned long long)sum, s);
    return 0;
}
