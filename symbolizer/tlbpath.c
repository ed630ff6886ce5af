/*
 * tlbpath.c: TLB fast paths in x86-64 host code (see tlbpath.h).
 */
#include <string.h>

#include "tlbpath.h"

/* Instructions a sequence may have before its cmp (six as TCG emits it). */
#define MAX_PREFIX 8

/* The general-purpose register holding reg (eax, ax, al: rax), or reg. */
static unsigned gpr(unsigned reg)
{
    static const unsigned short rows[][5] = {
        { X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL, X86_REG_AH },
        { X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL, X86_REG_BH },
        { X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL, X86_REG_CH },
        { X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL, X86_REG_DH },
        { X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL },
        { X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL },
        { X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL },
        { X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL },
        { X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B },
        { X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B },
        { X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B },
        { X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B },
        { X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B },
        { X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B },
        { X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B },
        { X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B },
    };

    if (reg == X86_REG_INVALID)
        return reg;
    for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
        for (size_t c = 0; c < 5 && rows[r][c]; c++)
            if (rows[r][c] == reg)
                return rows[r][0];
    return reg;
}

static const cs_x86 *x86(const cs_insn *in)
{
    return &in->detail->x86;
}

/* The instruction's memory operand (the first), or NULL. */
static const cs_x86_op *mem_op(const cs_insn *in)
{
    for (uint8_t i = 0; i < x86(in)->op_count; i++)
        if (x86(in)->operands[i].type == X86_OP_MEM)
            return &x86(in)->operands[i];
    return NULL;
}

/* Its register operand (the first, as a GPR), or X86_REG_INVALID. */
static unsigned reg_op(const cs_insn *in)
{
    for (uint8_t i = 0; i < x86(in)->op_count; i++)
        if (x86(in)->operands[i].type == X86_OP_REG)
            return gpr(x86(in)->operands[i].reg);
    return X86_REG_INVALID;
}

static bool has_imm(const cs_insn *in)
{
    for (uint8_t i = 0; i < x86(in)->op_count; i++)
        if (x86(in)->operands[i].type == X86_OP_IMM)
            return true;
    return false;
}

/*
 * The one general-purpose register the instruction writes besides the
 * flags (as a GPR), or X86_REG_INVALID when it writes none or more.
 */
static unsigned written_gpr(csh cs, const cs_insn *in)
{
    cs_regs rd, wr;
    uint8_t nrd = 0, nwr = 0;
    unsigned found = X86_REG_INVALID;

    if (cs_regs_access(cs, in, rd, &nrd, wr, &nwr) != CS_ERR_OK)
        return X86_REG_INVALID;
    for (uint8_t i = 0; i < nwr; i++) {
        if (wr[i] == X86_REG_EFLAGS)
            continue;
        if (found != X86_REG_INVALID && gpr(wr[i]) != found)
            return X86_REG_INVALID;
        found = gpr(wr[i]);
    }
    return found;
}

/* Whether the instruction accesses memory with reg as base or index (not lea). */
static bool accesses_via(const cs_insn *in, unsigned reg)
{
    const cs_x86_op *m = mem_op(in);

    return m && in->id != X86_INS_LEA && in->id != X86_INS_NOP &&
           (gpr(m->mem.base) == reg || gpr(m->mem.index) == reg);
}

/*
 * The sequence whose cmp is insns[c] and jne insns[c + 1], if it is one:
 * fills *p and returns the index after its last instruction, else 0.
 */
static size_t match_at(csh cs, const cs_insn *insns, size_t n, size_t c, uint64_t code_addr,
                       uint64_t ool, uint64_t size, struct tlbpath *p)
{
    const cs_insn *cmp = &insns[c], *jne = &insns[c + 1];
    const cs_x86_op *m = mem_op(cmp);
    unsigned t, cr, via, env = X86_REG_INVALID;
    bool t_copied = false, c_set = false, and_env = false, add_env = false;
    size_t first = c, k, a;
    uint64_t target;

    if (cmp->id != X86_INS_CMP || jne->id != X86_INS_JNE || !m || m->mem.index != X86_REG_INVALID ||
        m->mem.base == X86_REG_INVALID || x86(jne)->op_count != 1 ||
        x86(jne)->operands[0].type != X86_OP_IMM)
        return 0;
    target = (uint64_t)x86(jne)->operands[0].imm;
    if (target < code_addr + ool || target >= code_addr + size)
        return 0;
    t = via = gpr(m->mem.base);
    cr = reg_op(cmp);
    if (cr == X86_REG_INVALID || cr == t)
        return 0;
    /* Back from the cmp: only T and C written, up to their first definitions. */
    for (k = c; k-- > 0 && c - k <= MAX_PREFIX && !(t_copied && c_set);) {
        const cs_insn *in = &insns[k];
        const cs_x86_op *km = mem_op(in);
        unsigned w = written_gpr(cs, in), src = reg_op(in);

        if (w != t && w != cr)
            break;
        first = k;
        if (km && in->id != X86_INS_LEA) {
            /* and/add of the TLB descriptor: negative offsets from env. */
            if (w != t || km->mem.disp >= 0 || km->mem.index != X86_REG_INVALID ||
                (env != X86_REG_INVALID && gpr(km->mem.base) != env))
                return 0;
            env = gpr(km->mem.base);
            and_env |= in->id == X86_INS_AND;
            add_env |= in->id == X86_INS_ADD;
            continue;
        }
        if (w == t && in->id == X86_INS_MOV && !has_imm(in) && x86(in)->op_count == 2)
            t_copied = src != X86_REG_INVALID;
        if (w == cr && (in->id == X86_INS_MOV || in->id == X86_INS_LEA))
            c_set = true;
    }
    if (!and_env || !add_env || env == t || env == cr)
        return 0;
    /* After the jne: the addend into T, then the access through T. */
    a = c + 2;
    if (a >= n || insns[a].id != X86_INS_MOV || !(m = mem_op(&insns[a])) ||
        gpr(m->mem.base) != t || written_gpr(cs, &insns[a]) != t)
        return 0;
    a++;
    /* A 128-bit access may add the addend into another register first. */
    if (a < n && insns[a].id == X86_INS_LEA && (m = mem_op(&insns[a])) &&
        (gpr(m->mem.base) == t || gpr(m->mem.index) == t) &&
        (via = written_gpr(cs, &insns[a])) != X86_REG_INVALID)
        a++;
    if (a >= n || !accesses_via(&insns[a], via))
        return 0;
    *p = (struct tlbpath){
        .start = insns[first].address - code_addr,
        .access = insns[a].address - code_addr,
    };
    for (size_t end = a + 2; a < n && a < end && accesses_via(&insns[a], via); a++) {
        const cs_x86_op *am = mem_op(&insns[a]);

        p->load |= (am->access & CS_AC_READ) != 0;
        p->store |= (am->access & CS_AC_WRITE) != 0;
    }
    p->end = insns[a - 1].address + insns[a - 1].size - code_addr;
    p->nr_insns = (unsigned)(a - first);
    return a;
}

size_t tlbpath_find(csh cs, const uint8_t *code, uint64_t code_addr, uint64_t start,
                    uint64_t end, uint64_t ool, uint64_t size, struct tlbpath *out, size_t max)
{
    cs_insn *insns = NULL;
    size_t n, found = 0;

    if (start >= end || end > size)
        return 0;
    n = cs_disasm(cs, code + start, end - start, code_addr + start, 0, &insns);
    for (size_t i = 1; i + 1 < n && found < max; i++) {
        size_t next = match_at(cs, insns, n, i, code_addr, ool, size, &out[found]);

        if (next) {
            found++;
            i = next - 1;
        }
    }
    if (insns)
        cs_free(insns, n);
    return found;
}
