/* A large cold region allocated (and touched once) first, then a small hot
 * region used over and over. Under first touch with a small fast node the
 * cold data fills the fast node and the hot data lands on the slow one.
 * usage: hot_after_cold [cold MiB (default 8)] [hot MiB (default 1)]
 *                       [hot sweeps (default 20)] */
#include "suite.h"

int
main(int argc, char **argv)
{
    long cold_mib = arg_or(argc, argv, 1, 8), hot_mib = arg_or(argc, argv, 2, 1);
    long sweeps = arg_or(argc, argv, 3, 20);
    size_t cold_n = (size_t)cold_mib * 1024 * 1024 / sizeof(uint64_t);
    size_t hot_n = (size_t)hot_mib * 1024 * 1024 / sizeof(uint64_t);
    uint64_t *cold = region(cold_n * sizeof(uint64_t), "cold");
    for (size_t i = 0; i < cold_n; i += 512)
        cold[i] = i;
    uint64_t *hot = region(hot_n * sizeof(uint64_t), "hot");
    uint64_t sum = 0;
    for (long s = 0; s < sweeps; ++s)
        for (size_t i = 0; i < hot_n; i += 8) {
            hot[i] += i + (uint64_t)s;
            sum += hot[i];
        }
    for (size_t i = 0; i < cold_n; i += 4096)
        sum += cold[i];
    printf("hot_after_cold cold=%ldMiB hot=%ldMiB sweeps=%ld checksum=%llu\n",
           cold_mib, hot_mib, sweeps, (unsigned long long)sum);
    return 0;
}
