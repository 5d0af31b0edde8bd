/* Shared helpers of the DeepMem workload suite: every main array is its own
 * anonymous mmap region, so a placement policy has regions to decide on,
 * and every program prints a checksum that does not depend on placement. */
#ifndef DEEPMEM_SUITE_H
#define DEEPMEM_SUITE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static inline void *
region(size_t bytes, const char *name)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "mmap of %zu bytes for %s failed\n", bytes, name);
        exit(2);
    }
    return p;
}

/* Deterministic 64-bit generator (splitmix64). */
static inline uint64_t
next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline long
arg_or(int argc, char **argv, int i, long fallback)
{
    return argc > i ? strtol(argv[i], NULL, 0) : fallback;
}

#endif
