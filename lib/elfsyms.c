/*
 * elfsyms.c: the symbol index of one guest ELF module (see elfsyms.h).
 *
 * One pass over libdwfl's symbol table fills two sorted arrays: the
 * function symbols (plus the synthesized PLT slots) and every named
 * symbol.  The second has, per entry, the highest end of any symbol up to
 * it, so a lookup walks back only over the symbols that may hold the
 * address.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <endian.h>
#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "elfsyms.h"
#include "sorted.h"

#define STT_GNU_IFUNC_ 10   /* STT_GNU_IFUNC, spelt out as QEMU does */
#define MAX_NESTED 16       /* QEMU's guest_sym_find() looks this far back */

/* A symbol of the second rule, with what its lookup needs. */
struct any_sym {
    struct elfsym s;
    uint64_t sec_lo, sec_hi;    /* size 0: its section's range; empty: only s.addr */
    uint32_t index;             /* in the symbol table: the last tie-break */
};

struct elfsyms {
    struct elfsym *funcs;
    size_t nr_funcs, cap_funcs;
    struct any_sym *any;
    size_t nr_any;
    uint64_t *any_end;          /* [i]: the highest addr + size of any[0..i] */
    char **names;               /* PLT names (or a symbol list's text), owned */
    size_t nr_names, cap_names;
};

void elfsyms_free(struct elfsyms *es)
{
    if (!es)
        return;
    for (size_t i = 0; i < es->nr_names; i++)
        free(es->names[i]);
    free(es->names);
    free(es->funcs);
    free(es->any);
    free(es->any_end);
    free(es);
}

const struct elfsym *elfsyms_funcs(const struct elfsyms *es, size_t *nr)
{
    *nr = es ? es->nr_funcs : 0;
    return es ? es->funcs : NULL;
}

/* --- the function table --------------------------------------------------------- */

static size_t leading_underscores(const char *s)
{
    size_t n = 0;

    while (s[n] == '_')
        n++;
    return n;
}

/*
 * By address, at equal addresses the larger symbol first, and among aliases
 * the best name first, as QEMU's sym_cmp() (perf's choose_best_symbol()).
 */
static int func_cmp(const void *a, const void *b)
{
    const struct elfsym *x = a, *y = b;
    size_t ux, uy, lx, ly;

    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    if ((x->bind == STB_WEAK) != (y->bind == STB_WEAK))
        return x->bind == STB_WEAK ? 1 : -1;
    if ((x->bind == STB_GLOBAL) != (y->bind == STB_GLOBAL))
        return x->bind == STB_GLOBAL ? -1 : 1;
    ux = leading_underscores(x->name);
    uy = leading_underscores(y->name);
    if (ux != uy)
        return ux < uy ? -1 : 1;
    lx = strlen(x->name);
    ly = strlen(y->name);
    if (lx != ly)
        return lx > ly ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int func_push(struct elfsyms *es, struct elfsym s)
{
    struct elfsym *n = array_reserve(es->funcs, es->nr_funcs, &es->cap_funcs, sizeof(*n), 64);

    if (!n)
        return -ENOMEM;
    es->funcs = n;
    es->funcs[es->nr_funcs++] = s;
    return 0;
}

/*
 * Sort the function table and keep one name per (address, size): the best.
 * A size 0 entry (a non-lazy .plt's header) goes.
 */
static void funcs_finish(struct elfsyms *es)
{
    size_t n = 0;

    if (!es->nr_funcs)
        return;
    qsort(es->funcs, es->nr_funcs, sizeof(*es->funcs), func_cmp);
    for (size_t i = 0; i < es->nr_funcs; i++) {
        if (!es->funcs[i].size)
            continue;
        if (n && es->funcs[n - 1].addr == es->funcs[i].addr &&
            es->funcs[n - 1].size == es->funcs[i].size)
            continue;
        es->funcs[n++] = es->funcs[i];
    }
    es->nr_funcs = n;
}

/* The number of entries of the sorted table whose address is <= addr. */
#define UPPER_BOUND(arr, nr, field, addr, out) \
    ((out) = PARTITION_POINT(nr, i_, (arr)[i_].field <= (addr)))

const struct elfsym *elfsyms_func_at(const struct elfsyms *es, uint64_t addr)
{
    size_t lo;

    if (!es)
        return NULL;
    UPPER_BOUND(es->funcs, es->nr_funcs, addr, addr, lo);
    for (unsigned n = 0; lo > 0 && n < MAX_NESTED; n++, lo--) {
        const struct elfsym *s = &es->funcs[lo - 1];

        if (addr - s->addr < s->size)
            return s;
    }
    return NULL;
}

/* --- libdwfl's rule ---------------------------------------------------------------- */

static int any_cmp(const void *a, const void *b)
{
    const struct any_sym *x = a, *y = b;

    if (x->s.addr != y->s.addr)
        return x->s.addr < y->s.addr ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int bind_rank(unsigned char bind)
{
    return bind == STB_GLOBAL ? 2 : bind == STB_WEAK ? 1 : 0;
}

/* Whether sized symbol a, holding the address, is a better answer than b. */
static bool any_better(const struct any_sym *a, const struct any_sym *b)
{
    if (!b)
        return true;
    if ((a->s.bind != STB_LOCAL) != (b->s.bind != STB_LOCAL))
        return a->s.bind != STB_LOCAL;
    if (a->s.addr != b->s.addr)
        return a->s.addr > b->s.addr;
    if (bind_rank(a->s.bind) != bind_rank(b->s.bind))
        return bind_rank(a->s.bind) > bind_rank(b->s.bind);
    if (a->s.size != b->s.size)
        return a->s.size < b->s.size;
    return a->index < b->index;
}

const struct elfsym *elfsyms_any_at(const struct elfsyms *es, uint64_t addr)
{
    const struct any_sym *best = NULL;
    uint64_t min_label;
    size_t j;

    if (!es)
        return NULL;
    UPPER_BOUND(es->any, es->nr_any, s.addr, addr, j);
    if (!j)
        return NULL;
    for (size_t i = j; i-- > 0 && es->any_end[i] > addr;) {
        const struct any_sym *a = &es->any[i];

        if (a->s.size && addr - a->s.addr < a->s.size && any_better(a, best))
            best = a;
    }
    if (best)
        return &best->s;
    /* A label: the closest one no sized symbol extends past, in addr's section. */
    min_label = es->any_end[j - 1];
    for (size_t i = j; i-- > 0 && es->any[i].s.addr >= min_label;) {
        const struct any_sym *a = &es->any[i];
        bool in = a->sec_lo == a->sec_hi ? addr == a->s.addr
                                         : addr >= a->sec_lo && addr <= a->sec_hi;

        if (a->s.size || !in)
            continue;
        if (!best || (a->s.addr == best->s.addr && bind_rank(a->s.bind) > bind_rank(best->s.bind)))
            best = a;
        else if (a->s.addr != best->s.addr)
            break;
    }
    return best ? &best->s : NULL;
}

/* --- reading libdwfl's symbol table ------------------------------------------------ */

/* The address range of a size-0 symbol's section (empty: only its own address). */
static void label_section(struct any_sym *a, Elf *elf, GElf_Word shndx, uint64_t st_value)
{
    Elf_Scn *scn;
    GElf_Shdr sh;

    a->sec_lo = a->sec_hi = a->s.addr;
    if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE || !elf)
        return;
    scn = elf_getscn(elf, shndx);
    if (!scn || !gelf_getshdr(scn, &sh))
        return;
    a->sec_lo = sh.sh_addr + (a->s.addr - st_value);    /* the symbol's bias */
    a->sec_hi = a->sec_lo + sh.sh_size;
    if (a->sec_hi < a->sec_lo)
        a->sec_hi = UINT64_MAX;
}

/* es takes name (malloc'ed; NULL is out of memory): name, or NULL when out of memory. */
static const char *names_keep(struct elfsyms *es, char *name)
{
    char **n;

    if (!name)
        return NULL;
    n = array_reserve(es->names, es->nr_names, &es->cap_names, sizeof(*n), 64);
    if (!n) {
        free(name);
        return NULL;
    }
    es->names = n;
    es->names[es->nr_names++] = name;
    return name;
}

/* A copy of the first len bytes of name that es owns, or NULL (out of memory). */
static const char *name_own(struct elfsyms *es, const char *name, size_t len)
{
    return names_keep(es, strndup(name, len));
}

static int read_symtab(struct elfsyms *es, Dwfl_Module *mod, uint64_t main_bias, bool mask_bit0)
{
    int n = dwfl_module_getsymtab(mod);

    if (n <= 1)
        return 0;
    es->any = malloc((size_t)n * sizeof(*es->any));
    if (!es->any)
        return -ENOMEM;
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        GElf_Word shndx;
        Elf *elf = NULL;
        Dwarf_Addr bias;
        const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, &elf, &bias);
        struct elfsym s;
        int type;

        if (!name || !name[0] || sym.st_shndx == SHN_UNDEF)
            continue;
        addr -= main_bias;      /* the main file's ELF address */
        type = GELF_ST_TYPE(sym.st_info);
        if (type == STT_SECTION || type == STT_FILE || type == STT_TLS)
            continue;
        s = (struct elfsym){ addr, sym.st_size, name, GELF_ST_BIND(sym.st_info),
                             (unsigned char)type };
        es->any[es->nr_any] = (struct any_sym){ .s = s, .index = (uint32_t)i };
        if (!s.size)
            label_section(&es->any[es->nr_any], elf, shndx, sym.st_value);
        es->nr_any++;
        if ((type == STT_FUNC || type == STT_GNU_IFUNC_) && s.size &&
            shndx != SHN_UNDEF && shndx < SHN_LORESERVE) {
            if (mask_bit0)
                s.addr &= ~(uint64_t)1;
            /* "memcpy@@GLIBC_2.14" (a debug file's .symtab) is "memcpy", as QEMU names it. */
            if (strchr(s.name, '@') && s.name[0] != '@' &&
                !(s.name = name_own(es, s.name, strcspn(s.name, "@"))))
                return -ENOMEM;
            if (func_push(es, s))
                return -ENOMEM;
        }
    }
    qsort(es->any, es->nr_any, sizeof(*es->any), any_cmp);
    es->any_end = malloc((es->nr_any ? es->nr_any : 1) * sizeof(*es->any_end));
    if (!es->any_end)
        return -ENOMEM;
    for (size_t i = 0; i < es->nr_any; i++) {
        uint64_t end = es->any[i].s.addr + es->any[i].s.size;

        if (end < es->any[i].s.addr)
            end = UINT64_MAX;
        es->any_end[i] = i && es->any_end[i - 1] > end ? es->any_end[i - 1] : end;
    }
    return 0;
}

/* --- PLT slots, as perf's dso__synthesize_plt_symbols() ------------------------------- */

struct plt_rel {
    uint64_t offset;            /* r_offset: the GOT slot */
    uint64_t addend;
    uint32_t sym, type;
    uint32_t index;
};

/* What the PLT reader works on: the main file and its sections by name. */
struct plt_ctx {
    struct elfsyms *es;
    Elf *elf;
    GElf_Ehdr ehdr;
    size_t shstrndx;
    size_t nr_sorted;           /* es->funcs[0..nr_sorted): the symbol table's, sorted */
};

static Elf_Scn *section_named(const struct plt_ctx *c, const char *want, GElf_Shdr *sh)
{
    Elf_Scn *scn = NULL;

    while ((scn = elf_nextscn(c->elf, scn))) {
        const char *name;

        if (gelf_getshdr(scn, sh) && (name = elf_strptr(c->elf, c->shstrndx, sh->sh_name)) &&
            strcmp(name, want) == 0)
            return scn;
    }
    return NULL;
}

static bool is_x86(const struct plt_ctx *c)
{
    return c->ehdr.e_machine == EM_X86_64 || c->ehdr.e_machine == EM_386;
}

/* perf's get_plt_sizes() for the machines guests run on; false: unknown. */
static bool plt_sizes(const struct plt_ctx *c, const GElf_Shdr *sh, uint64_t *header,
                      uint64_t *entry)
{
    if (c->ehdr.e_machine == EM_AARCH64) {
        *header = 32;
        *entry = 16;
        return true;
    }
    if (!is_x86(c))
        return false;
    *entry = sh->sh_entsize;
    if (*entry != 8 && *entry != 16)
        *entry = sh->sh_addralign == 8 ? 8 : 16;
    *header = *entry;
    return true;
}

static int name_add(struct elfsyms *es, uint64_t addr, uint64_t size, const char *fmt,
                    const char *sym)
{
    char *name;

    if (asprintf(&name, fmt, sym) < 0 || !names_keep(es, name))
        return -ENOMEM;
    return func_push(es, (struct elfsym){ addr, size, name, STB_GLOBAL, STT_FUNC });
}

static int rel_cmp(const void *a, const void *b)
{
    const struct plt_rel *x = a, *y = b;

    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The relocations of a REL or RELA section; NULL with *nr 0 when there are none. */
static struct plt_rel *rels_read(const struct plt_ctx *c, Elf_Scn *scn, const GElf_Shdr *sh,
                                 size_t *nr, int *err)
{
    bool rela = sh->sh_type == SHT_RELA;
    size_t esize = gelf_fsize(c->elf, rela ? ELF_T_RELA : ELF_T_REL, 1, EV_CURRENT);
    Elf_Data *d = elf_getdata(scn, NULL);
    struct plt_rel *rels;
    size_t n = 0, cap = d && esize ? d->d_size / esize : 0;

    *nr = 0;
    *err = 0;
    if (!cap)
        return NULL;
    rels = calloc(cap, sizeof(*rels));
    if (!rels) {
        *err = -ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < cap; i++) {
        GElf_Rela r = { 0 };
        GElf_Rel rl;

        if (rela ? !gelf_getrela(d, (int)i, &r) : !gelf_getrel(d, (int)i, &rl))
            break;
        if (!rela)
            r = (GElf_Rela){ rl.r_offset, rl.r_info, 0 };
        rels[n++] = (struct plt_rel){ r.r_offset, (uint64_t)r.r_addend,
                                      (uint32_t)GELF_R_SYM(r.r_info),
                                      (uint32_t)GELF_R_TYPE(r.r_info), (uint32_t)i };
    }
    *nr = n;
    return rels;
}

/* The name of symbol idx of the symbol table in section symndx; NULL if none. */
static const char *rel_sym_name(const struct plt_ctx *c, size_t symndx, uint32_t idx)
{
    Elf_Scn *scn = elf_getscn(c->elf, symndx);
    GElf_Shdr sh;
    Elf_Data *d;
    GElf_Sym sym;
    const char *name;

    if (!idx || !scn || !gelf_getshdr(scn, &sh) ||
        (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB) ||
        !(d = elf_getdata(scn, NULL)) || !gelf_getsym(d, (int)idx, &sym))
        return NULL;
    name = elf_strptr(c->elf, sh.sh_link, sym.st_name);
    return name && name[0] ? name : NULL;
}

/* An R_X86_64_IRELATIVE slot: the STT_GNU_IFUNC symbol at its addend. */
static const char *ifunc_name(const struct plt_ctx *c, const struct plt_rel *r)
{
    const struct elfsyms *es = c->es;
    uint64_t addr = r->addend;
    size_t i;

    if (c->ehdr.e_machine != EM_X86_64 || r->type != R_X86_64_IRELATIVE)
        return NULL;
    UPPER_BOUND(es->funcs, c->nr_sorted, addr, addr, i);
    for (; i > 0 && es->funcs[i - 1].addr == addr; i--)
        if (es->funcs[i - 1].type == STT_GNU_IFUNC_)
            return es->funcs[i - 1].name;
    return NULL;
}

/* x86_64 .plt.got: each entry's "jmp *disp(%rip)" names a GOT slot of .rela.dyn. */
static int plt_got(const struct plt_ctx *c)
{
    static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
    GElf_Shdr sh, rsh;
    Elf_Scn *scn = section_named(c, ".plt.got", &sh), *rscn;
    struct plt_rel *rels;
    Elf_Data *d;
    size_t nr;
    int err;

    if (c->ehdr.e_machine != EM_X86_64 || !scn || sh.sh_type != SHT_PROGBITS ||
        !sh.sh_entsize || !(d = elf_getdata(scn, NULL)) || !d->d_buf ||
        !(rscn = section_named(c, ".rela.dyn", &rsh)) || rsh.sh_type != SHT_RELA)
        return 0;
    rels = rels_read(c, rscn, &rsh, &nr, &err);
    if (!rels)
        return err;
    qsort(rels, nr, sizeof(*rels), rel_cmp);
    for (uint64_t i = 0; i + sh.sh_entsize <= d->d_size && !err; i += sh.sh_entsize) {
        const uint8_t *p = (const uint8_t *)d->d_buf + i;
        size_t n = 0, lo;
        uint64_t got;
        int32_t disp;
        const char *name;

        if (sh.sh_entsize >= 4 && memcmp(p, endbr64, 4) == 0)
            n += 4;
        if (n < sh.sh_entsize && p[n] == 0xf2)        /* bnd */
            n++;
        if (n + 6 > sh.sh_entsize || p[n] != 0xff || p[n + 1] != 0x25)
            continue;
        memcpy(&disp, p + n + 2, 4);
        got = sh.sh_addr + i + n + 6 + (uint64_t)(int64_t)(int32_t)le32toh((uint32_t)disp);
        /* The first relocation of that GOT slot (rels is in offset order). */
        lo = PARTITION_POINT(nr, mid, rels[mid].offset < got);
        name = lo < nr && rels[lo].offset == got ? rel_sym_name(c, rsh.sh_link, rels[lo].sym)
                                                 : NULL;
        if (name)
            err = name_add(c->es, sh.sh_addr + i, sh.sh_entsize, "%s@plt", name);
    }
    free(rels);
    return err;
}

/* .plt (or .plt.sec) slots named after .rela.plt / .rel.plt. */
static int plt_slots(const struct plt_ctx *c)
{
    GElf_Shdr plt, sec, rsh;
    Elf_Scn *rscn;
    uint64_t header, entry, start, end;
    struct plt_rel *rels;
    size_t nr, plt_sym;
    bool have_sec;
    int err;

    if (!section_named(c, ".plt", &plt) || plt.sh_type != SHT_PROGBITS ||
        !plt_sizes(c, &plt, &header, &entry))
        return 0;
    have_sec = is_x86(c) && section_named(c, ".plt.sec", &sec) && sec.sh_type == SHT_PROGBITS;
    plt_sym = c->es->nr_funcs;
    err = name_add(c->es, plt.sh_addr, have_sec ? plt.sh_size : header, "%s", ".plt");
    if (err)
        return err;
    if (have_sec) {
        if (!plt_sizes(c, &sec, &header, &entry))
            return 0;
        start = sec.sh_addr;
        end = sec.sh_addr + sec.sh_size;
    } else {
        start = plt.sh_addr + header;
        end = plt.sh_addr + plt.sh_size;
    }
    rscn = section_named(c, ".rela.plt", &rsh);
    if (!rscn)
        rscn = section_named(c, ".rel.plt", &rsh);
    if (!rscn || (rsh.sh_type != SHT_RELA && rsh.sh_type != SHT_REL) || !rsh.sh_link)
        return 0;
    rels = rels_read(c, rscn, &rsh, &nr, &err);
    if (!rels)
        return err;
    if (!have_sec && nr * entry == plt.sh_size) {
        /* One entry per relocation: a non-lazy .plt, without a header. */
        c->es->funcs[plt_sym].size = 0;
        start = plt.sh_addr;
    }
    if (is_x86(c))
        qsort(rels, nr, sizeof(*rels), rel_cmp);
    for (size_t i = 0; i < nr && !err; i++) {
        uint64_t slot = start + i * entry;
        const char *name = rel_sym_name(c, rsh.sh_link, rels[i].sym);

        if (slot < start || slot + entry > end || slot + entry < slot)
            break;
        if (!name)
            name = ifunc_name(c, &rels[i]);
        if (name)
            err = name_add(c->es, slot, entry, "%s@plt", name);
    }
    free(rels);
    return err;
}

static int plt_read(struct elfsyms *es, Elf *elf)
{
    struct plt_ctx c = { .es = es, .elf = elf };
    int err;

    if (!gelf_getehdr(elf, &c.ehdr) || elf_getshdrstrndx(elf, &c.shstrndx) != 0)
        return 0;
    /* ifunc_name() looks up the functions read so far. */
    if (es->nr_funcs)
        qsort(es->funcs, es->nr_funcs, sizeof(*es->funcs), func_cmp);
    c.nr_sorted = es->nr_funcs;
    err = plt_got(&c);
    return err ? err : plt_slots(&c);
}

int elfsyms_new(Dwfl_Module *mod, struct elfsyms **esp)
{
    struct elfsyms *es = calloc(1, sizeof(*es));
    GElf_Addr bias = 0;
    GElf_Ehdr ehdr;
    Elf *elf;
    bool mask = false;
    int err;

    *esp = NULL;
    if (!es)
        return -ENOMEM;
    elf = dwfl_module_getelf(mod, &bias);
    /* QEMU's TARGET_ARM (also AArch64) and MIPS: bit 0 marks Thumb/MIPS16. */
    if (elf && gelf_getehdr(elf, &ehdr))
        mask = ehdr.e_machine == EM_ARM || ehdr.e_machine == EM_AARCH64 ||
               ehdr.e_machine == EM_MIPS;
    err = read_symtab(es, mod, bias, mask);
    if (!err && elf)
        err = plt_read(es, elf);
    if (err) {
        elfsyms_free(es);
        return err;
    }
    funcs_finish(es);
    *esp = es;
    return 0;
}

int elfsyms_new_funcs(struct elfsym *funcs, size_t nr, char *names, struct elfsyms **esp)
{
    struct elfsyms *es = calloc(1, sizeof(*es));

    *esp = NULL;
    if (!es || (names && !names_keep(es, names))) {
        if (!es)
            free(names);        /* names_keep() frees it when it fails */
        free(funcs);
        free(es);
        return -ENOMEM;
    }
    es->funcs = funcs;
    es->nr_funcs = es->cap_funcs = nr;
    funcs_finish(es);
    *esp = es;
    return 0;
}
