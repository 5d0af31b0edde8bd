/*
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
#include "sim/mem_state.hh"
#include "sim/process.hh"
#include "sim/syscall_desc.hh"
#include "sim/syscall_emul.hh"
#include "sim/system.hh"

namespace gem5
{

namespace
{

DeepMemNuma *
numaOf(ThreadContext *tc)
{
    auto *wl = dynamic_cast<DeepMemX86Linux *>(
        tc->getSystemPtr()->workload);
    panic_if(!wl, "DeepMem syscall without a DeepMemX86Linux workload");
    return wl->numa();
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
    SyscallReturn r = mmapFunc<X86Linux64>(desc, tc, start, length, prot,
                                           tgt_flags, tgt_fd, offset);
    if (!r.needsRetry() && r.successful()) {
        numaOf(tc)->noteRegion(tc->getProcessPtr(), r.returnValue(),
                               roundUp(length, (uint64_t)X86ISA::PageBytes),
                               "mmap");
    }
    return r;
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
    { 237, "mbind", mbindImpl },
    { 238, "set_mempolicy", setMempolicyImpl },
    { 239, "get_mempolicy", getMempolicyImpl },
    { 256, "migrate_pages", migratePagesImpl },
    { 279, "move_pages", movePagesImpl },
    { 309, "getcpu", getcpuImpl },
    { 450, "set_mempolicy_home_node", setMempolicyHomeNodeImpl },
};

} // anonymous namespace

DeepMemX86Linux::DeepMemX86Linux(const Params &p)
    : X86ISA::EmuLinux(p), _numa(p.numa)
{
    fatal_if(!_numa, "DeepMemX86Linux: no numa object");
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

} // namespace gem5
