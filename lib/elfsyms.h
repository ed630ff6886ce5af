/*
 * elfsyms.h: the symbol index of one guest ELF module: its symbols read
 * once, sorted, then looked up by binary search.  perf builds one such
 * index per DSO (symbols__insert(), symbols__find()); libdwfl's
 * dwfl_module_addrinfo() instead scans the whole symbol table on every
 * call, which was 90 % of a function view of a Python run.
 *
 * The symbols are the ones libdwfl reads for the module: the main file's
 * .symtab; else the .symtab of its separate debug file (found by build-id
 * under /usr/lib/debug/.build-id/xx/rest.debug, by .gnu_debuglink, or in
 * the caller's debug directory, as the module's Dwfl callbacks say); else
 * its .dynsym (with the .gnu_debugdata table when there is one).  Read
 * once, in elfsyms_new(), in O(n log n); memory is about 40 bytes a symbol.
 *
 * Two lookups, two rules:
 *
 * elfsyms_func_at(), perf's and QEMU's function names:
 *   - defined (section index neither SHN_UNDEF nor reserved) STT_FUNC and
 *     STT_GNU_IFUNC symbols of non-zero size with a name; on ARM, AArch64
 *     and MIPS bit 0 of the address is cleared (Thumb, MIPS16); a symbol
 *     version in the name is dropped ("memcpy@@GLIBC_2.14", as a debug
 *     file's .symtab spells it, is "memcpy");
 *   - aliases (same address and size) resolve to one name as perf's
 *     choose_best_symbol(): not weak, then global, then fewer leading
 *     underscores, then the longer name (then strcmp);
 *   - the symbol whose [addr, addr + size) holds the address: at equal
 *     start the larger symbol, else the innermost of up to 16 preceding
 *     nested ones (QEMU's guest_sym_find());
 *   - plus the PLT slots, named as perf's dso__synthesize_plt_symbols()
 *     names them, from the main file (a debug file has no PLT contents):
 *       x86_64 and i386: the entry size is .plt's sh_entsize when it is 8
 *         or 16, else 8 if sh_addralign is 8, else 16; the header is one
 *         entry.  With .plt.sec (IBT, -z ibtplt or -fcf-protection): the
 *         slots are .plt.sec's entries from its start (its own entry size
 *         by the same rule), and all of .plt is one symbol ".plt".
 *         Without: ".plt" is the header and the slots follow it, unless
 *         .plt holds exactly one entry per relocation (no header, no
 *         ".plt").  The relocations are taken in r_offset (GOT slot)
 *         order.  .plt.got entries (x86_64, sh_entsize each) are named by
 *         decoding their "jmp *disp(%rip)" (after an endbr64 and a bnd
 *         prefix, if any) and finding the .rela.dyn relocation of that GOT
 *         slot.
 *       AArch64: header 32 bytes, entries 16 bytes, relocations in table
 *         order (same no-header rule).
 *       Slot i is named "SYM@plt" after the symbol of the i-th relocation
 *       of .rela.plt (else .rel.plt), in the symbol table its sh_link
 *       names; an x86_64 R_X86_64_IRELATIVE relocation (no symbol) after
 *       the STT_GNU_IFUNC symbol at its addend.  A slot without a name, or
 *       past the end of its section, gets no symbol.
 *
 * elfsyms_any_at(), libdwfl's dwfl_module_addrinfo() rule, for a richer
 * name where the first rule has none (a stripped file's local function
 * named only by a debug file, an assembly label without a size):
 *   - every symbol with a name, defined, not STT_SECTION, STT_FILE or
 *     STT_TLS, of any size;
 *   - of the symbols of non-zero size holding the address: a global or
 *     weak one before a local one, then the closest start, then global
 *     before weak, then the smaller size, then the first in the table;
 *   - else the closest symbol of size 0 at or below the address, in the
 *     same section as the address (or at that section's end), if no symbol
 *     at or below the address ends above it.
 * (Checked against dwfl_module_addrinfo() at 20,000 addresses of libc with
 * its debug file, of python3 and of a test binary: the same answers.)
 *
 * Thread safety: an elfsyms is read-only after elfsyms_new(); lookups may
 * run concurrently.  Names point into the module's ELF data (valid while
 * its Dwfl lives) or into the elfsyms (PLT names).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ELFSYMS_H
#define ELFSYMS_H

#include <elfutils/libdwfl.h>
#include <stddef.h>
#include <stdint.h>

struct elfsyms;

/*
 * One symbol; addr is an ELF virtual address of the main file (a debug
 * file's symbols are moved to the main file's addresses, as libdwfl does),
 * whatever bias the module was reported at.
 */
struct elfsym {
    uint64_t addr;
    uint64_t size;
    const char *name;
    unsigned char bind;     /* STB_* */
    unsigned char type;     /* STT_*; STT_FUNC for a PLT slot */
};

/*
 * elfsyms_new - read and index the symbols of mod (see above).  A module
 * without symbols gives an empty index.  Returns 0 and sets *esp, or
 * -ENOMEM.  Free with elfsyms_free() before the module's Dwfl ends.
 */
int elfsyms_new(Dwfl_Module *mod, struct elfsyms **esp);

/*
 * elfsyms_new_funcs - an index of the function symbols funcs[nr] given by
 * the caller instead of read from a module (symlist.h builds one from a
 * symbol list): sorted, aliases resolved and size-0 entries dropped as
 * above, looked up by elfsyms_func_at(); elfsyms_any_at() finds nothing.
 * Takes funcs (malloc'ed; may be NULL when nr is 0) and names (malloc'ed,
 * the block every funcs[i].name points into; may be NULL) on success and
 * on failure alike.  Returns 0 and sets *esp, or -ENOMEM.
 */
int elfsyms_new_funcs(struct elfsym *funcs, size_t nr, char *names, struct elfsyms **esp);

/* elfsyms_free - free the index.  Accepts NULL. */
void elfsyms_free(struct elfsyms *es);

/* elfsyms_func_at - the function symbol holding ELF address addr (first rule), or NULL. */
const struct elfsym *elfsyms_func_at(const struct elfsyms *es, uint64_t addr);

/* elfsyms_any_at - libdwfl's symbol for addr (second rule), or NULL. */
const struct elfsym *elfsyms_any_at(const struct elfsyms *es, uint64_t addr);

/*
 * elfsyms_funcs - the function table, sorted by address (at equal address
 * the larger first), one entry per (address, size); *nr its length.  For
 * tests and listings.
 */
const struct elfsym *elfsyms_funcs(const struct elfsyms *es, size_t *nr);

#endif /* ELFSYMS_H */
