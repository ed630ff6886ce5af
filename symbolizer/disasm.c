/*
 * disasm.c: capstone set up for an ELF machine and the host instruction
 * counts of translations (see disasm.h).
 */
#include <stdlib.h>
#include <string.h>

#include "disasm.h"

bool view_disasm_open(uint32_t machine, csh *cs)
{
    cs_arch arch;
    int mode;

    switch (machine) {
    case 62:  arch = CS_ARCH_X86;   mode = CS_MODE_64; break;   /* EM_X86_64 */
    case 3:   arch = CS_ARCH_X86;   mode = CS_MODE_32; break;   /* EM_386 */
    case 183: arch = CS_ARCH_ARM64; mode = CS_MODE_ARM; break;  /* EM_AARCH64 */
    default:  return false;
    }
    /*
     * TBS_FLAG_GUEST_BIG_ENDIAN is deliberately ignored: x86 has no
     * big-endian mode, and AArch64 instructions are little-endian even on a
     * big-endian (aarch64_be) guest, so the bytes QEMU recorded are too.
     * An architecture added here with big-endian code must consult the flag.
     */
    if (cs_open(arch, mode, cs) != CS_ERR_OK)
        return false;
    /* AT&T, like the host code objdump shows in perf annotate. */
    if (arch == CS_ARCH_X86)
        cs_option(*cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    return true;
}

void view_disasm_guest_mode(csh cs, const struct tbs_header *h, uint32_t tb_flags)
{
    /* target/i386/cpu.h's HF_CS32_SHIFT and HF_CS64_SHIFT */
    const uint32_t hf_cs32 = 1u << 4, hf_cs64 = 1u << 15;

    if (!(h->flags & TBS_FLAG_SYSTEM) || (h->guest_machine != 62 && h->guest_machine != 3))
        return;
    cs_option(cs, CS_OPT_MODE, tb_flags & hf_cs64 ? CS_MODE_64 :
                               tb_flags & hf_cs32 ? CS_MODE_32 : CS_MODE_16);
}

void view_host_insns_open(struct view_host_insns *h, const struct tbdb *db)
{
    memset(h, 0, sizeof(*h));
    h->db = db;
    h->have_cs = view_disasm_open(db->header.host_machine, &h->cs);
    if (h->have_cs && !(h->insn = cs_malloc(h->cs))) {
        cs_close(&h->cs);
        h->have_cs = false;
    }
}

void view_host_insns_close(struct view_host_insns *h)
{
    if (!h)
        return;
    free(h->cache);
    h->cache = NULL;
    if (!h->have_cs)
        return;
    cs_free(h->insn, 1);
    cs_close(&h->cs);
    h->have_cs = false;
}

int64_t view_host_insns_count(struct view_host_insns *h, const struct tbdb_tb *tb)
{
    const uint8_t *code;
    uint64_t addr;
    size_t size;
    int64_t n = 0;

    size_t idx;

    if (!h || !h->have_cs || !tb || !tb->have_load || !tb->icount)
        return -1;
    /*
     * Cached per translation (tb is an element of db->tb_records): a sort
     * and the print count once.
     */
    idx = (size_t)(tb - h->db->tb_records);
    if (!h->cache && h->db->nr_tb_records)
        h->cache = calloc(h->db->nr_tb_records, sizeof(*h->cache)); /* NULL: no cache, still right */
    if (h->cache && idx < h->db->nr_tb_records && h->cache[idx])
        return h->cache[idx] - 1;
    /* The side file's offsets are not trusted: clamp to the code loaded. */
    size = tb->host_end[tb->icount - 1] < tb->code_size ? tb->host_end[tb->icount - 1]
                                                        : tb->code_size;
    code = tb->code;
    addr = tb->code_addr;
    while (size && cs_disasm_iter(h->cs, &code, &size, &addr, h->insn))
        n++;
    if (h->cache && idx < h->db->nr_tb_records)
        h->cache[idx] = n + 1;
    return n;
}


void view_host_insns_cells(struct table *t, struct view_host_insns *h, const struct tbdb_key *k)
{
    int64_t n = k ? view_host_insns_count(h, k->latest) : -1;

    if (n < 0) {
        table_none(t);
        table_none(t);
        return;
    }
    table_u64(t, (uint64_t)n);
    table_ratio(t, (uint64_t)n, k->latest->icount);
}
