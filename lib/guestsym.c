/*
 * guestsym.c: guest code addresses to symbols, source lines and inlined
 * frames (see guestsym.h).
 *
 * The mapped ranges are a small array replayed from the side file's records
 * (a guest maps a few dozen files).  Each (file, bias) is a module with its
 * own Dwfl, reported on first use so that its addresses are guest
 * addresses; its symbols are indexed once (elfsyms.h).  Results are cached
 * in a hash table keyed by (module, pc), the source line, frames and
 * libdwfl's symbol filled in on demand.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <ctype.h>
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "array.h"
#include "elffile.h"
#include "elfsyms.h"
#include "guestsym.h"
#include "symlist.h"

#define MAX_FRAMES 64       /* deeper inline chains are cut */

/* One guest ELF file (or symbol list) at one load bias, opened on first use. */
struct gs_module {
    struct gs_module *next;
    const char *basename;
    uint64_t bias;
    uint8_t kind;           /* TBS_MAPPING_* */
    bool tried;
    bool list_ok;           /* a symbol list, read into syms */
    Dwfl *dwfl;             /* NULL if the file could not be reported */
    Dwfl_Module *mod;
    bool dwarf_checked;     /* dwarf_ok is known */
    bool dwarf_ok;          /* its DWARF (if any) is safe to hand to libdw */
    struct elfsyms *syms;   /* NULL until opened, or if the file cannot be read */
    char path[];            /* allocated with the module */
};

/* An executable guest range and the module that fills it. */
struct gs_range {
    uint64_t start, end;
    struct gs_module *module;
};

/* A cached result, its name allocated with it, its frames separately. */
struct gs_cached {
    struct guestsym_loc loc;
    struct gs_module *module;   /* the key, with loc.pc; NULL: unmapped */
    struct guestsym_frame *frames;
    bool have_src;              /* loc's source line was looked for */
};

struct guestsym {
    struct elffile_debuginfo debuginfo;  /* must outlive every Dwfl */
    struct gs_range *ranges;
    size_t nr_ranges, cap_ranges;
    struct gs_module *modules;
    struct gs_cached **cache;   /* open addressing, power-of-two size */
    size_t cache_size, cache_used;
};

int guestsym_format_name(char *buf, size_t size, const char *sym, const char *object,
                         uint64_t off)
{
    if (sym)
        return off ? snprintf(buf, size, "%s+0x%" PRIx64, sym, off)
                   : snprintf(buf, size, "%s", sym);
    if (object)
        return snprintf(buf, size, "%s+0x%" PRIx64, object, off);
    return guestsym_unmapped_name(buf, size, off, TBS_PRIV_NONE);
}

int guestsym_unmapped_name(char *buf, size_t size, uint64_t pc, unsigned privilege)
{
    switch (privilege) {
    case TBS_PRIV_USER:
        return snprintf(buf, size, "[user] 0x%" PRIx64, pc);
    case TBS_PRIV_SUPERVISOR:
        return snprintf(buf, size, "[kernel] 0x%" PRIx64, pc);
    default:
        return snprintf(buf, size, "guest-0x%" PRIx64, pc);
    }
}

int guestsym_new(const char *debug_dir, struct guestsym **gsp)
{
    struct guestsym *gs = calloc(1, sizeof(*gs));

    *gsp = NULL;
    if (!gs || elffile_debuginfo_init(&gs->debuginfo, debug_dir)) {
        free(gs);
        return -ENOMEM;
    }
    *gsp = gs;
    return 0;
}

void guestsym_free(struct guestsym *gs)
{
    struct gs_module *m;

    if (!gs)
        return;
    for (size_t i = 0; i < gs->cache_size; i++) {
        if (gs->cache[i])
            free(gs->cache[i]->frames);
        free(gs->cache[i]);
    }
    free(gs->cache);
    m = gs->modules;
    while (m) {
        struct gs_module *next = m->next;

        elfsyms_free(m->syms);
        if (m->dwfl)
            dwfl_end(m->dwfl);
        free(m);
        m = next;
    }
    free(gs->ranges);
    elffile_debuginfo_fini(&gs->debuginfo);
    free(gs);
}

/* --- the guest's mapped ranges ------------------------------------------------ */

static struct gs_module *module_get(struct guestsym *gs, const char *path, uint64_t bias,
                                    uint8_t kind)
{
    struct gs_module *m;
    const char *slash;

    for (m = gs->modules; m; m = m->next)
        if (m->bias == bias && m->kind == kind && strcmp(m->path, path) == 0)
            return m;
    m = calloc(1, sizeof(*m) + strlen(path) + 1);
    if (!m)
        return NULL;
    strcpy(m->path, path);
    slash = strrchr(m->path, '/');
    m->basename = slash ? slash + 1 : m->path;
    m->bias = bias;
    m->kind = kind;
    m->next = gs->modules;
    gs->modules = m;
    return m;
}

static int ranges_reserve(struct guestsym *gs)
{
    struct gs_range *n = array_reserve(gs->ranges, gs->nr_ranges, &gs->cap_ranges,
                                       sizeof(*n), 16);

    if (!n)
        return -ENOMEM;
    gs->ranges = n;
    return 0;
}

int guestsym_remove(struct guestsym *gs, uint64_t start, uint64_t end)
{
    for (size_t i = 0; i < gs->nr_ranges; ) {
        struct gs_range *r = &gs->ranges[i];

        if (r->end <= start || r->start >= end) {
            i++;
        } else if (r->start < start && r->end > end) {
            /* Split in two: the part above end becomes a new range. */
            struct gs_range above = { end, r->end, r->module };

            if (ranges_reserve(gs))
                return -ENOMEM;
            r = &gs->ranges[i];
            r->end = start;
            gs->ranges[gs->nr_ranges++] = above;
            i++;
        } else if (r->start < start) {
            r->end = start;
            i++;
        } else if (r->end > end) {
            r->start = end;
            i++;
        } else {
            *r = gs->ranges[--gs->nr_ranges];
        }
    }
    return 0;
}

int guestsym_add_mapping(struct guestsym *gs, const struct tbs_mapping_view *m)
{
    struct gs_module *module;
    int err;

    if (!m->path)
        return -EINVAL;
    if (m->start >= m->end)
        return 0;
    err = guestsym_remove(gs, m->start, m->end);
    if (err)
        return err;
    module = module_get(gs, m->path, m->bias, m->kind);
    if (!module || ranges_reserve(gs))
        return -ENOMEM;
    gs->ranges[gs->nr_ranges++] = (struct gs_range){ m->start, m->end, module };
    return 0;
}

static struct gs_module *module_at(const struct guestsym *gs, uint64_t pc)
{
    for (size_t i = 0; i < gs->nr_ranges; i++)
        if (pc >= gs->ranges[i].start && pc < gs->ranges[i].end)
            return gs->ranges[i].module;
    return NULL;
}

/*
 * Report the module's file to its own Dwfl so that its addresses are guest
 * addresses, and index its symbols (elfsyms.h); a symbol list is read into
 * the same index (symlist.h), without Dwfl.  Returns 0 (also when the
 * file cannot be used: m->mod stays NULL, m->list_ok false) or -ENOMEM.
 */
static int module_open(struct guestsym *gs, struct gs_module *m)
{
    struct stat st;
    int err;

    if (m->tried)
        return 0;
    m->tried = true;
    /* QEMU writes a -perf-symbols list's path as the user gave it: maybe relative. */
    if (m->path[0] != '/' && m->kind != TBS_MAPPING_SYMBOL_LIST)
        return 0;       /* "[vdso]" and the like: nothing to open */
    /*
     * The path comes from the side file and the file may have changed since:
     * opening a FIFO would block forever, a device could be read endlessly.
     */
    if (stat(m->path, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    if (m->kind == TBS_MAPPING_SYMBOL_LIST) {
        /* Not a list (or gone, or too large): no symbols, as an unreadable ELF file. */
        err = symlist_read_file(m->path, &m->syms, NULL);
        m->list_ok = err == 0;
        return err == -ENOMEM ? err : 0;
    }
    err = elffile_report(&gs->debuginfo, m->path, m->basename, m->bias, &m->dwfl, &m->mod);
    if (err)
        return err == -ENOMEM ? err : 0;
    return elfsyms_new(m->mod, &m->syms);
}

/* --- DWARF: source line and inlined frames ------------------------------------ */

/*
 * Whether m's DWARF may be handed to libdw (elffile_strings_terminated()).
 * A file whose strings are not gets symbols but no source lines or frames.
 * Checked once per module; a file without DWARF is fine.
 */
static bool module_dwarf_ok(struct gs_module *m)
{
    Dwarf_Addr bias;
    Dwarf *dw;

    if (!m->mod)
        return false;
    if (!m->dwarf_checked) {
        m->dwarf_checked = true;
        dw = dwfl_module_getdwarf(m->mod, &bias);
        m->dwarf_ok = !dw || elffile_dwarf_ok(dw);
    }
    return m->dwarf_ok;
}

static const char *die_function_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    const char *name = NULL;

    if (dwarf_attr_integrate(die, DW_AT_name, &attr))
        name = dwarf_formstring(&attr);
    if (!name && (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
                  dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr)))
        name = dwarf_formstring(&attr);
    return name;
}

static int die_udata(Dwarf_Die *die, unsigned name)
{
    Dwarf_Attribute attr;
    Dwarf_Word v;

    if (!dwarf_attr(die, name, &attr) || dwarf_formudata(&attr, &v) != 0 || v > INT32_MAX)
        return -1;
    return (int)v;
}

/* DIEs whose children may hold scopes with code: libdw's __libdw_visit_scopes() set. */
static bool may_hold_scopes(int tag)
{
    switch (tag) {
    case DW_TAG_subprogram:
    case DW_TAG_inlined_subroutine:
    case DW_TAG_lexical_block:
    case DW_TAG_with_stmt:
    case DW_TAG_catch_block:
    case DW_TAG_try_block:
    case DW_TAG_entry_point:
    case DW_TAG_namespace:
    case DW_TAG_module:
    case DW_TAG_class_type:
    case DW_TAG_structure_type:
        return true;
    default:
        return false;
    }
}

#define MAX_SCOPE_DEPTH 128

/*
 * The DIEs under parent whose code ranges hold pc, outermost first, into
 * chain[depth...]; returns the new depth.  Only DIEs with ranges are
 * entered by their ranges; namespaces and classes, which have none, are
 * searched through.  This is the one descent dwarf_getscopes() makes, kept
 * as a chain: no second walk of the whole unit to find the innermost
 * scope's parents (dwarf_getscopes_die()), which was most of the time of
 * the frames of a large unit.
 */
static int scope_chain(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *chain, int depth)
{
    Dwarf_Die child;

    if (depth >= MAX_SCOPE_DEPTH || dwarf_child(parent, &child) != 0)
        return depth;
    do {
        int tag = dwarf_tag(&child), d;

        if (!may_hold_scopes(tag) || !dwarf_haschildren(&child)) {
            if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
                continue;
        }
        switch (dwarf_haspc(&child, pc)) {
        case 1:
            chain[depth] = child;
            return scope_chain(&child, pc, chain, depth + 1);
        case 0:
            if (tag == DW_TAG_namespace || tag == DW_TAG_module || tag == DW_TAG_class_type ||
                tag == DW_TAG_structure_type) {
                d = scope_chain(&child, pc, chain, depth);
                if (d > depth)
                    return d;
            }
            break;
        default:
            break;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return depth;
}

/*
 * The frames at pc (see struct guestsym_frame), into frames[MAX_FRAMES];
 * returns how many.  Frame 0's file:line is the line table's.
 */
static size_t module_frames(struct gs_module *m, uint64_t pc, const struct guestsym_loc *loc,
                            struct guestsym_frame *frames)
{
    Dwarf_Addr bias;
    Dwarf_Die *cu, chain[MAX_SCOPE_DEPTH], scopes[MAX_SCOPE_DEPTH];
    Dwarf_Files *files = NULL;
    size_t nr_files = 0, n = 0;
    int nscopes;

    if (!module_dwarf_ok(m))
        return 0;
    cu = dwfl_module_addrdie(m->mod, pc, &bias);
    if (!cu)
        return 0;
    /*
     * The concrete chain of callers is the DIE tree above the innermost
     * scope (as eu-addr2line -i has it), innermost first.
     */
    nscopes = scope_chain(cu, pc - bias, chain, 0);
    if (nscopes <= 0)
        return 0;
    for (int i = 0; i < nscopes; i++)
        scopes[i] = chain[nscopes - 1 - i];
    if (dwarf_getsrcfiles(cu, &files, &nr_files) != 0)
        files = NULL;
    frames[0] = (struct guestsym_frame){ NULL, loc->src_file, loc->src_line,
                                         loc->src_column };
    for (int i = 0; i < nscopes && n < MAX_FRAMES; i++) {
        Dwarf_Die *s = &scopes[i];
        int tag = dwarf_tag(s), file;

        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue;
        frames[n].function = die_function_name(s);
        if (tag == DW_TAG_subprogram) {
            n++;
            break;      /* the out-of-line function: the chain ends */
        }
        /* Inlined: the next frame is the caller, at the call site. */
        if (++n == MAX_FRAMES)
            break;
        file = die_udata(s, DW_AT_call_file);
        frames[n] = (struct guestsym_frame){
            NULL,
            files && file >= 0 && (size_t)file < nr_files ? dwarf_filesrc(files, file, NULL, NULL)
                                                          : NULL,
            0, 0 };
        frames[n].line = die_udata(s, DW_AT_call_line);
        frames[n].column = die_udata(s, DW_AT_call_column);
        if (frames[n].line < 0)
            frames[n].line = 0;
        if (frames[n].column < 0)
            frames[n].column = 0;
    }
    /* A chain cut short still ends with a frame whose function may be NULL. */
    return n;
}

/* --- lookups and their cache -------------------------------------------------------- */

static size_t cache_hash(const struct gs_module *m, uint64_t pc, size_t size)
{
    uint64_t h = (pc ^ (uintptr_t)m * 0x9e3779b97f4a7c15ull) * 0xff51afd7ed558ccdull;

    return (size_t)(h ^ (h >> 32)) & (size - 1);
}

static struct gs_cached *cache_find(const struct guestsym *gs, const struct gs_module *m,
                                    uint64_t pc)
{
    if (!gs->cache_size)
        return NULL;
    for (size_t i = cache_hash(m, pc, gs->cache_size); gs->cache[i];
         i = (i + 1) & (gs->cache_size - 1))
        if (gs->cache[i]->module == m && gs->cache[i]->loc.pc == pc)
            return gs->cache[i];
    return NULL;
}

static int cache_insert(struct guestsym *gs, struct gs_cached *c)
{
    size_t i;

    if (2 * (gs->cache_used + 1) > gs->cache_size) {
        size_t size = gs->cache_size ? 2 * gs->cache_size : 1024;
        struct gs_cached **t = calloc(size, sizeof(*t));

        if (!t)
            return -ENOMEM;
        for (size_t j = 0; j < gs->cache_size; j++) {
            if (!gs->cache[j])
                continue;
            for (i = cache_hash(gs->cache[j]->module, gs->cache[j]->loc.pc, size); t[i];
                 i = (i + 1) & (size - 1))
                ;
            t[i] = gs->cache[j];
        }
        free(gs->cache);
        gs->cache = t;
        gs->cache_size = size;
    }
    for (i = cache_hash(c->module, c->loc.pc, gs->cache_size); gs->cache[i];
         i = (i + 1) & (gs->cache_size - 1))
        ;
    gs->cache[i] = c;
    gs->cache_used++;
    return 0;
}

/*
 * Resolve pc in module m (NULL: unmapped) into a new cache entry: symbol and
 * name; the source line, frames and libdwfl's symbol are filled on demand.
 */
static int resolve(struct guestsym *gs, struct gs_module *m, uint64_t pc,
                   struct gs_cached **cp)
{
    struct guestsym_loc loc = { .pc = pc };
    const struct elfsym *sym = NULL;
    struct gs_cached *c;
    int name_len, err;
    char *p;

    if (m) {
        err = module_open(gs, m);
        if (err)
            return err;
        loc.mapped = true;
        loc.path = m->path;
        loc.basename = m->basename;
        loc.bias = m->bias;
        loc.vaddr = pc - m->bias;
        loc.file_ok = m->mod || m->list_ok;
        sym = elfsyms_func_at(m->syms, loc.vaddr);
        if (sym) {
            loc.symbol = sym->name;
            loc.sym_start = sym->addr + m->bias;
            loc.sym_size = sym->size;
            loc.offset = loc.vaddr - sym->addr;
        } else {
            loc.offset = loc.vaddr;
        }
    } else {
        loc.offset = pc;
    }
    name_len = guestsym_format_name(NULL, 0, loc.symbol, m ? m->basename : NULL, loc.offset);
    if (name_len < 0)
        return -ENOMEM;
    c = malloc(sizeof(*c) + (size_t)name_len + 1);
    if (!c)
        return -ENOMEM;
    p = (char *)(c + 1);
    guestsym_format_name(p, (size_t)name_len + 1, loc.symbol, m ? m->basename : NULL,
                         loc.offset);
    loc.name = p;
    /* Without a file there is nothing more to look for. */
    loc.have_frames = loc.have_dwfl_symbol = !m || !m->mod;
    c->loc = loc;
    c->module = m;
    c->frames = NULL;
    c->have_src = !m || !m->mod;
    err = cache_insert(gs, c);
    if (err) {
        free(c);
        return err;
    }
    *cp = c;
    return 0;
}

/* Fill c's source line, once. */
static void resolve_src(struct gs_cached *c)
{
    struct gs_module *m = c->module;
    struct guestsym_loc *loc = &c->loc;
    Dwfl_Line *line;

    if (c->have_src)
        return;
    c->have_src = true;
    if (!module_dwarf_ok(m) || !(line = dwfl_module_getsrc(m->mod, loc->pc)))
        return;
    loc->src_file = dwfl_lineinfo(line, NULL, &loc->src_line, &loc->src_column, NULL, NULL);
    if (!loc->src_file || loc->src_line < 0)
        loc->src_file = NULL, loc->src_line = 0, loc->src_column = 0;
}

/* Fill c's dwfl_symbol, once: libdwfl's rule on the module's index. */
static void resolve_dwfl_symbol(struct gs_cached *c)
{
    const struct elfsym *s;

    if (c->loc.have_dwfl_symbol)
        return;
    s = elfsyms_any_at(c->module->syms, c->loc.vaddr);
    c->loc.dwfl_symbol = s ? s->name : NULL;
    c->loc.dwfl_offset = s ? c->loc.vaddr - s->addr : 0;
    c->loc.have_dwfl_symbol = true;
}

/* Fill c's inlined frames, once. */
static int resolve_frames(struct gs_cached *c)
{
    struct guestsym_frame frames[MAX_FRAMES];
    size_t n;

    if (c->loc.have_frames)
        return 0;
    n = module_frames(c->module, c->loc.pc, &c->loc, frames);
    if (n) {
        c->frames = malloc(n * sizeof(*frames));
        if (!c->frames)
            return -ENOMEM;
        memcpy(c->frames, frames, n * sizeof(*frames));
    }
    c->loc.frames = c->frames;
    c->loc.nr_frames = n;
    c->loc.have_frames = true;
    return 0;
}

/* The cache entry of pc, resolved if new; the source line only if src. */
static int lookup_entry(struct guestsym *gs, uint64_t pc, bool src, struct gs_cached **cp)
{
    struct gs_module *m = module_at(gs, pc);
    struct gs_cached *c = cache_find(gs, m, pc);
    int err;

    if (!c) {
        err = resolve(gs, m, pc, &c);
        if (err)
            return err;
    }
    if (src)
        resolve_src(c);
    *cp = c;
    return 0;
}

int guestsym_lookup_flags(struct guestsym *gs, uint64_t pc, unsigned flags,
                          const struct guestsym_loc **locp)
{
    struct gs_cached *c;
    /* The innermost inlined frame is the source line. */
    bool src = !(flags & GUESTSYM_NO_SOURCE) || (flags & GUESTSYM_FRAMES);
    int err = lookup_entry(gs, pc, src, &c);

    if (err)
        return err;
    if (flags & GUESTSYM_DWFL_SYMBOL)
        resolve_dwfl_symbol(c);
    if (flags & GUESTSYM_FRAMES) {
        err = resolve_frames(c);
        if (err)
            return err;
    }
    *locp = &c->loc;
    return 0;
}

/* Whether name is "BASENAME+0xVADDR" for pc in m, QEMU's name without a symbol. */
static bool is_fallback_name(const struct gs_module *m, uint64_t pc, const char *name)
{
    size_t len = strlen(m->basename);
    char *end;
    unsigned long long v;

    if (strncmp(name, m->basename, len) != 0 || strncmp(name + len, "+0x", 3) != 0 ||
        !isxdigit((unsigned char)name[len + 3]))
        return false;
    v = strtoull(name + len + 3, &end, 16);
    return !*end && v == pc - m->bias;
}

const char *guestsym_load_name(struct guestsym *gs, uint64_t pc, const char *name)
{
    struct gs_module *m;
    struct gs_cached *c;

    if (!gs || !name || !(m = module_at(gs, pc)) || !is_fallback_name(m, pc, name) ||
        lookup_entry(gs, pc, false, &c) < 0)
        return name;
    return c->loc.symbol ? c->loc.name : name;
}

int guestsym_lookup(struct guestsym *gs, uint64_t pc, const struct guestsym_loc **locp)
{
    return guestsym_lookup_flags(gs, pc, GUESTSYM_FRAMES | GUESTSYM_DWFL_SYMBOL, locp);
}
