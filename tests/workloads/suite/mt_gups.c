/* GUPS-like random read-modify-write updates of one large table by all
 * threads, plus a small hot histogram per thread. Thread t first-touches its
 * slice of the table but updates words anywhere in it: it owns the cache
 * lines whose index is t modulo the thread count, so no two threads write
 * the same line, the updates need no atomics (which gem5 fences), and the
 * checksum depends on the thread count but not on placement or timing.
 * usage: mt_gups [table MiB (default 16)] [updates, all threads (default
 *                250000)] [threads (default: online CPUs)] */
#include "suite_mt.h"

#define LINE_WORDS 8

struct job {
    uint64_t *table, *hist;
    size_t n;
    long updates;
};

static void
work(int id, int threads, void *arg)
{
    struct job *j = arg;
    size_t lo, hi;
    slice(j->n, sizeof(uint64_t), id, threads, &lo, &hi);
    for (size_t i = lo; i < hi; ++i)
        j->table[i] = i;
    uint64_t *hist = j->hist + (size_t)id * 4096;
    for (int i = 0; i < 4096; ++i)
        hist[i] = 0;
    team_barrier();
    size_t mine = j->n / LINE_WORDS / (size_t)threads;
    long first = j->updates * id / threads;
    long last = j->updates * (id + 1) / threads;
    uint64_t seed = 7 + (uint64_t)first * 0x9e3779b97f4a7c15ULL;
    for (long u = first; u < last; ++u) {
        uint64_t z = next_random(&seed);
        size_t line = (size_t)((z >> 3) % mine) * (size_t)threads + (size_t)id;
        j->table[line * LINE_WORDS + (z & (LINE_WORDS - 1))] ^= z;
        hist[z & 4095]++;
    }
}

int
main(int argc, char **argv)
{
    long mib = positive_arg(argc, argv, 1, 16, "table MiB");
    long updates = positive_arg(argc, argv, 2, 250000, "updates");
    int threads = threads_arg(argc, argv, 3);
    struct job j = { .n = (size_t)mib * 1024 * 1024 / sizeof(uint64_t),
                     .updates = updates };
    if (j.n / LINE_WORDS < (size_t)threads) {
        fprintf(stderr, "table of %ld MiB is too small for %d threads\n", mib,
                threads);
        return 2;
    }
    j.table = region(j.n * sizeof(uint64_t), "table");
    j.hist = region((size_t)threads * 4096 * sizeof(uint64_t), "histogram");
    team_run(threads, work, &j);
    uint64_t sum = 0;
    for (size_t i = 0; i < j.n; i += 61)
        sum += j.table[i];
    for (size_t i = 0; i < (size_t)threads * 4096; ++i)
        sum += j.hist[i] * (uint64_t)(i % 4096);
    printf("mt_gups table=%ldMiB updates=%ld threads=%d checksum=%llu\n", mib,
           updates, threads, (unsigned long long)sum);
    return 0;
}
