/*
 * hostsym.c: host code addresses to DSO and symbol (see hostsym.h).
 *
 * Every mmap becomes an entry of its pid's codemap (cookie: the index of
 * the map), which gives perf's "latest map at or before the sample's time"
 * rule.  A DSO is read once, on the first lookup that lands in it: its
 * PT_LOAD headers and its function symbols are copied out and the file is
 * closed again (perf inject makes one jitted-*.so per TB: thousands of
 * DSOs must not hold thousands of descriptors).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>

#include "array.h"
#include "codemap.h"
#include "elffile.h"
#include "hostsym.h"
#include "sorted.h"

#define KERNEL_DSO "[kernel.kallsyms]"
#define MAX_BUILD_ID 20
#define MAX_NESTED 16

struct hs_sym {
    uint64_t start;
    uint64_t end;               /* exclusive; from the size, else the next symbol */
    uint64_t size;              /* as in the file (0: none) */
    size_t name;                /* offset into the owner's string pool */
    int bind;
};

struct hs_load {
    uint64_t offset, vaddr, filesz, memsz;
};

struct hs_symtab {
    struct hs_sym *syms;
    size_t nr_syms;
    char *names;
};

struct hs_dso {
    struct hs_dso *next;
    const char *name;           /* last component of path */
    uint8_t build_id[MAX_BUILD_ID];
    size_t build_id_size;
    bool tried;
    struct hs_load *loads;
    size_t nr_loads;
    struct hs_symtab tab;
    char path[];                /* allocated with the DSO */
};

struct hs_map {
    uint64_t start, len, pgoff;
    struct hs_dso *dso;
};

struct hs_pid {
    uint32_t pid;
    struct codemap *cm;
};

struct hostsym {
    char *debug_dir;
    struct hs_dso *dsos;        /* every DSO, for freeing */
    struct hs_dso **dso_hash;   /* open addressing by path, power-of-two size */
    size_t dso_hash_size, nr_dsos;
    struct hs_map *maps;
    size_t nr_maps, cap_maps;
    struct hs_pid *pids;
    size_t nr_pids, cap_pids;
    char *kallsyms_path;        /* NULL: no kernel symbols */
    bool kallsyms_tried;
    struct hs_symtab kallsyms;
};

static void symtab_free(struct hs_symtab *t)
{
    free(t->syms);
    free(t->names);
    memset(t, 0, sizeof(*t));
}

int hostsym_new(const char *debug_dir, struct hostsym **hsp)
{
    struct hostsym *hs = calloc(1, sizeof(*hs));

    *hsp = NULL;
    if (!hs)
        return -ENOMEM;
    /* libelf wants to be told its version before any elf_begin(). */
    elf_version(EV_CURRENT);
    hs->kallsyms_path = strdup("/proc/kallsyms");
    if (debug_dir)
        hs->debug_dir = strdup(debug_dir);
    if (!hs->kallsyms_path || (debug_dir && !hs->debug_dir)) {
        hostsym_free(hs);
        return -ENOMEM;
    }
    *hsp = hs;
    return 0;
}

void hostsym_free(struct hostsym *hs)
{
    struct hs_dso *d;

    if (!hs)
        return;
    d = hs->dsos;
    while (d) {
        struct hs_dso *next = d->next;

        symtab_free(&d->tab);
        free(d->loads);
        free(d);
        d = next;
    }
    free(hs->dso_hash);
    for (size_t i = 0; i < hs->nr_pids; i++)
        codemap_free(hs->pids[i].cm);
    free(hs->pids);
    free(hs->maps);
    symtab_free(&hs->kallsyms);
    free(hs->kallsyms_path);
    free(hs->debug_dir);
    free(hs);
}

int hostsym_set_kallsyms(struct hostsym *hs, const char *path)
{
    char *copy = path ? strdup(path) : NULL;

    if (path && !copy)
        return -ENOMEM;
    free(hs->kallsyms_path);
    hs->kallsyms_path = copy;
    symtab_free(&hs->kallsyms);
    hs->kallsyms_tried = false;
    return 0;
}

/* --- symbol tables ------------------------------------------------------------- */

static size_t leading_underscores(const char *s)
{
    size_t n = 0;

    while (s[n] == '_')
        n++;
    return n;
}

/*
 * By address; among symbols at the same address the best first, by perf's
 * choose_best_symbol(): non-zero size, not weak, global, fewer leading
 * underscores, longer name.
 */
static int sym_cmp(const void *a, const void *b, void *names)
{
    const struct hs_sym *x = a, *y = b;
    const char *nx = (const char *)names + x->name, *ny = (const char *)names + y->name;
    size_t ux, uy, lx, ly;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (!x->size != !y->size)
        return x->size ? -1 : 1;
    if ((x->bind == STB_WEAK) != (y->bind == STB_WEAK))
        return x->bind == STB_WEAK ? 1 : -1;
    if ((x->bind == STB_GLOBAL) != (y->bind == STB_GLOBAL))
        return x->bind == STB_GLOBAL ? -1 : 1;
    ux = leading_underscores(nx);
    uy = leading_underscores(ny);
    if (ux != uy)
        return ux < uy ? -1 : 1;
    lx = strlen(nx);
    ly = strlen(ny);
    if (lx != ly)
        return lx > ly ? -1 : 1;
    return strcmp(nx, ny);
}

/*
 * Sort t, keep the best symbol per address, and give every symbol its end:
 * start + size, or (size 0) the next symbol's start, as perf's
 * symbols__fixup_end (the last one: the page after its start).
 */
static void symtab_finish(struct hs_symtab *t)
{
    size_t n = 0;

    if (t->nr_syms)
        qsort_r(t->syms, t->nr_syms, sizeof(*t->syms), sym_cmp, t->names);
    for (size_t i = 0; i < t->nr_syms; i++) {
        if (n && t->syms[n - 1].start == t->syms[i].start)
            continue;
        t->syms[n++] = t->syms[i];
    }
    t->nr_syms = n;
    for (size_t i = 0; i < n; i++) {
        struct hs_sym *s = &t->syms[i];

        if (s->size && s->size - 1 <= UINT64_MAX - s->start)
            s->end = s->start + s->size;
        else if (i + 1 < n)
            s->end = t->syms[i + 1].start;
        else
            s->end = (s->start | 4095) < UINT64_MAX - 4096 ? (s->start | 4095) + 4097 : UINT64_MAX;
    }
}

/* The symbol of t containing addr, or NULL. */
static const struct hs_sym *symtab_find(const struct hs_symtab *t, uint64_t addr)
{
    size_t lo = PARTITION_POINT(t->nr_syms, mid, t->syms[mid].start <= addr);

    /* The last symbol at or below addr, or an enclosing one a little before. */
    for (unsigned n = 0; lo > 0 && n < MAX_NESTED; n++, lo--) {
        const struct hs_sym *s = &t->syms[lo - 1];

        if (addr < s->end)
            return s;
    }
    return NULL;
}

/* Append a symbol with a copy of name; 0 or -ENOMEM. */
static int symtab_add(struct hs_symtab *t, size_t *cap, size_t *names_len, size_t *names_cap,
                      uint64_t start, uint64_t size, int bind, const char *name)
{
    size_t len = strlen(name) + 1;

    struct hs_sym *s = array_reserve(t->syms, t->nr_syms, cap, sizeof(*s), 256);

    if (!s)
        return -ENOMEM;
    t->syms = s;
    if (*names_len + len > *names_cap) {
        size_t c = *names_cap ? 2 * *names_cap : 4096;
        char *p;

        while (c < *names_len + len)
            c *= 2;
        p = realloc(t->names, c);
        if (!p)
            return -ENOMEM;
        t->names = p;
        *names_cap = c;
    }
    memcpy(t->names + *names_len, name, len);
    t->syms[t->nr_syms++] = (struct hs_sym){ start, 0, size, *names_len, bind };
    *names_len += len;
    return 0;
}

/* The section of elf of the given type (the last one), or NULL. */
static Elf_Scn *find_section(Elf *elf, GElf_Word type)
{
    Elf_Scn *scn = NULL, *found = NULL;
    GElf_Shdr shdr;

    while ((scn = elf_nextscn(elf, scn)))
        if (gelf_getshdr(scn, &shdr) && shdr.sh_type == type)
            found = scn;
    return found;
}

/* The function symbols of section scn into t; 0 or -ENOMEM. */
static int symtab_read(struct hs_symtab *t, Elf *elf, Elf_Scn *scn)
{
    size_t cap = 0, names_len = 0, names_cap = 0, n;
    GElf_Shdr shdr;
    Elf_Data *data;

    if (!gelf_getshdr(scn, &shdr) || shdr.sh_entsize == 0)
        return 0;
    data = elf_getdata(scn, NULL);
    if (!data)
        return 0;
    n = data->d_size / shdr.sh_entsize;
    for (size_t i = 0; i < n; i++) {
        GElf_Sym s;
        const char *name;
        int type, err;

        if (!gelf_getsym(data, (int)i, &s))
            continue;
        type = GELF_ST_TYPE(s.st_info);
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF ||
            s.st_value == 0)
            continue;
        name = elf_strptr(elf, shdr.sh_link, s.st_name);
        if (!name || !name[0])
            continue;
        err = symtab_add(t, &cap, &names_len, &names_cap, s.st_value, s.st_size,
                         GELF_ST_BIND(s.st_info), name);
        if (err)
            return err;
    }
    symtab_finish(t);
    return 0;
}

/* Open path as ELF if it is a regular file; NULL otherwise. */
static Elf *elf_open(const char *path)
{
    struct stat st;

    /* Never a FIFO or a device: the name comes from a recording. */
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    return elffile_open(path);
}

/*
 * The vDSO: perf resolves it from the copy it saves at record time; the
 * image this process has is that of the running kernel, which is the
 * recording's when the report runs where perf record ran (the common case).
 */
static Elf *vdso_open(void)
{
    const GElf_Ehdr *eh = (const GElf_Ehdr *)getauxval(AT_SYSINFO_EHDR);
    size_t size;
    Elf *elf;

    if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64)
        return NULL;
    /* The section headers end the image. */
    size = (size_t)eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
    if (size < sizeof(*eh) || size > (1u << 20))
        return NULL;
    elf = elf_memory((char *)eh, size);
    if (elf && elf_kind(elf) != ELF_K_ELF) {
        elf_end(elf);
        return NULL;
    }
    return elf;
}

/*
 * Symbols for the PLT stubs, "name@plt", as perf synthesises them (x86-64:
 * .plt holds a 16-byte header, then one entry per .rela.plt relocation in
 * order).  Without them a sample in a stub would belong to _init, the
 * size-0 symbol before .plt.
 */
static int plt_add(struct hs_symtab *t, Elf *elf)
{
    Elf_Scn *scn = NULL, *plt = NULL, *rela = NULL, *dynsym;
    GElf_Shdr sh, plt_sh, rela_sh, dynsym_sh;
    Elf_Data *rela_data, *sym_data;
    size_t shstrndx, cap, names_len = 0, names_cap, entsize, n;
    GElf_Ehdr eh;
    int err;

    if (!gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64 ||
        elf_getshdrstrndx(elf, &shstrndx) != 0)
        return 0;
    while ((scn = elf_nextscn(elf, scn))) {
        const char *name;

        if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
            continue;
        if (!strcmp(name, ".plt") && sh.sh_type == SHT_PROGBITS)
            plt = scn;
        else if (!strcmp(name, ".rela.plt") && sh.sh_type == SHT_RELA)
            rela = scn;
    }
    if (!plt || !rela || !gelf_getshdr(plt, &plt_sh) || !gelf_getshdr(rela, &rela_sh) ||
        !rela_sh.sh_entsize || !(dynsym = elf_getscn(elf, rela_sh.sh_link)) ||
        !gelf_getshdr(dynsym, &dynsym_sh) || !(rela_data = elf_getdata(rela, NULL)) ||
        !(sym_data = elf_getdata(dynsym, NULL)))
        return 0;
    entsize = plt_sh.sh_entsize >= 4 ? plt_sh.sh_entsize : 16;
    n = rela_data->d_size / rela_sh.sh_entsize;
    /* symtab_add() grows the arrays from their current use. */
    cap = t->nr_syms;
    for (size_t i = 0; i < t->nr_syms; i++) {
        size_t end = t->syms[i].name + strlen(t->names + t->syms[i].name) + 1;

        if (end > names_len)
            names_len = end;
    }
    names_cap = names_len;
    for (size_t i = 0; i < n; i++) {
        uint64_t addr = plt_sh.sh_addr + (i + 1) * entsize;
        char name[512];
        const char *sym;
        GElf_Rela r;
        GElf_Sym ds;

        if (addr + entsize > plt_sh.sh_addr + plt_sh.sh_size)
            break;
        if (!gelf_getrela(rela_data, (int)i, &r) ||
            !gelf_getsym(sym_data, (int)GELF_R_SYM(r.r_info), &ds) ||
            !(sym = elf_strptr(elf, dynsym_sh.sh_link, ds.st_name)) || !sym[0])
            continue;
        snprintf(name, sizeof(name), "%s@plt", sym);
        err = symtab_add(t, &cap, &names_len, &names_cap, addr, entsize, STB_GLOBAL, name);
        if (err)
            return err;
    }
    symtab_finish(t);
    return 0;
}

/* The .symtab of the separate debug file of build-id id under root; 0 or -ENOMEM. */
static int debug_symtab(struct hs_symtab *t, const char *root, const uint8_t *id, size_t len)
{
    char path[4096], *p;
    int err = 0, n;
    Elf_Scn *scn;
    Elf *elf;

    if (len < 2)
        return 0;
    n = snprintf(path, sizeof(path), "%s/.build-id/%02x/", root, id[0]);
    if (n < 0 || (size_t)n + 2 * len + 7 > sizeof(path))
        return 0;
    p = path + n;
    for (size_t i = 1; i < len; i++)
        p += sprintf(p, "%02x", id[i]);
    strcpy(p, ".debug");
    elf = elf_open(path);
    if (!elf)
        return 0;
    scn = find_section(elf, SHT_SYMTAB);
    if (scn)
        err = symtab_read(t, elf, scn);
    elf_end(elf);
    return err;
}

/*
 * Read d's PT_LOAD headers and symbols: its .symtab, else the .symtab of
 * its debug file by build-id (the caller's directory, then /usr/lib/debug),
 * else its .dynsym.  0 (also when nothing can be read) or -ENOMEM.
 */
static int dso_open(struct hostsym *hs, struct hs_dso *d)
{
    const char *roots[] = { hs->debug_dir, "/usr/lib/debug" };
    size_t nr_ph = 0;
    Elf_Scn *scn;
    Elf *elf;
    int err = 0;

    if (d->tried)
        return 0;
    d->tried = true;
    if (!strcmp(d->path, "[vdso]"))
        elf = vdso_open();
    else if (d->path[0] != '/')
        return 0;       /* //anon, [heap]: nothing to read */
    else
        elf = elf_open(d->path);
    if (!elf)
        return 0;
    if (elf_getphdrnum(elf, &nr_ph) == 0 && nr_ph) {
        d->loads = calloc(nr_ph, sizeof(*d->loads));
        if (!d->loads) {
            err = -ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < nr_ph; i++) {
            GElf_Phdr ph;

            if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
                d->loads[d->nr_loads++] = (struct hs_load){ ph.p_offset, ph.p_vaddr,
                                                            ph.p_filesz, ph.p_memsz };
        }
    }
    if (d->build_id_size == 0) {
        const void *id;
        ssize_t len = dwelf_elf_gnu_build_id(elf, &id);

        if (len > 0) {
            d->build_id_size = (size_t)len < MAX_BUILD_ID ? (size_t)len : MAX_BUILD_ID;
            memcpy(d->build_id, id, d->build_id_size);
        }
    }
    scn = find_section(elf, SHT_SYMTAB);
    if (scn) {
        err = symtab_read(&d->tab, elf, scn);
        goto plt;
    }
    for (size_t i = 0; i < 2 && !err && !d->tab.nr_syms; i++)
        if (roots[i])
            err = debug_symtab(&d->tab, roots[i], d->build_id, d->build_id_size);
    if (!err && !d->tab.nr_syms) {
        scn = find_section(elf, SHT_DYNSYM);
        if (scn)
            err = symtab_read(&d->tab, elf, scn);
    }
plt:
    if (!err)
        err = plt_add(&d->tab, elf);
out:
    elf_end(elf);
    return err;
}

/* ELF vaddr of file offset off through d's PT_LOADs; false if none holds it. */
static bool dso_vaddr(const struct hs_dso *d, uint64_t off, uint64_t *vaddr)
{
    for (size_t i = 0; i < d->nr_loads; i++) {
        const struct hs_load *l = &d->loads[i];

        if (off >= l->offset && off - l->offset < (l->filesz > l->memsz ? l->filesz : l->memsz)) {
            *vaddr = off - l->offset + l->vaddr;
            return true;
        }
    }
    return false;
}

/* --- kernel symbols ------------------------------------------------------------ */

/* Text symbols of a kallsyms file; all-zero addresses (kptr_restrict): none. */
/*
 * One line of /proc/kallsyms, "ADDR TYPE NAME[\t[MODULE]]\n": false if it is
 * not one.  NAME is cut at the first blank, in line.
 */
static bool kallsyms_parse(char *line, unsigned long long *addr, char *type, char **name)
{
    char *end, *n;

    errno = 0;
    *addr = strtoull(line, &end, 16);
    if (end == line || errno || end[0] != ' ' || !end[1] || end[2] != ' ')
        return false;
    *type = end[1];
    n = end + 3;
    end = n + strcspn(n, " \t\r\n");
    if (end == n)
        return false;
    *end = '\0';
    *name = n;
    return true;
}

static int kallsyms_read(struct hostsym *hs)
{
    size_t cap = 0, names_len = 0, names_cap = 0;
    bool nonzero = false;
    char line[1024];
    FILE *f;
    int err = 0;

    hs->kallsyms_tried = true;
    if (!hs->kallsyms_path)
        return 0;
    f = fopen(hs->kallsyms_path, "re");
    if (!f)
        return 0;
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    while (!err && fgets(line, sizeof(line), f)) {
        unsigned long long addr;
        char type, *name;

        if (!kallsyms_parse(line, &addr, &type, &name))
            continue;
        if (type != 't' && type != 'T' && type != 'w' && type != 'W')
            continue;
        nonzero |= addr != 0;
        err = symtab_add(&hs->kallsyms, &cap, &names_len, &names_cap, addr, 0,
                         type == 'T' ? STB_GLOBAL : type == 't' ? STB_LOCAL : STB_WEAK, name);
    }
    fclose(f);
    if (err || !nonzero)
        symtab_free(&hs->kallsyms);
    else
        symtab_finish(&hs->kallsyms);
    return err;
}

/* --- maps ------------------------------------------------------------------------ */

static size_t path_hash(const char *s, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;     /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (size_t)(h ^ (h >> 32)) & (size - 1);
}

/* Insert d into the hash (which has room); d->path must not be in it. */
static void dso_hash_put(struct hs_dso **hash, size_t size, struct hs_dso *d)
{
    size_t i = path_hash(d->path, size);

    while (hash[i])
        i = (i + 1) & (size - 1);
    hash[i] = d;
}

/* The DSO of path, created on first sight; NULL on -ENOMEM. */
static struct hs_dso *dso_get(struct hostsym *hs, const char *path, const uint8_t *build_id,
                              size_t build_id_size)
{
    struct hs_dso *d = NULL;
    const char *slash;

    if (hs->dso_hash_size) {
        for (size_t i = path_hash(path, hs->dso_hash_size); hs->dso_hash[i];
             i = (i + 1) & (hs->dso_hash_size - 1)) {
            if (strcmp(hs->dso_hash[i]->path, path) == 0) {
                d = hs->dso_hash[i];
                break;
            }
        }
    }
    if (!d) {
        if (2 * (hs->nr_dsos + 1) > hs->dso_hash_size) {
            size_t size = hs->dso_hash_size ? 2 * hs->dso_hash_size : 64;
            struct hs_dso **hash = calloc(size, sizeof(*hash));

            if (!hash)
                return NULL;
            for (struct hs_dso *o = hs->dsos; o; o = o->next)
                dso_hash_put(hash, size, o);
            free(hs->dso_hash);
            hs->dso_hash = hash;
            hs->dso_hash_size = size;
        }
        d = calloc(1, sizeof(*d) + strlen(path) + 1);
        if (!d)
            return NULL;
        strcpy(d->path, path);
        slash = strrchr(d->path, '/');
        d->name = slash && slash[1] ? slash + 1 : d->path;
        d->next = hs->dsos;
        hs->dsos = d;
        hs->nr_dsos++;
        dso_hash_put(hs->dso_hash, hs->dso_hash_size, d);
    }
    if (build_id && build_id_size && !d->build_id_size && !d->tried) {
        d->build_id_size = build_id_size < MAX_BUILD_ID ? build_id_size : MAX_BUILD_ID;
        memcpy(d->build_id, build_id, d->build_id_size);
    }
    return d;
}

static struct hs_pid *pid_get(struct hostsym *hs, uint32_t pid, bool create)
{
    struct hs_pid *p;

    for (size_t i = 0; i < hs->nr_pids; i++)
        if (hs->pids[i].pid == pid)
            return &hs->pids[i];
    if (!create)
        return NULL;
    p = array_reserve(hs->pids, hs->nr_pids, &hs->cap_pids, sizeof(*p), 8);
    if (!p)
        return NULL;
    hs->pids = p;
    p = &hs->pids[hs->nr_pids];
    p->pid = pid;
    if (codemap_new(&p->cm))
        return NULL;
    hs->nr_pids++;
    return p;
}

int hostsym_add_mmap(struct hostsym *hs, uint32_t pid, uint64_t time, uint64_t start,
                     uint64_t len, uint64_t pgoff, const char *path,
                     const uint8_t *build_id, size_t build_id_size)
{
    struct hs_dso *d;
    struct hs_pid *p;
    struct hs_map *m;
    int err;

    if (!path || len == 0 || len - 1 > UINT64_MAX - start)
        return -EINVAL;
    m = array_reserve(hs->maps, hs->nr_maps, &hs->cap_maps, sizeof(*m), 64);
    if (!m)
        return -ENOMEM;
    hs->maps = m;
    d = dso_get(hs, path, build_id, build_id_size);
    p = d ? pid_get(hs, pid, true) : NULL;
    if (!p)
        return -ENOMEM;
    err = codemap_add(p->cm, time, start, len, hs->nr_maps);
    if (err)
        return err;
    hs->maps[hs->nr_maps++] = (struct hs_map){ start, len, pgoff, d };
    return 0;
}

int hostsym_find_map(struct hostsym *hs, uint32_t pid, uint64_t addr, uint64_t time,
                     struct hostsym_map *out)
{
    struct hs_pid *p = pid_get(hs, pid, false);
    const struct hs_map *map;
    uint64_t cookie;
    int err;

    if (!p)
        return 0;
    err = codemap_build(p->cm);
    if (err)
        return err;
    if (codemap_lookup(p->cm, addr, time, &cookie, NULL) != 1)
        return 0;
    map = &hs->maps[cookie];
    *out = (struct hostsym_map){
        .start = map->start,
        .end = map->start + map->len - 1 < map->start ? UINT64_MAX : map->start + map->len,
        .pgoff = map->pgoff,
        .path = map->dso->path,
    };
    return 1;
}

int hostsym_lookup(struct hostsym *hs, uint32_t pid, uint64_t addr, uint64_t time,
                   unsigned flags, struct hostsym_loc *loc)
{
    const struct hs_symtab *tab = NULL;
    const struct hs_sym *sym;
    const struct hs_map *map;
    struct hs_pid *p;
    uint64_t cookie;
    int err;

    memset(loc, 0, sizeof(*loc));
    if ((flags & HOSTSYM_KERNEL) || (addr >> 63)) {
        if (!hs->kallsyms_tried) {
            err = kallsyms_read(hs);
            if (err)
                return err;
        }
        loc->found = loc->kernel = true;
        loc->dso_path = loc->dso_name = KERNEL_DSO;
        loc->elf_addr = addr;
        tab = &hs->kallsyms;
    } else {
        p = pid_get(hs, pid, false);
        if (!p)
            return 0;
        err = codemap_build(p->cm);     /* nothing to do unless maps were added */
        if (err)
            return err;
        if (codemap_lookup(p->cm, addr, time, &cookie, NULL) != 1)
            return 0;
        map = &hs->maps[cookie];
        loc->found = true;
        loc->dso_path = map->dso->path;
        loc->dso_name = map->dso->name;
        loc->map_start = map->start;
        err = dso_open(hs, map->dso);
        if (err)
            return err;
        /* perf's map__map_ip, then the file offset to a vaddr. */
        loc->elf_addr = addr - map->start + map->pgoff;
        if (dso_vaddr(map->dso, loc->elf_addr, &loc->elf_addr))
            tab = &map->dso->tab;
    }
    loc->offset = loc->elf_addr;
    sym = tab ? symtab_find(tab, loc->elf_addr) : NULL;
    if (sym) {
        loc->symbol = tab->names + sym->name;
        loc->sym_start = sym->start;
        loc->sym_size = sym->size;
        loc->offset = loc->elf_addr - sym->start;
    }
    return 0;
}
