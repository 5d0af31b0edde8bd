/*
 * Copyright (c) 2026 The DeepMem.Gem5 authors
 * All rights reserved.
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are
 * met: redistributions of source code must retain the above copyright
 * notice, this list of conditions and the following disclaimer;
 * redistributions in binary form must reproduce the above copyright
 * notice, this list of conditions and the following disclaimer in the
 * documentation and/or other materials provided with the distribution;
 * neither the name of the copyright holders nor the names of its
 * contributors may be used to endorse or promote products derived from
 * this software without specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
 * "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
 * LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
 * A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
 * OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
 * SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
 * LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
 * DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
 * THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
 * (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */

/**
 * @file
 * DeepMem.Gem5: x86-64 Linux SE workload with the memory-policy syscalls.
 */

#include "deepmem/deepmem_x86_linux.hh"

#include <cerrno>

#include "arch/x86/linux/linux.hh"
#include "arch/x86/page_size.hh"
#include "arch/x86/process.hh"
#include "arch/x86/regs/int.hh"
#include "base/intmath.hh"
#include "base/logging.hh"
#include "cpu/thread_context.hh"
#include "mem/se_translating_port_proxy.hh"
#include "sim/mem_state.hh"
#include "sim/process.hh"
#include "sim/sim_exit.hh"
#include "sim/syscall_desc.hh"
#include "sim/syscall_emul.hh"
#include "sim/system.hh"

namespace gem5
{

namespace
{

DeepMemX86Linux *
workloadOf(ThreadContext *tc)
{
    auto *wl = dynamic_cast<DeepMemX86Linux *>(
        tc->getSystemPtr()->workload);
    panic_if(!wl, "DeepMem syscall without a DeepMemX86Linux workload");
    return wl;
}

DeepMemNuma *
numaOf(ThreadContext *tc)
{
    return workloadOf(tc)->numa();
}

SyscallReturn
mbindImpl(SyscallDesc *, ThreadContext *tc, uint64_t start, uint64_t len,
          uint64_t mode, uint64_t nmask, uint64_t maxnode, uint64_t flags)
{
    return numaOf(tc)->sysMbind(tc, start, len, mode, nmask, maxnode,
                                flags);
}

SyscallReturn
setMempolicyImpl(SyscallDesc *, ThreadContext *tc, uint64_t mode,
                 uint64_t nmask, uint64_t maxnode)
{
    return numaOf(tc)->sysSetMempolicy(tc, mode, nmask, maxnode);
}

SyscallReturn
getMempolicyImpl(SyscallDesc *, ThreadContext *tc, uint64_t modep,
                 uint64_t nmask, uint64_t maxnode, uint64_t addr,
                 uint64_t flags)
{
    return numaOf(tc)->sysGetMempolicy(tc, modep, nmask, maxnode, addr,
                                       flags);
}

SyscallReturn
migratePagesImpl(SyscallDesc *, ThreadContext *tc, int64_t pid,
                 uint64_t maxnode, uint64_t old_nodes, uint64_t new_nodes)
{
    return numaOf(tc)->sysMigratePages(tc, pid, maxnode, old_nodes,
                                       new_nodes);
}

SyscallReturn
movePagesImpl(SyscallDesc *, ThreadContext *tc, int64_t pid,
              uint64_t count, uint64_t pages, uint64_t nodes,
              uint64_t status, uint64_t flags)
{
    return numaOf(tc)->sysMovePages(tc, pid, count, pages, nodes, status,
                                    flags);
}

SyscallReturn
getcpuImpl(SyscallDesc *, ThreadContext *tc, uint64_t cpu, uint64_t node,
           uint64_t tcache)
{
    return numaOf(tc)->sysGetcpu(tc, cpu, node);
}

/**
 * exit_group, and a signal death: gem5's exit_group halts the group's
 * other threads at once, and a TimingSimpleCPU in the middle of a memory
 * access cannot be halted (an assertion fails; OpenMP's spinning workers
 * are such threads). When the thread group is all that runs, end the run
 * as the last thread's exit does, without halting the others.
 */
SyscallReturn
endThreadGroup(SyscallDesc *desc, ThreadContext *tc, int status)
{
    Process *p = tc->getProcessPtr();
    bool others = false, foreign = false;
    for (ThreadContext *t : tc->getSystemPtr()->threads) {
        if (t == tc || t->status() == ThreadContext::Halted ||
                t->status() == ThreadContext::Halting) {
            continue;
        }
        Process *q = t->getProcessPtr();
        if (q && q->tgid() == p->tgid())
            others = true;
        else
            foreign = true;
    }
    if (!others || foreign)
        return exitGroupFunc(desc, tc, status);
    *p->exitGroup = true;
    tc->halt();
    exitSimLoop("exiting with last active thread context", status & 0xff);
    return status;
}

SyscallReturn
exitGroupImpl(SyscallDesc *desc, ThreadContext *tc, int status)
{
    return endThreadGroup(desc, tc, status);
}

SyscallReturn
cloneImpl(SyscallDesc *desc, ThreadContext *tc, RegVal flags,
          RegVal new_stack, VPtr<> ptid, VPtr<> ctid, VPtr<> tls)
{
    Process *parent = tc->getProcessPtr();
    SyscallReturn r = cloneFunc<X86Linux64>(desc, tc, flags, new_stack,
                                            ptid, ctid, tls);
    if (!r.needsRetry() && r.successful())
        numaOf(tc)->noteClone(parent, r.returnValue());
    return r;
}

SyscallReturn
clone3Impl(SyscallDesc *desc, ThreadContext *tc,
           VPtr<X86Linux64::tgt_clone_args> args, RegVal size)
{
    Process *parent = tc->getProcessPtr();
    SyscallReturn r = clone3Func<X86Linux64>(desc, tc, args, size);
    if (!r.needsRetry() && r.successful())
        numaOf(tc)->noteClone(parent, r.returnValue());
    return r;
}

SyscallReturn
setMempolicyHomeNodeImpl(SyscallDesc *, ThreadContext *, uint64_t start,
                         uint64_t len, uint64_t home_node, uint64_t flags)
{
    // Not modelled: answer as a kernel without the call does.
    warn_once("set_mempolicy_home_node: not modelled, returning ENOSYS");
    return -ENOSYS;
}

SyscallReturn
mmapImpl(SyscallDesc *desc, ThreadContext *tc, VPtr<> start,
         X86Linux64::size_t length, int prot, int tgt_flags, int tgt_fd,
         X86Linux64::off_t offset)
{
    DeepMemNuma *numa = numaOf(tc);
    Process *p = tc->getProcessPtr();
    const uint64_t len = roundUp(length, (uint64_t)X86ISA::PageBytes);
    // MAP_FIXED replaces what was there: its frames are freed and its VMA
    // policies go, as munmap would do.
    const bool fixed = tgt_flags & X86Linux64::TGT_MAP_FIXED;
    std::vector<Addr> frames;
    if (fixed && len && !(start & (X86ISA::PageBytes - 1)))
        frames = numa->framesIn(p, start, len);
    SyscallReturn r = mmapFunc<X86Linux64>(desc, tc, start, length, prot,
                                           tgt_flags, tgt_fd, offset);
    if (!r.needsRetry() && r.successful()) {
        if (fixed)
            numa->noteUnmap(p, r.returnValue(), len, frames);
        numa->noteRegion(p, r.returnValue(), len, "mmap");
    }
    return r;
}

SyscallReturn
mremapImpl(SyscallDesc *, ThreadContext *tc, uint64_t start,
           uint64_t old_len, uint64_t new_len, uint64_t flags,
           uint64_t new_addr)
{
    return numaOf(tc)->sysMremap(tc, start, old_len, new_len, flags,
                                 new_addr);
}

SyscallReturn
killImpl(SyscallDesc *, ThreadContext *tc, int64_t pid, int64_t sig)
{
    return workloadOf(tc)->sysKill(tc, pid, sig);
}

SyscallReturn
tkillImpl(SyscallDesc *, ThreadContext *tc, int64_t tid, int64_t sig)
{
    return workloadOf(tc)->sysTgkill(tc, -1, tid, sig);
}

SyscallReturn
tgkillImpl(SyscallDesc *, ThreadContext *tc, int64_t tgid, int64_t tid,
           int64_t sig)
{
    return workloadOf(tc)->sysTgkill(tc, tgid, tid, sig);
}

SyscallReturn
rtSigactionImpl(SyscallDesc *, ThreadContext *tc, int64_t sig,
                uint64_t act, uint64_t oact, uint64_t sigsetsize)
{
    return workloadOf(tc)->sysRtSigaction(tc, sig, act, oact, sigsetsize);
}

SyscallReturn
rtSigprocmaskImpl(SyscallDesc *, ThreadContext *tc, int64_t how,
                  uint64_t set, uint64_t oset, uint64_t sigsetsize)
{
    return workloadOf(tc)->sysRtSigprocmask(tc, how, set, oset,
                                            sigsetsize);
}

SyscallReturn
brkImpl(SyscallDesc *desc, ThreadContext *tc, VPtr<> new_brk)
{
    Process *p = tc->getProcessPtr();
    const Addr old_brk = p->memState->getBrkPoint();
    SyscallReturn r = brkFunc(desc, tc, new_brk);
    const Addr now_brk = p->memState->getBrkPoint();
    const Addr s = roundUp(old_brk, (Addr)X86ISA::PageBytes);
    const Addr e = roundUp(now_brk, (Addr)X86ISA::PageBytes);
    if (e > s)
        numaOf(tc)->noteRegion(p, s, e - s, "brk");
    return r;
}

SyscallReturn
munmapImpl(SyscallDesc *desc, ThreadContext *tc, VPtr<> start,
           X86Linux64::size_t length)
{
    // Linux: EINVAL for a zero length (gem5's unmapRegion would loop).
    if (length == 0)
        return -EINVAL;
    DeepMemNuma *numa = numaOf(tc);
    Process *p = tc->getProcessPtr();
    const std::vector<Addr> frames = numa->framesIn(p, start, length);
    SyscallReturn r = munmapFunc<X86Linux64>(desc, tc, start, length);
    if (!r.needsRetry() && r.successful())
        numa->noteUnmap(p, start, length, frames);
    return r;
}

SyscallDescTable<X86ISA::EmuLinux::SyscallABI64> deepmemDescs = {
    {   9, "mmap", mmapImpl },
    {  11, "munmap", munmapImpl },
    {  12, "brk", brkImpl },
    {  13, "rt_sigaction", rtSigactionImpl },
    {  14, "rt_sigprocmask", rtSigprocmaskImpl },
    {  25, "mremap", mremapImpl },
    {  56, "clone", cloneImpl },
    {  62, "kill", killImpl },
    { 200, "tkill", tkillImpl },
    { 231, "exit_group", exitGroupImpl },
    { 234, "tgkill", tgkillImpl },
    { 237, "mbind", mbindImpl },
    { 238, "set_mempolicy", setMempolicyImpl },
    { 239, "get_mempolicy", getMempolicyImpl },
    { 256, "migrate_pages", migratePagesImpl },
    { 279, "move_pages", movePagesImpl },
    { 309, "getcpu", getcpuImpl },
    { 435, "clone3", clone3Impl },
    { 450, "set_mempolicy_home_node", setMempolicyHomeNodeImpl },
};

} // anonymous namespace

DeepMemX86Linux::DeepMemX86Linux(const Params &p)
    : X86ISA::EmuLinux(p), _numa(p.numa)
{
    fatal_if(!_numa, "DeepMemX86Linux: no numa object");
    registerSeFatalFaultHandler(this);
}

DeepMemX86Linux::~DeepMemX86Linux()
{
    if (seFatalFaultSlot() == this)
        registerSeFatalFaultHandler(nullptr);
}

void
DeepMemX86Linux::syscall(ThreadContext *tc)
{
    Process *process = tc->getProcessPtr();
    if (dynamic_cast<X86ISA::X86_64Process *>(process)) {
        const RegVal rax = tc->getReg(X86ISA::int_reg::Rax);
        if (SyscallDesc *desc = deepmemDescs.get(rax, false)) {
            // Count the call as X86EmuLinux does.
            process->Process::syscall(tc);
            desc->doSyscall(tc);
            return;
        }
    }
    X86ISA::EmuLinux::syscall(tc);
}

// ------------------------------------------------------------- signals

namespace
{

constexpr int MaxSig = 64;
constexpr int SigKill = 9;
constexpr int SigStop = 19;
constexpr uint64_t SigDfl = 0;
constexpr uint64_t SigIgn = 1;
constexpr uint64_t Unblockable =
    (1ULL << (SigKill - 1)) | (1ULL << (SigStop - 1));

uint64_t
sigBit(int sig)
{
    return 1ULL << (sig - 1);
}

/** Linux's default action of a signal. */
enum class DefaultAction { Terminate, Ignore, Stop };

DefaultAction
defaultAction(int sig)
{
    switch (sig) {
      case 17: // SIGCHLD
      case 18: // SIGCONT
      case 23: // SIGURG
      case 28: // SIGWINCH
        return DefaultAction::Ignore;
      case 19: // SIGSTOP
      case 20: // SIGTSTP
      case 21: // SIGTTIN
      case 22: // SIGTTOU
        return DefaultAction::Stop;
      default:
        return DefaultAction::Terminate;
    }
}

std::string
sigName(int sig)
{
    // x86-64 Linux numbering (the target's, whatever the host).
    static const char *const names[] = {
        nullptr, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
        "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT",
        "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
        "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
    if (sig > 0 && sig < 32)
        return std::string("SIG") + names[sig];
    return "signal " + std::to_string(sig);
}

} // anonymous namespace

DeepMemX86Linux::SigState &
DeepMemX86Linux::sigState(ThreadContext *tc)
{
    return sigStates[tc->getProcessPtr()->tgid()];
}

void
DeepMemX86Linux::die(ThreadContext *tc, int sig, const std::string &why)
{
    _fatalSignal = sig;
    warn("DeepMem: the program is killed by %s (%s); exit status %d",
         sigName(sig), why, 128 + sig);
    endThreadGroup(nullptr, tc, 128 + sig);
}

bool
DeepMemX86Linux::fatalFault(ThreadContext *tc, int signo,
                            const std::string &what)
{
    Process *p = tc->getProcessPtr();
    if (!p || signo < 1 || signo > MaxSig)
        return false;
    // A handler for it cannot run in gem5 SE mode; Linux would run it,
    // and, were it to return, fault again. Either way the program does
    // not go on here.
    const SigState &st = sigState(tc);
    if (st.act[signo].handler != SigDfl) {
        warn("DeepMem: the program has a handler for %s; gem5 cannot run "
             "it", sigName(signo));
    }
    die(tc, signo, what);
    return true;
}

void
DeepMemX86Linux::deliver(ThreadContext *tc, SigState &st, int sig)
{
    const uint64_t handler = st.act[sig].handler;
    if (sig != SigKill && sig != SigStop) {
        if (handler == SigIgn)
            return;
        if (handler != SigDfl) {
            // gem5 SE mode has no signal frames: the handler does not
            // run and the program goes on (as after a handler returns).
            warn("DeepMem: %s has a handler, which gem5 cannot run; the "
                 "signal is dropped", sigName(sig));
            return;
        }
    }
    switch (defaultAction(sig)) {
      case DefaultAction::Ignore:
        return;
      case DefaultAction::Stop:
        warn("DeepMem: %s would stop the program; not modelled, the "
             "program goes on", sigName(sig));
        return;
      case DefaultAction::Terminate:
        die(tc, sig, "sent by the program itself");
        return;
    }
}

void
DeepMemX86Linux::sendSelf(ThreadContext *tc, int sig)
{
    if (sig == 0)
        return;
    SigState &st = sigState(tc);
    if ((st.blocked & sigBit(sig)) && !(Unblockable & sigBit(sig))) {
        // Linux keeps a blocked signal pending, even an ignored one.
        st.pending |= sigBit(sig);
        return;
    }
    deliver(tc, st, sig);
}

void
DeepMemX86Linux::deliverPending(ThreadContext *tc)
{
    SigState &st = sigState(tc);
    for (int sig = 1; sig <= MaxSig; ++sig) {
        const uint64_t bit = sigBit(sig);
        if (!(st.pending & bit) || (st.blocked & bit))
            continue;
        st.pending &= ~bit;
        deliver(tc, st, sig);
        if (_fatalSignal)
            return;
    }
}

int64_t
DeepMemX86Linux::sysKill(ThreadContext *tc, int64_t pid, int64_t sig)
{
    if (sig < 0 || sig > MaxSig)
        return -EINVAL;
    Process *p = tc->getProcessPtr();
    const int32_t target = (int32_t)pid;
    // pid 0 (our process group), -1 (every process we may signal) and
    // -pgid all include the caller; SE mode runs one program.
    if (target == (int32_t)p->tgid() || target == 0 || target == -1 ||
            target == -(int32_t)p->pgid()) {
        sendSelf(tc, sig);
        return 0;
    }
    for (auto *other : tc->getSystemPtr()->threads) {
        Process *q = other->getProcessPtr();
        if (q && (int32_t)q->tgid() == target) {
            warn("DeepMem: kill of another process (%d) is not modelled",
                 target);
            return -EPERM;
        }
    }
    return -ESRCH;
}

int64_t
DeepMemX86Linux::sysTgkill(ThreadContext *tc, int64_t tgid, int64_t tid,
                           int64_t sig)
{
    // tgid -1: tkill.
    if (sig < 0 || sig > MaxSig || (int32_t)tid <= 0 ||
            (tgid != -1 && (int32_t)tgid <= 0))
        return -EINVAL;
    Process *target = nullptr;
    for (auto *other : tc->getSystemPtr()->threads) {
        Process *q = other->getProcessPtr();
        if (q && (int32_t)q->pid() == (int32_t)tid) {
            target = q;
            break;
        }
    }
    if (!target || (tgid != -1 && (int32_t)target->tgid() != (int32_t)tgid))
        return -ESRCH;
    if (target->tgid() != tc->getProcessPtr()->tgid()) {
        warn("DeepMem: a signal to another process (%d) is not modelled",
             (int)target->tgid());
        return -EPERM;
    }
    sendSelf(tc, sig);
    return 0;
}

int64_t
DeepMemX86Linux::sysRtSigaction(ThreadContext *tc, int64_t sig, Addr act,
                                Addr oact, uint64_t sigsetsize)
{
    if (sigsetsize != 8 || sig < 1 || sig > MaxSig)
        return -EINVAL;
    if (act && (sig == SigKill || sig == SigStop))
        return -EINVAL;
    SETranslatingPortProxy proxy(tc);
    KSigAction fresh;
    if (act && !proxy.tryReadBlob(act, &fresh, sizeof(fresh)))
        return -EFAULT;
    SigState &st = sigState(tc);
    const KSigAction old = st.act[sig];
    if (act) {
        st.act[sig] = fresh;
        // A signal that is now ignored is discarded, pending or not.
        if (fresh.handler == SigIgn || (fresh.handler == SigDfl &&
                defaultAction(sig) == DefaultAction::Ignore)) {
            st.pending &= ~sigBit(sig);
        }
    }
    if (oact && !proxy.tryWriteBlob(oact, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

int64_t
DeepMemX86Linux::sysRtSigprocmask(ThreadContext *tc, int64_t how, Addr set,
                                  Addr oset, uint64_t sigsetsize)
{
    if (sigsetsize != 8)
        return -EINVAL;
    SETranslatingPortProxy proxy(tc);
    SigState &st = sigState(tc);
    const uint64_t old = st.blocked;
    if (set) {
        uint64_t mask = 0;
        if (!proxy.tryReadBlob(set, &mask, sizeof(mask)))
            return -EFAULT;
        switch ((int)how) {
          case 0: // SIG_BLOCK
            st.blocked |= mask;
            break;
          case 1: // SIG_UNBLOCK
            st.blocked &= ~mask;
            break;
          case 2: // SIG_SETMASK
            st.blocked = mask;
            break;
          default:
            return -EINVAL;
        }
        st.blocked &= ~Unblockable;
    }
    if (oset && !proxy.tryWriteBlob(oset, &old, sizeof(old)))
        return -EFAULT;
    deliverPending(tc);
    return 0;
}

} // namespace gem5
