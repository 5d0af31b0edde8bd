/* Threads and memory policies (run on --cores >= workers + 1):
 *
 *   t_threads policy MODE NODES WORKERS   each worker sets its own policy
 *                                         (set_mempolicy) and first-touches
 *                                         its own pages
 *   t_threads numactl MODE NODES WORKERS  no set_mempolicy: the machine's
 *                                         default policy (--policy, as
 *                                         numactl --membind/--interleave/
 *                                         --preferred) places the pages
 *   t_threads split                       worker A binds node 0, worker B
 *                                         node 1; inheritance at clone;
 *                                         move_pages/migrate_pages by pid
 *
 * MODE: bind | preferred | interleave | local; NODES: e.g. 1 or 0,1.
 * Every thread reports the core getcpu gives it (THREAD lines); the
 * threads that run at the same time must be on different cores.
 */
#include "dmtest.h"

#include <pthread.h>

#define PAGES 16
#define MAXW 16

struct worker
{
    int idx;
    int set_policy;    /* call set_mempolicy first */
    int mode;          /* MPOL_* */
    unsigned long mask;
    char *buf;         /* PAGES pages, untouched until the worker runs */
    int cpu, node;
    long tid;
    int got_mode;      /* get_mempolicy in the thread */
    unsigned long got_mask;
    int placed[PAGES]; /* get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR) */
    int status[PAGES]; /* move_pages query */
    long self_move;    /* move_pages with pid = own tid */
};

static pthread_barrier_t barrier;

static int
sys_getcpu(int *cpu, int *node)
{
    unsigned c = 99, n = 99;
    long r = syscall(SYS_getcpu, &c, &n, NULL);
    *cpu = (int)c;
    *node = (int)n;
    return (int)r;
}

static int
parse_mode(const char *s)
{
    if (!strcmp(s, "bind"))
        return MPOL_BIND;
    if (!strcmp(s, "preferred"))
        return MPOL_PREFERRED;
    if (!strcmp(s, "interleave"))
        return MPOL_INTERLEAVE;
    if (!strcmp(s, "local"))
        return MPOL_LOCAL;
    printf("FAIL unknown mode %s\n", s);
    exit(2);
}

static unsigned long
parse_nodes(const char *s)
{
    unsigned long m = 0;
    for (const char *p = s; *p; ++p) {
        if (*p >= '0' && *p <= '9')
            m |= 1UL << (*p - '0');
    }
    return m;
}

static void *
run_worker(void *arg)
{
    struct worker *w = arg;
    w->tid = syscall(SYS_gettid);
    if (w->set_policy) {
        unsigned long mask = w->mask;
        long r = sys_set_mempolicy(w->mode, w->mode == MPOL_LOCAL ? NULL
                                   : &mask, MAXNODE);
        if (r)
            printf("FAIL worker %d: set_mempolicy -> %ld errno %d\n",
                   w->idx, r, errno);
    }
    /* All workers are alive at once here: each must have its own core. */
    pthread_barrier_wait(&barrier);
    sys_getcpu(&w->cpu, &w->node);
    touch(w->buf, PAGES);
    unsigned long mask = 0;
    w->got_mode = -1;
    sys_get_mempolicy(&w->got_mode, &mask, MAXNODE, NULL, 0);
    w->got_mask = mask;
    for (int i = 0; i < PAGES; ++i)
        w->placed[i] = node_of(w->buf + i * PAGE);
    void *pages[PAGES];
    for (int i = 0; i < PAGES; ++i)
        pages[i] = w->buf + i * PAGE;
    if (sys_move_pages(0, PAGES, pages, NULL, w->status, 0))
        w->status[0] = -1000;
    /* move_pages names the process by any of its thread ids. */
    int st[1] = {-99};
    w->self_move = sys_move_pages((int)w->tid, 1, pages, NULL, st, 0);
    pthread_barrier_wait(&barrier);
    return NULL;
}

/* The node a policy gives the i-th page a thread touches; interleaving
 * starts wherever the thread's own interleave position is (its stack
 * pages may have taken a turn), then goes round the nodes. */
static int
expected_node(int mode, unsigned long mask, int i, int first)
{
    switch (mode) {
      case MPOL_BIND:
      case MPOL_PREFERRED:
        return __builtin_ctzl(mask);
      case MPOL_INTERLEAVE: {
        int nodes[64], n = 0, off = 0;
        for (int b = 0; b < 64; ++b)
            if (mask & (1UL << b))
                nodes[n++] = b;
        for (int k = 0; k < n; ++k)
            if (nodes[k] == first)
                off = k;
        return nodes[(i + off) % n];
      }
      default:
        return 0; /* local: the CPUs' node */
    }
}

static void
report(struct worker *w, int nw)
{
    int main_cpu, main_node;
    sys_getcpu(&main_cpu, &main_node);
    printf("THREAD main cpu %d node %d tid %ld\n", main_cpu, main_node,
           (long)getpid());
    int distinct = 1;
    for (int i = 0; i < nw; ++i) {
        printf("THREAD %d cpu %d node %d tid %ld\n", i, w[i].cpu,
               w[i].node, w[i].tid);
        distinct &= w[i].cpu != main_cpu && w[i].cpu >= 0 &&
            w[i].node == 0;
        for (int j = 0; j < i; ++j)
            distinct &= w[i].cpu != w[j].cpu;
    }
    CHECK(distinct, "getcpu: the %d workers and main run on %d different "
          "cores of node 0", nw, nw + 1);
    int tids = 1;
    for (int i = 0; i < nw; ++i)
        tids &= w[i].tid != getpid() && w[i].self_move == 0;
    CHECK(tids, "each worker has its own tid; move_pages(pid = own tid) "
          "names the process");
}

static int
run_policy(int set_policy, int mode, unsigned long mask, int nw)
{
    struct worker w[MAXW];
    char *region = map_pages((unsigned long)nw * PAGES);
    pthread_t th[MAXW];
    pthread_barrier_init(&barrier, NULL, nw);
    for (int i = 0; i < nw; ++i) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].idx = i;
        w[i].set_policy = set_policy;
        w[i].mode = mode;
        w[i].mask = mask;
        w[i].buf = region + (unsigned long)i * PAGES * PAGE;
        if (pthread_create(&th[i], NULL, run_worker, &w[i])) {
            printf("FAIL pthread_create %d\n", i);
            return dm_done("t_threads");
        }
    }
    for (int i = 0; i < nw; ++i)
        pthread_join(th[i], NULL);
    report(w, nw);

    for (int i = 0; i < nw; ++i) {
        int ok = 1, by_status = 1, on[2] = {0, 0};
        for (int p = 0; p < PAGES; ++p) {
            const int want = expected_node(mode, mask, p,
                                           w[i].placed[0]);
            ok &= w[i].placed[p] == want;
            by_status &= w[i].status[p] == w[i].placed[p];
            if (w[i].placed[p] >= 0 && w[i].placed[p] < 2)
                ++on[w[i].placed[p]];
        }
        CHECK(ok && by_status, "worker %d: its %d pages placed by the "
              "policy (node 0: %d, node 1: %d); move_pages agrees", i,
              PAGES, on[0], on[1]);
        if (set_policy) {
            const unsigned long want_mask = mode == MPOL_LOCAL ? 0 : mask;
            CHECK(w[i].got_mode == mode && w[i].got_mask == want_mask,
                  "worker %d: get_mempolicy gives its own policy (mode %d "
                  "mask %#lx, want %d %#lx)", i, w[i].got_mode,
                  w[i].got_mask, mode, want_mask);
        }
    }
    int main_mode = -1;
    sys_get_mempolicy(&main_mode, NULL, 0, NULL, 0);
    CHECK(main_mode == MPOL_DEFAULT, "main thread's policy is still "
          "MPOL_DEFAULT (the workers' policies are their own): %d",
          main_mode);
    return dm_done("t_threads");
}

static void *
inherit_worker(void *arg)
{
    struct worker *w = arg;
    w->tid = syscall(SYS_gettid);
    unsigned long mask = 0;
    w->got_mode = -1;
    sys_get_mempolicy(&w->got_mode, &mask, MAXNODE, NULL, 0);
    w->got_mask = mask;
    sys_getcpu(&w->cpu, &w->node);
    touch(w->buf, PAGES);
    for (int i = 0; i < PAGES; ++i)
        w->placed[i] = node_of(w->buf + i * PAGE);
    return NULL;
}

static int
run_split(void)
{
    struct worker w[2];
    char *region = map_pages(2 * PAGES);
    pthread_t th[2];
    pthread_barrier_init(&barrier, NULL, 2);
    for (int i = 0; i < 2; ++i) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].idx = i;
        w[i].set_policy = 1;
        w[i].mode = MPOL_BIND;
        w[i].mask = 1UL << i; /* A: node 0, B: node 1 */
        w[i].buf = region + (unsigned long)i * PAGES * PAGE;
        pthread_create(&th[i], NULL, run_worker, &w[i]);
    }
    for (int i = 0; i < 2; ++i)
        pthread_join(th[i], NULL);
    report(w, 2);

    /* Queried by main after both threads have exited. */
    void *pages[2 * PAGES];
    int status[2 * PAGES], nodes[2 * PAGES];
    for (int i = 0; i < 2 * PAGES; ++i)
        pages[i] = region + (unsigned long)i * PAGE;
    sys_move_pages(0, 2 * PAGES, pages, NULL, status, 0);
    int ok = 1;
    for (int i = 0; i < 2 * PAGES; ++i)
        ok &= status[i] == (i < PAGES ? 0 : 1);
    CHECK(ok, "thread A (bind 0) first-touched its pages on node 0, "
          "thread B (bind 1) on node 1");

    /* Pages first touched by a thread that has exited still move. */
    for (int i = 0; i < PAGES; ++i) {
        nodes[i] = 1;
        status[i] = -99;
    }
    long r = sys_move_pages(getpid(), PAGES, pages, nodes, status,
                            MPOL_MF_MOVE);
    ok = r == 0;
    for (int i = 0; i < PAGES; ++i)
        ok &= status[i] == 1;
    CHECK(ok, "move_pages(pid = tgid) moves the exited thread A's pages "
          "to node 1: ret %ld", r);
    CHECK_ERR(sys_move_pages(getpid() + 4000, 1, pages, NULL, status, 0),
              ESRCH, "move_pages of another pid");
    unsigned long from = 2, to = 1;
    r = sys_migrate_pages(getpid(), MAXNODE, &from, &to);
    sys_move_pages(0, 2 * PAGES, pages, NULL, status, 0);
    ok = r == 0;
    for (int i = 0; i < 2 * PAGES; ++i)
        ok &= status[i] == 0;
    CHECK(ok, "migrate_pages(tgid, 1 -> 0) moves both threads' pages to "
          "node 0: ret %ld", r);

    /* A new thread starts with its creator's policy (Linux copies it). */
    unsigned long one = 2;
    sys_set_mempolicy(MPOL_BIND, &one, MAXNODE);
    struct worker c;
    memset(&c, 0, sizeof(c));
    c.buf = map_pages(PAGES);
    pthread_t tc;
    pthread_create(&tc, NULL, inherit_worker, &c);
    sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
    pthread_join(tc, NULL);
    printf("THREAD inherit cpu %d node %d tid %ld\n", c.cpu, c.node, c.tid);
    CHECK(c.got_mode == MPOL_BIND && c.got_mask == 2,
          "a thread created under bind:1 starts with bind:1 (mode %d mask "
          "%#lx)", c.got_mode, c.got_mask);
    ok = 1;
    for (int i = 0; i < PAGES; ++i)
        ok &= c.placed[i] == 1;
    CHECK(ok, "its pages go to node 1, though its creator is back on "
          "MPOL_DEFAULT");
    return dm_done("t_threads");
}

int
main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && !strcmp(argv[1], "split"))
        return run_split();
    if (argc == 5 && (!strcmp(argv[1], "policy") ||
                      !strcmp(argv[1], "numactl"))) {
        const int nw = atoi(argv[4]);
        if (nw < 1 || nw > MAXW) {
            printf("FAIL workers must be 1..%d\n", MAXW);
            return 2;
        }
        return run_policy(!strcmp(argv[1], "policy"), parse_mode(argv[2]),
                          parse_nodes(argv[3]), nw);
    }
    printf("usage: t_threads policy|numactl MODE NODES WORKERS | split\n");
    return 2;
}
