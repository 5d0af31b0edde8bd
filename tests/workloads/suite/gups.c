/* GUPS-style random read-modify-write updates of a large table, plus a
 * small hot histogram.
 * usage: gups [table MiB (default 32)] [updates (default 1000000)] */
#include "suite.h"

int
main(int argc, char **argv)
{
    long mib = arg_or(argc, argv, 1, 32), updates = arg_or(argc, argv, 2,
                                                            1000000);
    size_t n = (size_t)mib * 1024 * 1024 / sizeof(uint64_t);
    uint64_t *table = region(n * sizeof(uint64_t), "table");
    uint64_t *hist = region(4096 * sizeof(uint64_t), "histogram");
    for (size_t i = 0; i < n; ++i)
        table[i] = i;
    uint64_t seed = 7;
    for (long u = 0; u < updates; ++u) {
        uint64_t z = next_random(&seed);
        table[z % n] ^= z;
        hist[z & 4095]++;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i += 61)
        sum += table[i];
    for (int i = 0; i < 4096; ++i)
        sum += hist[i] * (uint64_t)i;
    printf("gups table=%ldMiB updates=%ld checksum=%llu\n", mib, updates,
           (unsigned long long)sum);
    return 0;
}
