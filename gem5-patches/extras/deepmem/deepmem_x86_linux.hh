/*
 * DeepMem.Gem5: x86-64 Linux SE workload with the memory-policy syscalls.
 */

#ifndef __DEEPMEM_DEEPMEM_X86_LINUX_HH__
#define __DEEPMEM_DEEPMEM_X86_LINUX_HH__

#include "arch/x86/linux/se_workload.hh"
#include "deepmem/deepmem_numa.hh"
#include "params/DeepMemX86Linux.hh"

namespace gem5
{

/**
 * X86EmuLinux plus mbind, set_mempolicy, get_mempolicy, migrate_pages,
 * move_pages and getcpu with Linux semantics (DeepMemNuma does the
 * work), and mmap/brk/munmap that report regions and recycle frames.
 * Every other system call goes to X86EmuLinux unchanged.
 */
class DeepMemX86Linux : public X86ISA::EmuLinux
{
  public:
    PARAMS(DeepMemX86Linux);
    DeepMemX86Linux(const Params &p);

    void syscall(ThreadContext *tc) override;

    DeepMemNuma *numa() const { return _numa; }

  private:
    DeepMemNuma *_numa;
};

} // namespace gem5

#endif // __DEEPMEM_DEEPMEM_X86_LINUX_HH__
