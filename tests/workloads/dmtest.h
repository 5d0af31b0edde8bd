/* Shared helpers of the DeepMem gem5 test workloads (2 nodes assumed:
 * node 0 = the CPU's node, node 1 = the second memory). */
#ifndef DMTEST_H
#define DMTEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_PREFERRED_MANY 5
#define MPOL_WEIGHTED_INTERLEAVE 6
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2
#define MPOL_F_MEMS_ALLOWED 4
#define MPOL_MF_STRICT 1
#define MPOL_MF_MOVE 2
#define MPOL_MF_MOVE_ALL 4

#define PAGE 4096UL
#define MAXNODE 65 /* 64 bits of mask */

static int dm_failures;
static int dm_checks;

#define CHECK(cond, ...)                                                 \
    do {                                                                 \
        ++dm_checks;                                                     \
        if (cond) {                                                      \
            printf("PASS ");                                             \
        } else {                                                         \
            printf("FAIL ");                                             \
            ++dm_failures;                                               \
        }                                                                \
        printf(__VA_ARGS__);                                             \
        printf("\n");                                                    \
        fflush(stdout);                                                  \
    } while (0)

/* A call that must fail with a given errno. */
#define CHECK_ERR(call, err, what)                                       \
    do {                                                                 \
        errno = 0;                                                       \
        long r_ = (long)(call);                                          \
        int e_ = errno;                                                  \
        CHECK(r_ == -1 && e_ == (err), "%s -> %ld errno %d (%s), want %s",\
              what, r_, e_, strerror(e_), #err);                         \
    } while (0)

static inline long
sys_mbind(void *addr, unsigned long len, int mode,
          const unsigned long *nodemask, unsigned long maxnode,
          unsigned flags)
{
    return syscall(SYS_mbind, addr, len, mode, nodemask, maxnode, flags);
}

static inline long
sys_set_mempolicy(int mode, const unsigned long *nodemask,
                  unsigned long maxnode)
{
    return syscall(SYS_set_mempolicy, mode, nodemask, maxnode);
}

static inline long
sys_get_mempolicy(int *mode, unsigned long *nodemask, unsigned long maxnode,
                  void *addr, unsigned long flags)
{
    return syscall(SYS_get_mempolicy, mode, nodemask, maxnode, addr, flags);
}

static inline long
sys_move_pages(int pid, unsigned long count, void **pages, const int *nodes,
               int *status, int flags)
{
    return syscall(SYS_move_pages, pid, count, pages, nodes, status, flags);
}

static inline long
sys_migrate_pages(int pid, unsigned long maxnode, const unsigned long *from,
                  const unsigned long *to)
{
    return syscall(SYS_migrate_pages, pid, maxnode, from, to);
}

/* Node of the page holding addr (faults it in), or -1. */
static inline int
node_of(void *addr)
{
    int node = -1;
    if (sys_get_mempolicy(&node, NULL, 0, addr, MPOL_F_NODE | MPOL_F_ADDR))
        return -1;
    return node;
}

/* Node by move_pages query (no fault-in): node, or -errno. */
static inline int
status_of(void *addr)
{
    void *pages[1] = {addr};
    int status[1] = {-12345};
    if (sys_move_pages(0, 1, pages, NULL, status, 0))
        return -1000;
    return status[0];
}

static inline char *
map_pages(unsigned long n)
{
    void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("FAIL mmap of %lu pages\n", n);
        exit(2);
    }
    return p;
}

static inline void
touch(char *p, unsigned long n)
{
    for (unsigned long i = 0; i < n; ++i)
        p[i * PAGE] = (char)(i + 1);
}

static inline uint64_t
checksum(const char *p, unsigned long bytes)
{
    uint64_t h = 1469598103934665603ULL;
    for (unsigned long i = 0; i < bytes; ++i)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static inline double
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline int
dm_done(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, dm_checks, dm_failures);
    printf("%s\n", dm_failures ? "RESULT FAIL" : "RESULT PASS");
    return dm_failures ? 1 : 0;
}

#endif
