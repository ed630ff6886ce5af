/*
 * softmmu.c: QEMU's software MMU functions, by DWARF source file or by name
 * (see softmmu.h).
 *
 * Every file is one Dwfl module reported at bias 0, so that module
 * addresses are ELF virtual addresses; dwfl_module_addrdie() gives the
 * compilation unit.  Results are cached in an open-addressing hash table
 * keyed by (file, address).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "elffile.h"
#include "softmmu.h"

/* One file, opened on first use. */
struct sm_file {
    struct sm_file *next;
    const char *path;          /* the caller's pointer: the key */
    bool library;              /* a shared library: never the software MMU */
    Dwfl *dwfl;                /* NULL: no DWARF to use (or not a file) */
    Dwfl_Module *mod;
};

/* A classified function. */
struct sm_entry {
    const struct sm_file *file;  /* NULL: an empty slot */
    uint64_t addr;
    bool yes;
    enum softmmu_rule rule;
};

struct softmmu {
    struct elffile_debuginfo debuginfo;  /* must outlive every Dwfl */
    struct sm_file *files;
    struct sm_entry *table;    /* power-of-two size */
    size_t size, used;
};

/* Compilation units whose functions are software MMU (softmmu.h, rule 1). */
static const char *const source_patterns[] = {
    "accel/tcg/cputlb.c",
    "target/*/ptw.c",
    "target/*tlb_helper.c",
    "target/*mmu*.c",
    "target/i386/tcg/system/excp_helper.c",
    "target/i386/tcg/sysemu/excp_helper.c",
    NULL
};

/* Their functions' names, for files without DWARF (rule 2). */
static const char *const name_patterns[] = {
    "helper_ld*_mmu", "helper_st*_mmu", "helper_atomic_*",
    "cpu_ld[bsuwlq1]*", "cpu_st[bwlq1]*", "do_ld[0-9_]*", "do_st[0-9_]*",
    "mmu_lookup*", "tlb_*", "probe_access*", "io_readx", "io_writex", "io_prepare",
    "notdirty_write", "victim_tlb_hit", "atomic_mmu_lookup", "get_page_addr_code*",
    "*_cpu_tlb_fill*", "get_physical_address*", "get_phys_addr*", "mmu_translate*",
    "*ptw*",
    NULL
};

bool softmmu_source_is(const char *path)
{
    for (const char *p = path; p; p = strchr(p, '/')) {
        if (*p == '/')
            p++;
        for (size_t i = 0; source_patterns[i]; i++)
            if (fnmatch(source_patterns[i], p, 0) == 0)
                return true;
    }
    return false;
}

bool softmmu_name_is(const char *name)
{
    char base[256];
    size_t n = strcspn(name, ".");

    /* "mmu_lookup.constprop.0", "helper_ldub_mmu.cold": GCC's clones and parts. */
    if (n >= sizeof(base))
        return false;
    memcpy(base, name, n);
    base[n] = '\0';
    for (size_t i = 0; name_patterns[i]; i++)
        if (fnmatch(name_patterns[i], base, 0) == 0)
            return true;
    return false;
}

int softmmu_new(const char *debug_dir, struct softmmu **smp)
{
    struct softmmu *sm = calloc(1, sizeof(*sm));

    *smp = NULL;
    if (!sm || elffile_debuginfo_init(&sm->debuginfo, debug_dir)) {
        free(sm);
        return -ENOMEM;
    }
    *smp = sm;
    return 0;
}

void softmmu_free(struct softmmu *sm)
{
    struct sm_file *f;

    if (!sm)
        return;
    f = sm->files;
    while (f) {
        struct sm_file *next = f->next;

        if (f->dwfl)
            dwfl_end(f->dwfl);
        free(f);
        f = next;
    }
    free(sm->table);
    elffile_debuginfo_fini(&sm->debuginfo);
    free(sm);
}

/* Whether the ELF file at path has a DT_SONAME: a shared library, not an executable. */
static bool has_soname(const char *path)
{
    Elf *elf = elffile_open(path);
    Elf_Scn *scn = NULL;
    bool found = false;

    if (!elf)
        return false;
    while (!found && (scn = elf_nextscn(elf, scn))) {
        GElf_Shdr shdr;
        Elf_Data *data;

        if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_DYNAMIC ||
            !(data = elf_getdata(scn, NULL)) || !shdr.sh_entsize)
            continue;
        for (size_t i = 0; i < shdr.sh_size / shdr.sh_entsize && !found; i++) {
            GElf_Dyn dyn;

            found = gelf_getdyn(data, (int)i, &dyn) && dyn.d_tag == DT_SONAME;
        }
    }
    elf_end(elf);
    return found;
}

/*
 * Report path to libdwfl and keep it if it has DWARF that libdw may read;
 * f->dwfl stays NULL otherwise (not a regular file, not ELF, no DWARF, or
 * a shared library, whose DWARF is never needed: opening it may cost the
 * decompression of all of a distribution's debug file).
 */
static void file_open(struct softmmu *sm, struct sm_file *f)
{
    const char *base = strrchr(f->path, '/');
    Dwarf_Addr bias;
    struct stat st;
    Dwarf *dw;

    /* The path comes from a recording: never a FIFO or a device. */
    if (f->path[0] != '/' || stat(f->path, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    f->library = has_soname(f->path);
    if (f->library)
        return;
    if (elffile_report(&sm->debuginfo, f->path, base ? base + 1 : f->path, 0, &f->dwfl,
                       &f->mod))
        return;
    dw = dwfl_module_getdwarf(f->mod, &bias);
    if (!dw || !elffile_dwarf_ok(dw)) {
        dwfl_end(f->dwfl);
        f->dwfl = NULL;
        f->mod = NULL;
    }
}

static struct sm_file *file_get(struct softmmu *sm, const char *path)
{
    struct sm_file *f;

    for (f = sm->files; f; f = f->next)
        if (f->path == path)
            return f;
    f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->path = path;
    f->next = sm->files;
    sm->files = f;
    file_open(sm, f);
    return f;
}

/* The source file of the compilation unit holding addr, or NULL. */
static const char *unit_source(const struct sm_file *f, uint64_t addr)
{
    Dwarf_Addr bias;
    Dwarf_Die *cu;

    if (!f->mod)
        return NULL;
    cu = dwfl_module_addrdie(f->mod, addr, &bias);
    return cu ? dwarf_diename(cu) : NULL;
}

static size_t entry_hash(const struct sm_file *f, uint64_t addr, size_t mask)
{
    uint64_t h = ((uint64_t)(uintptr_t)f * 0x9e3779b97f4a7c15ull) ^ addr;

    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return (size_t)h & mask;
}

/* The slot of (f, addr): its entry, or the empty slot to fill. */
static struct sm_entry *slot_of(struct sm_entry *table, size_t size, const struct sm_file *f,
                                uint64_t addr)
{
    size_t i = entry_hash(f, addr, size - 1);

    while (table[i].file && (table[i].file != f || table[i].addr != addr))
        i = (i + 1) & (size - 1);
    return &table[i];
}

/* Room for one more entry (load factor at most 1/2); 0 or -ENOMEM. */
static int table_reserve(struct softmmu *sm)
{
    struct sm_entry *t;
    size_t size;

    if (2 * (sm->used + 1) <= sm->size)
        return 0;
    size = sm->size ? 2 * sm->size : 256;
    t = calloc(size, sizeof(*t));
    if (!t)
        return -ENOMEM;
    for (size_t i = 0; i < sm->size; i++)
        if (sm->table[i].file)
            *slot_of(t, size, sm->table[i].file, sm->table[i].addr) = sm->table[i];
    free(sm->table);
    sm->table = t;
    sm->size = size;
    return 0;
}

int softmmu_classify(struct softmmu *sm, const char *dso_path, uint64_t addr,
                     const char *symbol, enum softmmu_rule *rule)
{
    struct sm_file *f;
    struct sm_entry *e;
    const char *src;

    if (!dso_path)
        dso_path = "";
    f = file_get(sm, dso_path);
    if (!f || table_reserve(sm) < 0)
        return -ENOMEM;
    e = slot_of(sm->table, sm->size, f, addr);
    if (!e->file) {
        src = unit_source(f, addr);
        e->file = f;
        e->addr = addr;
        e->rule = f->library ? SOFTMMU_BY_FILE : src ? SOFTMMU_BY_SOURCE : SOFTMMU_BY_NAME;
        e->yes = e->rule == SOFTMMU_BY_SOURCE ? softmmu_source_is(src)
                 : e->rule == SOFTMMU_BY_NAME && symbol && softmmu_name_is(symbol);
        sm->used++;
    }
    if (rule)
        *rule = e->rule;
    return e->yes;
}
