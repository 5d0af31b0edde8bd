/* Ways a program ends by a signal it does not handle (argv[1] picks one).
 * Each prints "READY <case>" first and "AFTER <case>" if it survives the
 * signal; on Linux the shell status is 128 + signal, except for the cases
 * that must survive (ignored, handled) and exit 0, and exit3 (exit(3)). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int sink;

static void
on_signal(int sig)
{
    (void)sig; /* returns: abort() then resets SIGABRT and raises again */
}

static void
ready(const char *what)
{
    printf("READY %s\n", what);
    fflush(stdout);
}

static void
after(const char *what)
{
    printf("AFTER %s\n", what);
    fflush(stdout);
}

int
main(int argc, char **argv)
{
    const char *c = argc > 1 ? argv[1] : "abort";
    ready(c);
    if (!strcmp(c, "abort")) {
        abort(); /* SIGABRT, 134 */
    } else if (!strcmp(c, "raise")) {
        raise(SIGTERM); /* 143 */
    } else if (!strcmp(c, "kill")) {
        kill(getpid(), SIGKILL); /* 137 */
    } else if (!strcmp(c, "tgkill")) {
        syscall(SYS_tgkill, getpid(), (int)syscall(SYS_gettid), SIGUSR1);
        /* 138 */
    } else if (!strcmp(c, "segv")) {
        int *volatile bad = (int *)8;
        *bad = 1; /* 139 */
    } else if (!strcmp(c, "fpe")) {
        volatile int seven = 7, zero = 0;
        sink = seven / zero; /* 136 */
    } else if (!strcmp(c, "ill")) {
        __builtin_trap(); /* ud2: 132 */
    } else if (!strcmp(c, "handled-abort")) {
        signal(SIGABRT, on_signal);
        abort(); /* the handler returns; abort() raises again: 134 */
    } else if (!strcmp(c, "blocked")) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR2);
        sigprocmask(SIG_BLOCK, &s, NULL);
        raise(SIGUSR2); /* stays pending */
        printf("PENDING\n");
        fflush(stdout);
        sigprocmask(SIG_UNBLOCK, &s, NULL); /* delivered: 140 */
    } else if (!strcmp(c, "ignored")) {
        signal(SIGUSR1, SIG_IGN);
        raise(SIGUSR1);
        raise(SIGCHLD); /* ignored by default */
        signal(SIGUSR1, SIG_DFL);
        struct sigaction old;
        sigaction(SIGUSR1, NULL, &old);
        if (old.sa_handler != SIG_DFL)
            return 2;
        after(c);
        return 0;
    } else if (!strcmp(c, "exit3")) {
        after(c);
        exit(3);
    }
    after(c);
    return 1;
}
