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

#ifndef __DEEPMEM_DEEPMEM_X86_LINUX_HH__
#define __DEEPMEM_DEEPMEM_X86_LINUX_HH__

#include <cstdint>
#include <string>
#include <unordered_map>

#include "arch/x86/linux/se_workload.hh"
#include "deepmem/deepmem_numa.hh"
#include "params/DeepMemX86Linux.hh"
#include "sim/se_fatal_fault.hh"

namespace gem5
{

/**
 * X86EmuLinux plus mbind, set_mempolicy, get_mempolicy, migrate_pages,
 * move_pages and getcpu with Linux semantics (DeepMemNuma does the
 * work), mmap/brk/munmap/mremap that report regions, recycle frames and
 * keep VMA policies, and the signals a program sends itself (kill, tkill,
 * tgkill, rt_sigaction, rt_sigprocmask): a fatal one ends the process
 * with exit status 128 + signal, as does a fault Linux answers with a
 * signal (SeFatalFaultHandler). Every other system call goes to
 * X86EmuLinux unchanged.
 */
class DeepMemX86Linux : public X86ISA::EmuLinux, public SeFatalFaultHandler
{
  public:
    PARAMS(DeepMemX86Linux);
    DeepMemX86Linux(const Params &p);
    ~DeepMemX86Linux();

    void syscall(ThreadContext *tc) override;

    DeepMemNuma *numa() const { return _numa; }

    /** SeFatalFaultHandler: end the process with the signal. */
    bool fatalFault(ThreadContext *tc, int signo,
                    const std::string &what) override;

    // ------------------------------------------- signals (-errno)
    int64_t sysKill(ThreadContext *tc, int64_t pid, int64_t sig);
    int64_t sysTgkill(ThreadContext *tc, int64_t tgid, int64_t tid,
                      int64_t sig);
    int64_t sysRtSigaction(ThreadContext *tc, int64_t sig, Addr act,
                           Addr oact, uint64_t sigsetsize);
    int64_t sysRtSigprocmask(ThreadContext *tc, int64_t how, Addr set,
                             Addr oset, uint64_t sigsetsize);

    /** The signal that ended the program, 0 if none (Python API). */
    int fatalSignal() const { return _fatalSignal; }

  private:
    /** struct sigaction as the x86-64 kernel takes it. */
    struct KSigAction
    {
        uint64_t handler = 0;
        uint64_t flags = 0;
        uint64_t restorer = 0;
        uint64_t mask = 0;
    };

    /** Dispositions, blocked and pending signals of a thread group. */
    struct SigState
    {
        KSigAction act[65];
        uint64_t blocked = 0;
        uint64_t pending = 0;
    };

    DeepMemNuma *_numa;
    std::unordered_map<uint64_t, SigState> sigStates;
    int _fatalSignal = 0;

    SigState &sigState(ThreadContext *tc);
    /** Send a signal to the caller's own thread group. */
    void sendSelf(ThreadContext *tc, int sig);
    /** Act on an unblocked signal: ignore, or end the process. */
    void deliver(ThreadContext *tc, SigState &st, int sig);
    /** Deliver the pending signals that are no longer blocked. */
    void deliverPending(ThreadContext *tc);
    /** End the process as killed by a signal (exit status 128 + sig). */
    void die(ThreadContext *tc, int sig, const std::string &why);
};

} // namespace gem5

#endif // __DEEPMEM_DEEPMEM_X86_LINUX_HH__
