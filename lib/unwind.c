/*
 * unwind.c: perf user stacks unwound with libunwind's remote API (see unwind.h).
 *
 * libunwind asks for everything through the accessors below: registers from
 * the sample, memory from the stack copy, else from the ELF file or JIT
 * blob ("image") that holds the address, and unwinding tables through
 * find_proc_info, which hands it the .eh_frame_hdr search table of the
 * image as an UNW_INFO_FORMAT_REMOTE_TABLE, as perf does.  libunwind then
 * reads that table and the FDEs it points to through access_mem.
 *
 * The images met during one uw_unwind() call are kept in a small array:
 * the .eh_frame_hdr of an ELF file usually lies in a read-only segment
 * that perf has no mmap record for (only executable mappings are recorded),
 * so it must be found through the image whose code was looked up, not
 * through the caller's find_module().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "unwind.h"

#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libunwind.h>

#include "array.h"
#include "bytes.h"
#include "elffile.h"
#include "sorted.h"

/* Not in libunwind's public header; perf declares it the same way. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
                                              unw_dyn_info_t *di, unw_proc_info_t *pi,
                                              int need_unwind_info, void *arg);
#define dwarf_search_unwind_table UNW_OBJ(dwarf_search_unwind_table)

#define MAX_IMAGES 32
#define WORD 8

/* DW_EH_PE_* */
#define EH_PE_OMIT       0xff
#define EH_PE_DATAREL_S4 0x3b

/* A PT_LOAD segment: [vaddr, vaddr + filesz) is at data[offset]. */
struct uw_load {
    uint64_t vaddr, offset, filesz;
    bool exec;
};

/* An ELF file, opened once per path; ok is false if it could not be read. */
struct uw_elf {
    struct uw_elf *next;
    bool ok;
    Elf *elf;
    const uint8_t *data;
    size_t size;
    struct uw_load *loads;
    size_t n_loads;
    bool has_table;
    uint64_t hdr_vaddr, table_vaddr, fde_count;
    /* .debug_frame fallback, looked for on first need (see dframe_get()) */
    bool dframe_tried;
    Elf *debug_elf;             /* separate debug file, if it was used */
    const uint8_t *dframe;      /* .debug_frame as in the file */
    size_t dframe_size;
    struct uw_dframe *conv;     /* converted for one load bias */
    unsigned serial;            /* places conv in the address space */
    char path[];                /* allocated with the file */
};

/*
 * .debug_frame converted to .eh_frame form for libunwind's remote search:
 * CIE ids 0, FDE CIE pointers relative, pc_begin relocated by bias (the
 * augmentation "" CIEs make it an absolute 8-byte address), followed by a
 * search table of (link-time pc_begin, FDE offset) pairs for an
 * UNW_INFO_FORMAT_IP_OFFSET lookup relative to bias.  libunwind reads it
 * through access_mem() at base, an address no user mapping can have.
 */
struct uw_dframe {
    uint64_t bias, base;
    uint8_t *buf;
    size_t blob_size;           /* the converted section, 8-aligned */
    size_t size;                /* blob and table */
    uint64_t count;             /* table entries */
};

static void dframe_free(struct uw_dframe *df);

#define DFRAME_BASE   0x4000000000000000ull     /* non-canonical on x86-64 */
#define DFRAME_STRIDE (1ull << 36)

/* A module met during the current unwind, with its run-time addresses. */
struct uw_image {
    struct uw_module m;         /* as find_module described it */
    bool has_table;
    uint64_t hdr_addr, table_addr, fde_count;
    /* UW_MODULE_ELF */
    struct uw_elf *elf;
    uint64_t bias;              /* run-time address - ELF vaddr */
};

/* The sample being unwound, for the time of the uw_unwind() call. */
struct uw_sample {
    const uint64_t *regs;       /* PERF_SAMPLE_REGS_USER, as sample_reg() reads them */
    uint64_t regs_mask;
    const uint8_t *stack;       /* PERF_SAMPLE_STACK_USER: the stack from sp up */
    size_t stack_size;
    uint64_t sp;
};

struct uw {
    struct uw_callbacks cb;
    void *arg;
    unw_addr_space_t as;
    struct uw_elf *elfs;
    unsigned n_elfs;
    struct uw_sample s;
    struct uw_image images[MAX_IMAGES];
    unsigned n_images, next_victim;
};

/* ------------------------------------------------------------------------ */
/* .eh_frame_hdr                                                             */

/* Size of a DW_EH_PE-encoded value, 0 for an encoding we do not read. */
static size_t eh_pe_size(uint8_t enc)
{
    switch (enc & 0x0f) {
    case 0x00: return 8;        /* absptr (64-bit) */
    case 0x02: case 0x0a: return 2;
    case 0x03: case 0x0b: return 4;
    case 0x04: case 0x0c: return 8;
    default: return 0;
    }
}

/*
 * Find the binary search table of an .eh_frame_hdr: *table_off from the
 * header's start and *count entries of 8 bytes, all inside the n bytes.
 * Returns false if there is no usable table.
 */
static bool eh_hdr_parse(const uint8_t *p, size_t n, uint64_t *table_off, uint64_t *count)
{
    size_t ptr_size, count_size, off;
    uint64_t c;

    if (n < 4 || p[0] != 1 || p[2] == EH_PE_OMIT || p[3] != EH_PE_DATAREL_S4)
        return false;
    ptr_size = p[1] == EH_PE_OMIT ? 0 : eh_pe_size(p[1]);
    count_size = eh_pe_size(p[2]);
    if ((p[1] != EH_PE_OMIT && !ptr_size) || !count_size)
        return false;
    off = 4 + ptr_size;
    if (off > n || n - off < count_size)    /* off > n: n - off would wrap */
        return false;
    switch (count_size) {
    case 2: c = bytes_load16(false, p + off); break;
    case 4: c = bytes_load32(false, p + off); break;
    default: c = bytes_load64(false, p + off); break;
    }
    /* A signed count is read as unsigned: a negative one fails the size check. */
    off += count_size;
    if (c == 0 || c > (n - off) / 8)
        return false;
    *table_off = off;
    *count = c;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Checking JIT unwinding data                                               */

/*
 * libunwind trusts the CFI it is given: a register number past its tables
 * in a DW_CFA_register, for one, crashes it (found by fuzz_unwind).  ELF
 * files on this machine are trusted as perf trusts them, but a JIT blob
 * comes from the jitdump, which is input.  So a blob reaches libunwind only
 * if every CIE and FDE in it parses, uses only the plain CFA instructions
 * with x86-64 registers 0..16 (no DWARF expressions), and every entry of the
 * search table points at one of those FDEs.
 */

#define CFI_MAX_REG 16          /* DWARF x86-64: rax..r15, rip */
#define CFI_MAX_STATES 64       /* DW_CFA_remember_state nesting */
#define CFI_MAX_ENTRIES 4096    /* CIEs + FDEs in one blob */

struct cfi_cursor {
    const uint8_t *p, *end;
};

static bool cfi_u8(struct cfi_cursor *c, uint8_t *v)
{
    if (c->p >= c->end)
        return false;
    *v = *c->p++;
    return true;
}

static bool cfi_skip(struct cfi_cursor *c, size_t n)
{
    if ((size_t)(c->end - c->p) < n)
        return false;
    c->p += n;
    return true;
}

/* A ULEB128 or SLEB128 of at most 10 bytes; only its low 64 bits matter. */
static bool cfi_leb(struct cfi_cursor *c, uint64_t *v)
{
    uint64_t r = 0;
    uint8_t b;

    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (!cfi_u8(c, &b))
            return false;
        if (shift < 64)
            r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

static bool cfi_reg(struct cfi_cursor *c)
{
    uint64_t r;

    return cfi_leb(c, &r) && r <= CFI_MAX_REG;
}

/* A CFA program with FDE pointers of encoding enc (for DW_CFA_set_loc). */
static bool cfi_program_ok(struct cfi_cursor *c, uint8_t enc)
{
    unsigned depth = 0;
    uint64_t v;
    uint8_t op;

    while (cfi_u8(c, &op)) {
        bool ok;

        switch (op >> 6) {
        case 1:                                     /* advance_loc */
            continue;
        case 2:                                     /* offset */
            if ((op & 0x3f) > CFI_MAX_REG || !cfi_leb(c, &v))
                return false;
            continue;
        case 3:                                     /* restore */
            if ((op & 0x3f) > CFI_MAX_REG)
                return false;
            continue;
        }
        switch (op) {
        case 0x00: ok = true; break;                /* nop */
        case 0x01: ok = cfi_skip(c, eh_pe_size(enc)); break;    /* set_loc */
        case 0x02: ok = cfi_skip(c, 1); break;      /* advance_loc1 */
        case 0x03: ok = cfi_skip(c, 2); break;      /* advance_loc2 */
        case 0x04: ok = cfi_skip(c, 4); break;      /* advance_loc4 */
        case 0x05:                                  /* offset_extended */
        case 0x11:                                  /* offset_extended_sf */
        case 0x12:                                  /* def_cfa_sf */
        case 0x0c:                                  /* def_cfa */
        case 0x2f:                                  /* GNU_negative_offset_extended */
            ok = cfi_reg(c) && cfi_leb(c, &v);
            break;
        case 0x06:                                  /* restore_extended */
        case 0x07:                                  /* undefined */
        case 0x08:                                  /* same_value */
        case 0x0d:                                  /* def_cfa_register */
            ok = cfi_reg(c);
            break;
        case 0x09: ok = cfi_reg(c) && cfi_reg(c); break;        /* register */
        case 0x0a: ok = ++depth <= CFI_MAX_STATES; break;       /* remember_state */
        case 0x0b: ok = depth > 0; depth--; break;  /* restore_state */
        case 0x0e:                                  /* def_cfa_offset */
        case 0x13:                                  /* def_cfa_offset_sf */
        case 0x2e:                                  /* GNU_args_size */
            ok = cfi_leb(c, &v);
            break;
        default: ok = false; break;                 /* expressions, val_*, unknown */
        }
        if (!ok)
            return false;
    }
    return true;
}

struct cfi_cie {
    size_t off;
    uint8_t enc;                /* FDE pointer encoding */
    bool has_aug_data;          /* augmentation "z..." */
};

/* The CIE whose body is [c->p, c->end), at offset off; fills *cie. */
static bool cie_ok(struct cfi_cursor *c, size_t off, struct cfi_cie *cie)
{
    uint8_t version, b;
    uint64_t v, aug_len;
    char aug[8];
    size_t n = 0;

    cie->off = off;
    cie->enc = 0;               /* absptr without an 'R' */
    if (!cfi_u8(c, &version) || (version != 1 && version != 3))
        return false;
    do {
        if (!cfi_u8(c, &b) || n == sizeof(aug))
            return false;
        aug[n++] = (char)b;
    } while (b);
    /* "" or "zR": no personality, LSDA or signal frames in JIT code. */
    if (strcmp(aug, "") != 0 && strcmp(aug, "zR") != 0)
        return false;
    if (!cfi_leb(c, &v) || !cfi_leb(c, &v))  /* code and data alignment */
        return false;
    if (version == 1 ? !cfi_u8(c, &b) || b > CFI_MAX_REG : !cfi_reg(c))
        return false;
    cie->has_aug_data = aug[0] == 'z';
    if (cie->has_aug_data) {
        const uint8_t *data;

        if (!cfi_leb(c, &aug_len) || aug_len < 1 || aug_len > (size_t)(c->end - c->p))
            return false;
        data = c->p;
        cie->enc = data[0];
        c->p += aug_len;
        /* pcrel or absolute, 4 or 8 bytes: what libunwind reads plainly. */
        if ((cie->enc & 0x70) > 0x10 || eh_pe_size(cie->enc) < 4)
            return false;
    }
    return cfi_program_ok(c, cie->enc);
}

static bool fde_ok(struct cfi_cursor *c, const struct cfi_cie *cie)
{
    uint64_t aug_len;
    size_t n = eh_pe_size(cie->enc);

    if (!cfi_skip(c, n) || !cfi_skip(c, n))   /* pc_begin, pc_range */
        return false;
    if (cie->has_aug_data && (!cfi_leb(c, &aug_len) || !cfi_skip(c, aug_len)))
        return false;
    return cfi_program_ok(c, cie->enc);
}

/*
 * Check a JIT module's .eh_frame and the count entries of its search table
 * at table_off in the .eh_frame_hdr (see above).
 */
static bool jit_unwind_ok(const struct uw_module *m, uint64_t table_off, uint64_t count)
{
    struct cfi_cie cies[8];
    size_t fdes[CFI_MAX_ENTRIES], n_cies = 0, n_fdes = 0, off = 0;
    uint64_t hdr_vaddr = m->eh_frame_vaddr + m->eh_frame_size;

    while (m->eh_frame_size - off >= 4) {
        uint32_t len = bytes_load32(false, m->eh_frame + off), id;
        struct cfi_cursor c;

        if (len == 0)
            break;                                  /* terminator */
        if (len < 4 || len > m->eh_frame_size - off - 4 || n_cies + n_fdes == CFI_MAX_ENTRIES)
            return false;
        c.p = m->eh_frame + off + 8;
        c.end = m->eh_frame + off + 4 + len;
        id = bytes_load32(false, m->eh_frame + off + 4);
        if (id == 0) {
            if (n_cies == sizeof(cies) / sizeof(cies[0]) || !cie_ok(&c, off, &cies[n_cies]))
                return false;
            n_cies++;
        } else {
            size_t i;

            /* The CIE pointer counts back from the field itself. */
            for (i = 0; i < n_cies && cies[i].off != off + 4 - (uint64_t)id; i++)
                ;
            if (i == n_cies || !fde_ok(&c, &cies[i]))
                return false;
            fdes[n_fdes++] = off;
        }
        off += 4 + (size_t)len;
    }
    for (uint64_t e = 0; e < count; e++) {
        int32_t rel = (int32_t)bytes_load32(false, m->eh_frame_hdr + table_off + 8 * e + 4);
        uint64_t fde_addr = hdr_vaddr + (uint64_t)(int64_t)rel;
        size_t i;

        for (i = 0; i < n_fdes && m->eh_frame_vaddr + fdes[i] != fde_addr; i++)
            ;
        if (i == n_fdes)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* ELF files                                                                 */

/* Copy the bytes of [vaddr, vaddr + len) held in the file into buf. */
static bool elf_read_vaddr(const struct uw_elf *e, uint64_t vaddr, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < e->n_loads; i++) {
        const struct uw_load *l = &e->loads[i];

        if (vaddr >= l->vaddr && vaddr - l->vaddr <= l->filesz &&
            l->filesz - (vaddr - l->vaddr) >= len) {
            memcpy(buf, e->data + l->offset + (vaddr - l->vaddr), len);
            return true;
        }
    }
    return false;
}

static void elf_load(struct uw_elf *e)
{
    GElf_Ehdr eh;
    GElf_Phdr ph;
    size_t n_ph;
    uint64_t hdr_vaddr = 0, hdr_size = 0, table_off, count;
    uint8_t *hdr;

    e->elf = elffile_open(e->path);
    if (!e->elf || !gelf_getehdr(e->elf, &eh) ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_machine != EM_X86_64 || elf_getphdrnum(e->elf, &n_ph) != 0)
        return;
    e->data = (const uint8_t *)elf_rawfile(e->elf, &e->size);
    if (!e->data)
        return;
    e->loads = calloc(n_ph ? n_ph : 1, sizeof(*e->loads));
    if (!e->loads)
        return;
    for (size_t i = 0; i < n_ph; i++) {
        if (!gelf_getphdr(e->elf, (int)i, &ph))
            continue;
        if (ph.p_type == PT_LOAD && ph.p_offset <= e->size &&
            e->size - ph.p_offset >= ph.p_filesz) {
            e->loads[e->n_loads++] = (struct uw_load){
                .vaddr = ph.p_vaddr, .offset = ph.p_offset, .filesz = ph.p_filesz,
                .exec = ph.p_flags & PF_X,
            };
        } else if (ph.p_type == PT_GNU_EH_FRAME) {
            hdr_vaddr = ph.p_vaddr;
            hdr_size = ph.p_filesz;
        }
    }
    e->ok = true;
    if (!hdr_size || hdr_size > e->size)
        return;
    hdr = malloc(hdr_size);
    if (hdr && elf_read_vaddr(e, hdr_vaddr, hdr, hdr_size) &&
        eh_hdr_parse(hdr, hdr_size, &table_off, &count)) {
        e->has_table = true;
        e->hdr_vaddr = hdr_vaddr;
        e->table_vaddr = hdr_vaddr + table_off;
        e->fde_count = count;
    }
    free(hdr);
}

/* The cached file at path, opened on first use; NULL on -ENOMEM. */
static struct uw_elf *elf_get(struct uw *uw, const char *path)
{
    struct uw_elf *e;

    for (e = uw->elfs; e; e = e->next)
        if (strcmp(e->path, path) == 0)
            return e;
    e = calloc(1, sizeof(*e) + strlen(path) + 1);
    if (!e)
        return NULL;
    strcpy(e->path, path);
    /* Stays below DFRAME_BASE's neighbours: 2^14 files, each 2^36 bytes. */
    e->serial = uw->n_elfs++ % (1u << 14);
    elf_load(e);
    e->next = uw->elfs;
    uw->elfs = e;
    return e;
}

static void elf_free(struct uw_elf *e)
{
    dframe_free(e->conv);
    if (e->debug_elf)
        elf_end(e->debug_elf);
    if (e->elf)
        elf_end(e->elf);
    free(e->loads);
    free(e);
}

/* The data of the section called name in elf, NULL if none or unreadable. */
static const uint8_t *elf_section(Elf *elf, const char *name, size_t *size)
{
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    size_t shstrndx;

    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        const char *n;
        Elf_Data *d;

        if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
            !(n = elf_strptr(elf, shstrndx, sh.sh_name)) || strcmp(n, name) != 0)
            continue;
        if ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
            return NULL;
        d = elf_getdata(scn, NULL);
        if (!d || !d->d_buf)
            return NULL;
        *size = d->d_size;
        return d->d_buf;
    }
    return NULL;
}

/* The separate debug file named after the GNU build-id note, or NULL. */
static Elf *elf_open_debug_file(Elf *elf)
{
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    char path[128];

    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Nhdr nh;
        size_t off = 0, name_off, desc_off;
        Elf_Data *d;

        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || !(d = elf_getdata(scn, NULL)))
            continue;
        while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
            const uint8_t *id = (const uint8_t *)d->d_buf + desc_off;
            int n;

            if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
                memcmp((const char *)d->d_buf + name_off, "GNU", 4) != 0 ||
                nh.n_descsz < 2 || nh.n_descsz > 32)
                continue;
            n = snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%02x/", id[0]);
            for (size_t i = 1; i < nh.n_descsz; i++)
                n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", id[i]);
            snprintf(path + n, sizeof(path) - (size_t)n, ".debug");
            return elffile_open(path);
        }
    }
    return NULL;
}

static int cmp_table_entry(const void *a, const void *b)
{
    int32_t x = (int32_t)bytes_load32(false, a), y = (int32_t)bytes_load32(false, b);

    return (x > y) - (x < y);
}

/* Convert e->dframe for load bias (see struct uw_dframe); NULL if unusable. */
static struct uw_dframe *dframe_convert(const struct uw_elf *e, uint64_t bias)
{
    struct uw_dframe *df;
    size_t off = 0, n = e->dframe_size, n_cies = 0, cap_cies = 0, cap_table = 0;
    size_t *cies = NULL;        /* offsets of the usable CIEs, increasing */
    uint8_t *table = NULL, *buf;

    df = calloc(1, sizeof(*df));
    if (!df)
        return NULL;
    df->bias = bias;
    df->base = DFRAME_BASE + e->serial * DFRAME_STRIDE;
    df->blob_size = (n + 7) & ~(size_t)7;
    buf = calloc(1, df->blob_size ? df->blob_size : 1);
    if (!buf || n > DFRAME_STRIDE / 2)
        goto fail;
    memcpy(buf, e->dframe, n);
    while (n - off >= 8) {
        uint32_t len = bytes_load32(false, buf + off), id;

        /* 64-bit DWARF and entries past the end end the section for us. */
        if (len < 4 || len > n - off - 4)
            break;
        id = bytes_load32(false, buf + off + 4);
        if (id == 0xffffffffu) {
            /* Version 1 or 3 without augmentation: read as .eh_frame's. */
            if (len >= 6 && (buf[off + 8] == 1 || buf[off + 8] == 3) && buf[off + 9] == 0) {
                size_t *c = array_reserve(cies, n_cies, &cap_cies, sizeof(*c), 16);

                if (!c)
                    goto fail;
                cies = c;
                cies[n_cies++] = off;
            }
            memset(buf + off + 4, 0, 4);
        } else {
            uint64_t pc, range;
            size_t lo = PARTITION_POINT(n_cies, mid, cies[mid] < id);

            /* An FDE before its CIE could not be pointed back to. */
            if (lo == n_cies || cies[lo] != id || id >= off || len < 4 + 16) {
                memset(buf + off + 4, 0xff, 4);  /* unreachable: not in the table */
                off += 4 + (size_t)len;
                continue;
            }
            pc = bytes_load64(false, buf + off + 8);
            range = bytes_load64(false, buf + off + 16);
            uint32_t rel = (uint32_t)(off + 4 - id);
            memcpy(buf + off + 4, &rel, 4);
            uint64_t rt = pc + bias;
            memcpy(buf + off + 8, &rt, 8);
            /* pc 0: a function the linker dropped. */
            if (pc != 0 && pc <= INT32_MAX && range != 0) {
                uint8_t *t = array_reserve(table, df->count, &cap_table, 8, 256);

                if (!t)
                    goto fail;
                table = t;
                int32_t ent[2] = {(int32_t)pc, (int32_t)off};
                memcpy(table + 8 * df->count++, ent, 8);
            }
        }
        off += 4 + (size_t)len;
    }
    if (!df->count)
        goto fail;
    qsort(table, df->count, 8, cmp_table_entry);
    df->size = df->blob_size + 8 * df->count;
    df->buf = realloc(buf, df->size);
    if (!df->buf)
        goto fail;
    memcpy(df->buf + df->blob_size, table, 8 * df->count);
    free(table);
    free(cies);
    return df;
fail:
    free(table);
    free(cies);
    free(buf);
    free(df);
    return NULL;
}

static void dframe_free(struct uw_dframe *df)
{
    if (df) {
        free(df->buf);
        free(df);
    }
}

/*
 * The .debug_frame of e (from the file or its separate debug file),
 * converted for bias; NULL if there is none.  Converted again when another
 * bias is asked for (a file mapped twice: rare).
 */
static const struct uw_dframe *dframe_get(struct uw_elf *e, uint64_t bias)
{
    if (!e->dframe_tried) {
        e->dframe_tried = true;
        e->dframe = elf_section(e->elf, ".debug_frame", &e->dframe_size);
        if (!e->dframe && (e->debug_elf = elf_open_debug_file(e->elf)))
            e->dframe = elf_section(e->debug_elf, ".debug_frame", &e->dframe_size);
    }
    if (!e->dframe)
        return NULL;
    if (!e->conv || e->conv->bias != bias) {
        dframe_free(e->conv);
        e->conv = dframe_convert(e, bias);
    }
    return e->conv;
}

/* ------------------------------------------------------------------------ */
/* Images                                                                    */

/*
 * Load bias of an ELF mapping: the executable PT_LOAD whose pages the
 * mapping's file offset falls in gives the ELF vaddr at map start.
 * Without one, assume file offsets equal vaddrs (as perf does).
 */
static uint64_t elf_bias(const struct uw_elf *e, uint64_t start, uint64_t pgoff)
{
    for (size_t i = 0; i < e->n_loads; i++) {
        const struct uw_load *l = &e->loads[i];

        if (l->exec && (l->offset & ~0xfffull) <= pgoff && pgoff < l->offset + l->filesz)
            return start - (l->vaddr + (pgoff - l->offset));
    }
    return start - pgoff;
}

static struct uw_image *image_find(struct uw *uw, uint64_t ip)
{
    for (unsigned i = 0; i < uw->n_images; i++)
        if (ip >= uw->images[i].m.start && ip < uw->images[i].m.end)
            return &uw->images[i];
    return NULL;
}

/* Ask the caller for the module at addr and remember it; NULL if none. */
static struct uw_image *image_add(struct uw *uw, uint64_t addr)
{
    struct uw_module m = {0};
    struct uw_image img = {0}, *slot;
    uint64_t table_off, count;

    if (!uw->cb.find_module || uw->cb.find_module(uw->arg, addr, &m) != 1 ||
        addr < m.start || addr >= m.end)
        return NULL;
    img.m = m;
    if (m.kind == UW_MODULE_ELF) {
        if (!m.path)
            return NULL;
        img.elf = elf_get(uw, m.path);
        if (!img.elf || !img.elf->ok)
            return NULL;
        img.bias = elf_bias(img.elf, m.start, m.pgoff);
        if (img.elf->has_table) {
            img.has_table = true;
            img.hdr_addr = img.bias + img.elf->hdr_vaddr;
            img.table_addr = img.bias + img.elf->table_vaddr;
            img.fde_count = img.elf->fde_count;
        }
    } else if (m.kind == UW_MODULE_JIT) {
        /* Both pieces must fit in the address space, hdr_addr below too. */
        if (!m.eh_frame || !m.eh_frame_hdr ||
            m.eh_frame_size > UINT64_MAX - m.eh_frame_vaddr ||
            m.eh_frame_hdr_size > UINT64_MAX - (m.eh_frame_vaddr + m.eh_frame_size))
            return NULL;
        if (eh_hdr_parse(m.eh_frame_hdr, m.eh_frame_hdr_size, &table_off, &count) &&
            jit_unwind_ok(&m, table_off, count)) {
            img.has_table = true;
            img.hdr_addr = m.eh_frame_vaddr + m.eh_frame_size;
            img.table_addr = img.hdr_addr + table_off;
            img.fde_count = count;
        }
    } else {
        return NULL;
    }
    if (uw->n_images < MAX_IMAGES) {
        slot = &uw->images[uw->n_images++];
    } else {
        slot = &uw->images[uw->next_victim];
        uw->next_victim = (uw->next_victim + 1) % MAX_IMAGES;
    }
    *slot = img;
    return slot;
}

/* Copy the bytes of buf's range [addr, addr + len) that the blob piece holds. */
static bool piece_read(const uint8_t *src, size_t size, uint64_t base, uint64_t addr,
                       uint8_t *buf, size_t len)
{
    uint64_t lo = addr > base ? addr : base;
    uint64_t hi = addr + len < base + size ? addr + len : base + size;

    if (lo >= hi)
        return false;
    memcpy(buf + (lo - addr), src + (lo - base), hi - lo);
    return true;
}

/*
 * The bytes of [addr, addr + WORD) that an image holds, into buf (others
 * left alone).  libunwind reads aligned words and picks bytes out of them,
 * so a word that only partly lies in a table is still useful.
 */
static bool image_read(const struct uw_image *img, uint64_t addr, uint8_t *buf)
{
    bool any = false;

    if (img->m.kind == UW_MODULE_JIT) {
        uint64_t hdr = img->m.eh_frame_vaddr + img->m.eh_frame_size;

        any |= piece_read(img->m.eh_frame, img->m.eh_frame_size, img->m.eh_frame_vaddr, addr,
                          buf, WORD);
        any |= piece_read(img->m.eh_frame_hdr, img->m.eh_frame_hdr_size, hdr, addr, buf, WORD);
        return any;
    }
    if (img->elf->conv) {
        const struct uw_dframe *df = img->elf->conv;

        any |= piece_read(df->buf, df->size, df->base, addr, buf, WORD);
    }
    for (size_t i = 0; i < img->elf->n_loads; i++) {
        const struct uw_load *l = &img->elf->loads[i];
        uint64_t base = img->bias + l->vaddr;

        if (l->filesz <= UINT64_MAX - base)
            any |= piece_read(img->elf->data + l->offset, l->filesz, base, addr, buf, WORD);
    }
    return any;
}

/* ------------------------------------------------------------------------ */
/* libunwind accessors                                                       */

static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
                          int need_unwind_info, void *arg)
{
    struct uw *uw = arg;
    struct uw_image *img = image_find(uw, ip);
    unw_dyn_info_t di;

    const struct uw_dframe *df;
    int ret = -UNW_ENOINFO;

    if (!img)
        img = image_add(uw, ip);
    if (!img)
        return -UNW_ENOINFO;
    if (img->has_table) {
        memset(&di, 0, sizeof(di));
        di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
        di.start_ip = img->m.start;
        di.end_ip = img->m.end;
        di.u.rti.segbase = img->hdr_addr;
        di.u.rti.table_data = img->table_addr;
        di.u.rti.table_len = img->fde_count * 8 / sizeof(unw_word_t);
        ret = dwarf_search_unwind_table(as, ip, &di, pi, need_unwind_info, arg);
    }
    /* As perf: what .eh_frame does not cover, .debug_frame may. */
    if (ret < 0 && img->m.kind == UW_MODULE_ELF && ip >= img->bias &&
        img->m.end - img->bias <= INT32_MAX && (df = dframe_get(img->elf, img->bias))) {
        memset(&di, 0, sizeof(di));
        di.format = UNW_INFO_FORMAT_IP_OFFSET;
        di.start_ip = img->bias;    /* the table holds link-time addresses */
        di.end_ip = img->m.end;
        di.u.rti.segbase = df->base;
        di.u.rti.table_data = df->base + df->blob_size;
        di.u.rti.table_len = df->count * 8 / sizeof(unw_word_t);
        ret = dwarf_search_unwind_table(as, ip, &di, pi, need_unwind_info, arg);
    }
    return ret;
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
    (void)as, (void)pi, (void)arg;
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
    (void)as, (void)addr, (void)arg;
    return -UNW_ENOINFO;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *valp, int write,
                      void *arg)
{
    struct uw *uw = arg;
    const struct uw_sample *s = &uw->s;
    uint8_t buf[WORD] = {0};
    bool any = false;
    struct uw_image *img;

    (void)as;
    if (write || addr > UINT64_MAX - WORD)
        return -UNW_EINVAL;
    if (addr >= s->sp && addr - s->sp <= s->stack_size && s->stack_size - (addr - s->sp) >= WORD) {
        memcpy(valp, s->stack + (addr - s->sp), WORD);
        return 0;
    }
    for (unsigned i = 0; i < uw->n_images; i++)
        any |= image_read(&uw->images[i], addr, buf);
    if (!any && (img = image_add(uw, addr)))
        any = image_read(img, addr, buf);
    if (!any)
        return -UNW_EINVAL;
    memcpy(valp, buf, WORD);
    return 0;
}

/* libunwind's x86-64 register numbers to perf's. */
static const int8_t perf_reg_of[] = {
    [UNW_X86_64_RAX] = UW_X86_AX, [UNW_X86_64_RDX] = UW_X86_DX,
    [UNW_X86_64_RCX] = UW_X86_CX, [UNW_X86_64_RBX] = UW_X86_BX,
    [UNW_X86_64_RSI] = UW_X86_SI, [UNW_X86_64_RDI] = UW_X86_DI,
    [UNW_X86_64_RBP] = UW_X86_BP, [UNW_X86_64_RSP] = UW_X86_SP,
    [UNW_X86_64_R8] = UW_X86_R8, [UNW_X86_64_R9] = UW_X86_R9,
    [UNW_X86_64_R10] = UW_X86_R10, [UNW_X86_64_R11] = UW_X86_R11,
    [UNW_X86_64_R12] = UW_X86_R12, [UNW_X86_64_R13] = UW_X86_R13,
    [UNW_X86_64_R14] = UW_X86_R14, [UNW_X86_64_R15] = UW_X86_R15,
    [UNW_X86_64_RIP] = UW_X86_IP,
};

static bool sample_reg(const uint64_t *regs, uint64_t mask, int perf_reg, uint64_t *val)
{
    uint64_t bit = 1ull << perf_reg;

    if (!(mask & bit))
        return false;
    *val = regs[__builtin_popcountll(mask & (bit - 1))];
    return true;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t regnum, unw_word_t *valp, int write,
                      void *arg)
{
    struct uw *uw = arg;
    uint64_t v;

    (void)as;
    if (write || regnum < 0 || (size_t)regnum >= sizeof(perf_reg_of) / sizeof(perf_reg_of[0]) ||
        !sample_reg(uw->s.regs, uw->s.regs_mask, perf_reg_of[regnum], &v))
        return -UNW_EBADREG;
    *valp = v;
    return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t num, unw_fpreg_t *val, int write,
                        void *arg)
{
    (void)as, (void)num, (void)val, (void)write, (void)arg;
    return -UNW_EINVAL;
}

static int resume(unw_addr_space_t as, unw_cursor_t *cu, void *arg)
{
    (void)as, (void)cu, (void)arg;
    return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
                         unw_word_t *offp, void *arg)
{
    (void)as, (void)addr, (void)buf, (void)len, (void)offp, (void)arg;
    return -UNW_EINVAL;
}

static unw_accessors_t accessors = {
    .find_proc_info = find_proc_info,
    .put_unwind_info = put_unwind_info,
    .get_dyn_info_list_addr = get_dyn_info_list_addr,
    .access_mem = access_mem,
    .access_reg = access_reg,
    .access_fpreg = access_fpreg,
    .resume = resume,
    .get_proc_name = get_proc_name,
};

/* ------------------------------------------------------------------------ */
/* API                                                                       */

/*
 * libunwind's global set-up (tdep_init(): its signal mask, locks and
 * caches) runs in the first unw_init_remote() of a process, and writes the
 * mask again in every thread that gets there before it is done: two
 * threads unwinding with their own unwinders race there (ThreadSanitizer
 * saw it in tbsym diff).  Done once here, before any unwinder is used.
 */
static void libunwind_init(void)
{
    struct uw dummy = { 0 };
    unw_cursor_t cursor;

    dummy.as = unw_create_addr_space(&accessors, 0);
    if (!dummy.as)
        return;
    /* Fails without registers, after the set-up. */
    (void)unw_init_remote(&cursor, dummy.as, &dummy);
    unw_destroy_addr_space(dummy.as);
}

int uw_new(const struct uw_callbacks *cb, void *arg, struct uw **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct uw *uw;

    *out = NULL;
    pthread_once(&once, libunwind_init);
    uw = calloc(1, sizeof(*uw));
    if (!uw)
        return -ENOMEM;
    elf_version(EV_CURRENT);
    uw->cb = *cb;
    uw->arg = arg;
    uw->as = unw_create_addr_space(&accessors, 0);
    if (!uw->as) {
        free(uw);
        return -ENOMEM;
    }
    unw_set_caching_policy(uw->as, UNW_CACHE_GLOBAL);
    *out = uw;
    return 0;
}

void uw_free(struct uw *uw)
{
    struct uw_elf *e, *next;

    if (!uw)
        return;
    for (e = uw->elfs; e; e = next) {
        next = e->next;
        elf_free(e);
    }
    unw_destroy_addr_space(uw->as);
    free(uw);
}

void uw_flush_cache(struct uw *uw)
{
    unw_flush_cache(uw->as, 0, 0);
}

int uw_unwind(struct uw *uw, uint64_t abi, const uint64_t *regs, uint64_t regs_mask,
              const uint8_t *stack, size_t stack_size, uint64_t *ips, size_t max_ips)
{
    unw_cursor_t cursor;
    uint64_t ip, sp;
    size_t n = 0;

    if (abi != UW_ABI_64)
        return -ENOTSUP;
    if (!sample_reg(regs, regs_mask, UW_X86_IP, &ip) ||
        !sample_reg(regs, regs_mask, UW_X86_SP, &sp))
        return -EINVAL;
    if (max_ips == 0)
        return 0;
    if (max_ips > INT_MAX)
        max_ips = INT_MAX;
    uw->s = (struct uw_sample){ regs, regs_mask, stack, stack ? stack_size : 0, sp };
    uw->n_images = 0;
    uw->next_victim = 0;
    ips[n++] = ip;
    if (unw_init_remote(&cursor, uw->as, uw) == 0) {
        while (n < max_ips && unw_step(&cursor) > 0) {
            unw_word_t pc;

            if (unw_get_reg(&cursor, UNW_REG_IP, &pc) < 0 || pc == 0)
                break;
            ips[n++] = pc;
        }
    }
    uw->s = (struct uw_sample){ 0 };
    return (int)n;
}

int uw_module_from_jitdump(uint64_t code_addr, uint64_t code_size, const uint8_t *data,
                           uint64_t unwinding_size, uint64_t eh_frame_hdr_size,
                           struct uw_module *out)
{
    uint64_t aligned;

    memset(out, 0, sizeof(*out));
    if (eh_frame_hdr_size > unwinding_size || code_addr > UINT64_MAX - 7 ||
        code_size > UINT64_MAX - 7 - code_addr ||
        unwinding_size > SIZE_MAX)
        return -EINVAL;
    aligned = (code_size + 7) & ~7ull;
    out->kind = UW_MODULE_JIT;
    out->start = code_addr;
    out->end = code_addr + code_size;
    out->eh_frame = data;
    out->eh_frame_size = unwinding_size - eh_frame_hdr_size;
    out->eh_frame_hdr = data + out->eh_frame_size;
    out->eh_frame_hdr_size = eh_frame_hdr_size;
    out->eh_frame_vaddr = code_addr + aligned;
    return 0;
}
