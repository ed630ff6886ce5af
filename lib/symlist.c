/*
 * symlist.c: a System.map-style symbol list into a symbol index (see
 * symlist.h).
 *
 * One pass over a private copy of the text cuts it into entries (the
 * names are NUL-terminated in place, as QEMU does), one sort by address,
 * one pass that gives each code symbol the distance to the next higher
 * address as its size; elfsyms_new_funcs() does the rest.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "array.h"
#include "filebuf.h"
#include "symlist.h"

#define STB_LOCAL_  0       /* elf.h's STB_LOCAL, STB_GLOBAL and STT_FUNC */
#define STB_GLOBAL_ 1
#define STT_FUNC_   2

/* One line: an address, and for a code symbol its name and type. */
struct symlist_entry {
    uint64_t addr;
    const char *name;       /* NULL: not code; it only ends the code before it */
    char type;
};

struct symlist_parse {
    struct symlist_entry *entries;
    size_t nr, cap;
};

/*
 * Parse one NUL-terminated line (QEMU's syms_read_list() test): false if it
 * is not "ADDRESS TYPE NAME".
 */
static bool parse_line(char *line, struct symlist_entry *e)
{
    char *end;

    errno = 0;
    e->addr = strtoull(line, &end, 16);
    /* qemu_strtou64(): no digits or out of range is an error. */
    if (end == line || errno == ERANGE)
        return false;
    if (end[0] != ' ' || !end[1] || end[2] != ' ' || !end[3])
        return false;
    e->type = end[1];
    e->name = NULL;
    if (strchr("tTwW", e->type)) {
        char *name = end + 3;

        name[strcspn(name, " \t\r")] = '\0';
        e->name = name;
    }
    return true;
}

/* Cut text[0, len) (NUL at text[len]) into p's entries; -EBADMSG with *bad set. */
static int parse_lines(char *text, size_t len, struct symlist_parse *p, size_t *bad)
{
    size_t pos = 0;

    while (pos < len) {
        char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - line) : len - pos;
        struct symlist_entry *n;

        line[line_len] = '\0';     /* the '\n', or the NUL after the text */
        if (!line_len) {            /* strtok_r() skips empty lines */
            pos++;
            continue;
        }
        n = array_reserve(p->entries, p->nr, &p->cap, sizeof(*n), 256);
        if (!n)
            return -ENOMEM;
        p->entries = n;
        if (!parse_line(line, &p->entries[p->nr])) {
            *bad = pos;
            return -EBADMSG;
        }
        p->nr++;
        pos += line_len + 1;
    }
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct symlist_entry *x = a, *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * The code symbols of the sorted entries, each ending where the next
 * higher address starts (size 0 when none does: elfsyms drops it).
 */
static int code_symbols(const struct symlist_parse *p, struct elfsym **funcsp, size_t *nrp)
{
    struct elfsym *funcs = NULL;
    size_t nr = 0, cap = 0, next = 0;

    for (size_t i = 0; i < p->nr; i++) {
        const struct symlist_entry *e = &p->entries[i];
        struct elfsym *n;

        if (!e->name || !e->name[0])
            continue;
        /* next: the first entry above e's address (entries are sorted). */
        if (next <= i)
            next = i + 1;
        while (next < p->nr && p->entries[next].addr <= e->addr)
            next++;
        n = array_reserve(funcs, nr, &cap, sizeof(*n), 256);
        if (!n) {
            free(funcs);
            return -ENOMEM;
        }
        funcs = n;
        funcs[nr++] = (struct elfsym){
            e->addr, next < p->nr ? p->entries[next].addr - e->addr : 0, e->name,
            (unsigned char)(e->type >= 'A' && e->type <= 'Z' ? STB_GLOBAL_ : STB_LOCAL_),
            STT_FUNC_ };
    }
    *funcsp = funcs;
    *nrp = nr;
    return 0;
}

int symlist_read_mem(const char *text, size_t len, struct elfsyms **esp, size_t *err_offset)
{
    struct symlist_parse p = { 0 };
    struct elfsym *funcs = NULL;
    size_t nr = 0, bad = 0;
    const char *nul;
    char *copy;
    int err;

    *esp = NULL;
    if (len > SYMLIST_MAX_SIZE)
        return -EFBIG;
    nul = len ? memchr(text, '\0', len) : NULL;
    if (nul) {
        if (err_offset)
            *err_offset = (size_t)(nul - text);
        return -EBADMSG;    /* a binary file, not a list */
    }
    copy = malloc(len + 1);
    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    err = parse_lines(copy, len, &p, &bad);
    if (!err) {
        if (p.nr)           /* qsort() of NULL is undefined even for 0 entries */
            qsort(p.entries, p.nr, sizeof(*p.entries), entry_cmp);
        err = code_symbols(&p, &funcs, &nr);
    }
    free(p.entries);
    if (err) {
        free(copy);
        if (err == -EBADMSG && err_offset)
            *err_offset = bad;
        return err;
    }
    /* The names point into copy: the index takes both. */
    return elfsyms_new_funcs(funcs, nr, copy, esp);
}

int symlist_read_file(const char *path, struct elfsyms **esp, size_t *err_offset)
{
    struct filebuf fb;
    const char *what;
    struct stat st;
    int err;

    *esp = NULL;
    if (stat(path, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    if ((uint64_t)st.st_size > SYMLIST_MAX_SIZE)
        return -EFBIG;      /* refused before it is read */
    err = filebuf_open(path, &fb, &what);
    if (err)
        return err;
    err = symlist_read_mem((const char *)fb.data, fb.len, esp, err_offset);
    filebuf_close(&fb);
    return err;
}
