/*
 * softmmu-host.c: a stand-in for QEMU in the system-mode recording of the
 * golden tests (make-profile-fixtures.c): only its function symbols and
 * their addresses matter, it never runs.  Each function calls the next so
 * that none is empty; the names are QEMU's, of the software MMU
 * (helper_stb_mmu, mmu_lookup, tlb_fill_align) and not
 * (tb_invalidate_phys_range_fast, helper_lookup_tb_ptr, cpu_exec).
 */
volatile int sink;

__attribute__((noinline)) int tb_invalidate_phys_range_fast(int x) { sink = x; return x + 1; }
__attribute__((noinline)) int tlb_fill_align(int x) { sink = x; return x + 2; }
__attribute__((noinline)) int mmu_lookup(int x) { return tb_invalidate_phys_range_fast(x) + tlb_fill_align(x); }
__attribute__((noinline)) int helper_stb_mmu(int x) { return mmu_lookup(x) + 3; }
__attribute__((noinline)) int helper_lookup_tb_ptr(int x) { sink = x; return x + 4; }
__attribute__((noinline)) int cpu_exec(int x) { return helper_stb_mmu(x) + helper_lookup_tb_ptr(x); }
void _start(void) { sink = cpu_exec(sink); for (;;) ; }
