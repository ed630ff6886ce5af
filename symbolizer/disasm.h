/*
 * disasm.h: capstone set up for the host code of a run, and the count of
 * host instructions of a translation (tbsym report, tb-list, tb, coverset,
 * annotate, listing).
 */
#ifndef TBSYM_DISASM_H
#define TBSYM_DISASM_H

#include <stdbool.h>
#include <stdint.h>

#include <capstone/capstone.h>

#include "table.h"
#include "tbdb.h"

/*
 * view_disasm_open - a capstone handle for code of an ELF machine (EM_X86_64,
 * EM_386, EM_AARCH64), x86 in AT&T syntax as perf annotate shows it.
 * Returns false if capstone does not know the machine here; else close
 * *cs with cs_close().
 */
bool view_disasm_open(uint32_t machine, csh *cs);

/*
 * view_disasm_guest_mode - set @cs, opened for the guest of side-file
 * header @h, to the mode the guest CPU was in for a TB with
 * TranslationBlock @tb_flags.  A system emulator's x86 guest runs 16-,
 * 32- or 64-bit code, which QEMU's TB flags say (its HF_CS64 and HF_CS32
 * bits of hflags); user mode, and every other machine, keep the machine's
 * mode.
 */
void view_disasm_guest_mode(csh cs, const struct tbs_header *h, uint32_t tb_flags);

/*
 * Host instructions of a translation (tbsym report, tb-list, tb: the
 * host_insns column): the instructions capstone decodes, one after the
 * other, in the host code generated for its guest instructions, that is
 * the jitdump CODE_LOAD's code from its start to the last guest
 * instruction's host_end (TB prologue included; the out-of-line slow paths
 * and constants after it not).  Decoding stops at the first bytes capstone
 * does not know.  A key's value is its latest translation's, and hi/gi is
 * that count per guest instruction of the same translation (icount).
 *
 * view_host_insns_open - set h up for the translations of db (its host
 * machine); always succeeds, counting nothing when capstone does not know
 * the machine.  Counts are cached per translation.
 * view_host_insns_close - release it (accepts NULL).
 * view_host_insns_count - the count of tb, or -1 when there is none: no
 * jitdump code (side file alone, perf inject output), no instructions, or
 * no capstone for the host.  Costs one linear disassembly of the bytes.
 * view_host_insns_cells - the two cells host_insns, hi/gi of key (NULL, or
 * no count: two empty cells).
 */
struct view_host_insns {
    const struct tbdb *db;
    csh cs;
    bool have_cs;
    cs_insn *insn;             /* cs_disasm_iter()'s buffer */
    int64_t *cache;            /* [db->nr_tb_records] count + 1 per translation, 0: not yet */
};
void view_host_insns_open(struct view_host_insns *h, const struct tbdb *db);
void view_host_insns_close(struct view_host_insns *h);
int64_t view_host_insns_count(struct view_host_insns *h, const struct tbdb_tb *tb);
void view_host_insns_cells(struct table *t, struct view_host_insns *h, const struct tbdb_key *k);

#endif /* TBSYM_DISASM_H */
