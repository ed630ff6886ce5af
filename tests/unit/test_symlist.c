/*
 * test_symlist.c: system emulation's names (side-file format 1.4): the
 * name of code outside every mapping by privilege level, symbol lists
 * (lib/symlist.c, QEMU's -perf-symbols FILE rules) on their own and
 * through guestsym, a tbdb key's privilege; and, as an independent oracle,
 * the names a list made by `nm` gives against the names elfsyms gives for
 * the ELF file itself.
 *
 * Fixtures: text lists written here, a side file written with
 * tbstats_writer, and for the oracle `nm --defined-only` on this test's
 * own executable (cc -O2 -g, so it has a .symtab: about 120 functions).
 * That part is skipped (not failed) without nm.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestsym.h"
#include "symlist.h"
#include "tbdb.h"
#include "recording.h"
#include "unit.h"

static void test_unmapped_name(void)
{
    char buf[64];

    CHECK_EQ_I64(guestsym_unmapped_name(buf, sizeof(buf), 0x4000, TBS_PRIV_NONE), 12);
    CHECK_STR_EQ(buf, "guest-0x4000");
    guestsym_unmapped_name(buf, sizeof(buf), 0xffffffff81000000ull, TBS_PRIV_SUPERVISOR);
    CHECK_STR_EQ(buf, "[kernel] 0xffffffff81000000");
    guestsym_unmapped_name(buf, sizeof(buf), 0x401000, TBS_PRIV_USER);
    CHECK_STR_EQ(buf, "[user] 0x401000");
    guestsym_unmapped_name(buf, sizeof(buf), 0, TBS_PRIV_USER);
    CHECK_STR_EQ(buf, "[user] 0x0");
    /* A value QEMU does not write: user mode's name, as QEMU's default. */
    guestsym_unmapped_name(buf, sizeof(buf), 0xabc, 7);
    CHECK_STR_EQ(buf, "guest-0xabc");
    /* snprintf()'s contract: the length needed, the prefix that fits. */
    CHECK_EQ_I64(guestsym_unmapped_name(buf, 4, 0x10, TBS_PRIV_SUPERVISOR), 13);
    CHECK_STR_EQ(buf, "[ke");
    /* guestsym_format_name() without symbol or object is the same rule. */
    guestsym_format_name(buf, sizeof(buf), NULL, NULL, 0x4000);
    CHECK_STR_EQ(buf, "guest-0x4000");
}

/* The name of addr in list, looked up as guestsym does: "" when no symbol. */
static const char *func_name(const struct elfsyms *es, uint64_t addr, char *buf, size_t size)
{
    const struct elfsym *s = elfsyms_func_at(es, addr);

    if (!s)
        return "";
    guestsym_format_name(buf, size, s->name, NULL, addr - s->addr);
    return buf;
}

/* QEMU's rules for a list, one by one (tcg/perf-symbols.c, syms_read_list()). */
static void test_list_rules(void)
{
    static const char list[] =
        "0000000000001000 T start\n"
        "\n"
        "0000000000001010 t helper\n"
        "0000000000001010 T helper_alias\n"   /* an alias: the global name wins */
        "0000000000001020 D some_data\n"      /* not code, but ends helper */
        "0000000000001040 W weak_fn\r\n"      /* CRLF: the name ends at '\r' */
        "1030 w local_weak extra words\n"     /* out of order; ends at the space */
        "0000000000001050 r rodata\n"
        "0000000000001050 T same_as_rodata\n" /* ends at the next higher address */
        "0000000000001060 T last\n";          /* nothing after: names nothing */
    struct elfsyms *es;
    char buf[64];
    size_t nr;
    const struct elfsym *f;

    CHECK_EQ_I64(symlist_read_mem(list, strlen(list), &es, NULL), 0);
    CHECK_STR_EQ(func_name(es, 0x1000, buf, sizeof(buf)), "start");
    CHECK_STR_EQ(func_name(es, 0x100f, buf, sizeof(buf)), "start+0xf");
    CHECK_STR_EQ(func_name(es, 0x1010, buf, sizeof(buf)), "helper_alias");
    CHECK_STR_EQ(func_name(es, 0x101f, buf, sizeof(buf)), "helper_alias+0xf");
    CHECK_STR_EQ(func_name(es, 0x1020, buf, sizeof(buf)), "");     /* data */
    CHECK_STR_EQ(func_name(es, 0x1030, buf, sizeof(buf)), "local_weak");
    CHECK_STR_EQ(func_name(es, 0x1045, buf, sizeof(buf)), "weak_fn+0x5");
    CHECK_STR_EQ(func_name(es, 0x1055, buf, sizeof(buf)), "same_as_rodata+0x5");
    CHECK_STR_EQ(func_name(es, 0x1060, buf, sizeof(buf)), "");
    CHECK_STR_EQ(func_name(es, 0xfff, buf, sizeof(buf)), "");
    f = elfsyms_funcs(es, &nr);
    CHECK_EQ_U64(nr, 5);    /* start, helper_alias, local_weak, weak_fn, same_as_rodata */
    CHECK_EQ_U64(f[0].size, 0x10);
    CHECK_EQ_U64(f[1].bind, 1);     /* STB_GLOBAL */
    CHECK_EQ_U64(f[2].bind, 0);     /* 'w': STB_LOCAL, as QEMU has it */
    CHECK_EQ_U64(f[3].bind, 1);
    elfsyms_free(es);

    /* Empty text: a list without symbols. */
    CHECK_EQ_I64(symlist_read_mem("", 0, &es, NULL), 0);
    CHECK(es != NULL);
    CHECK_STR_EQ(func_name(es, 0, buf, sizeof(buf)), "");
    elfsyms_free(es);
}

/* Input that is not a list: one error each, with the offending offset. */
static void test_list_errors(void)
{
    static const struct { const char *text; size_t offset; } bad[] = {
        { "1000 T a\nnot a line\n", 9 },
        { "1000 T a\n1010 T\n", 9 },              /* no name */
        { "1000 T a\n1010  T b\n", 9 },           /* two spaces */
        { "1000 Tx a\n", 0 },                     /* a two-character type */
        { "ffffffffffffffffff T a\n", 0 },        /* out of range */
        { "zz T a\n", 0 },
        { "1000 T a\n\r\n", 9 },
        { "                 w __gmon_start__\n", 0 },   /* nm's undefined symbol */
    };
    static const char binary[] = "1000 T a\n\0\x7f" "ELF";
    struct elfsyms *es = (struct elfsyms *)1;
    size_t off;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        off = 12345;
        CHECK_EQ_I64(symlist_read_mem(bad[i].text, strlen(bad[i].text), &es, &off), -EBADMSG);
        CHECK(es == NULL);
        CHECK_EQ_U64(off, bad[i].offset);
    }
    CHECK_EQ_I64(symlist_read_mem(binary, sizeof(binary) - 1, &es, &off), -EBADMSG);
    CHECK_EQ_U64(off, 9);
    /* Refused by size before a byte is read. */
    CHECK_EQ_I64(symlist_read_mem("", SYMLIST_MAX_SIZE + 1, &es, NULL), -EFBIG);
    CHECK_EQ_I64(symlist_read_file("/nonexistent/System.map", &es, NULL), -ENOENT);
    CHECK_EQ_I64(symlist_read_file("/dev/null", &es, NULL), -EINVAL);
    CHECK(es == NULL);
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(text, f) >= 0;

    return f && fclose(f) == 0 && ok;
}

/* guestsym on a TBS_MAPPING_SYMBOL_LIST mapping: a list, an unreadable one. */
static void test_guestsym_list(void)
{
    char dir[] = "/tmp/test_symlist.XXXXXX", good[64], bad[64];
    struct tbs_mapping_view m = { .start = 0xffffffff81000000ull,
                                  .end = 0xffffffff81001000ull,
                                  .bias = 0xffffffff80000000ull,
                                  .kind = TBS_MAPPING_SYMBOL_LIST };
    struct guestsym *gs;
    const struct guestsym_loc *loc;

    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    snprintf(good, sizeof(good), "%s/System.map", dir);
    snprintf(bad, sizeof(bad), "%s/vmlinux", dir);
    CHECK(write_file(good, "0000000001000000 T _text\n0000000001000100 T do_idle\n"
                           "0000000001000200 t next\n"));
    CHECK(write_file(bad, "\x7f" "ELF is not a list\n"));
    CHECK_EQ_I64(guestsym_new(NULL, &gs), 0);
    m.path = good;
    m.path_len = strlen(good);
    CHECK_EQ_I64(guestsym_add_mapping(gs, &m), 0);
    CHECK_EQ_I64(guestsym_lookup(gs, 0xffffffff81000104ull, &loc), 0);
    CHECK(loc->mapped && loc->file_ok);
    CHECK_STR_EQ(loc->name, "do_idle+0x4");
    CHECK_EQ_U64(loc->sym_start, 0xffffffff81000100ull);
    CHECK(loc->src_file == NULL && loc->nr_frames == 0 && loc->dwfl_symbol == NULL);
    /* Past the last symbol with an end: the mapping's name. */
    CHECK_EQ_I64(guestsym_lookup(gs, 0xffffffff81000204ull, &loc), 0);
    CHECK_STR_EQ(loc->name, "System.map+0x1000204");
    /* The same file as an ELF mapping is no ELF file: no symbols, no error. */
    m.kind = TBS_MAPPING_ELF;
    m.start = 0x1000;
    m.end = 0x2000;
    m.bias = 0;
    CHECK_EQ_I64(guestsym_add_mapping(gs, &m), 0);
    CHECK_EQ_I64(guestsym_lookup(gs, 0x1004, &loc), 0);
    CHECK(loc->mapped && !loc->file_ok && !loc->symbol);
    /* A list that is not one: no symbols, no error. */
    m.kind = TBS_MAPPING_SYMBOL_LIST;
    m.path = bad;
    m.path_len = strlen(bad);
    m.start = 0x3000;
    m.end = 0x4000;
    CHECK_EQ_I64(guestsym_add_mapping(gs, &m), 0);
    CHECK_EQ_I64(guestsym_lookup(gs, 0x3004, &loc), 0);
    CHECK(loc->mapped && !loc->file_ok && !loc->symbol);
    CHECK_STR_EQ(loc->name, "vmlinux+0x3004");
    guestsym_free(gs);
    unlink(good);
    unlink(bad);
    rmdir(dir);
}

/* A tbdb key knows the privilege of its TB records; a 1.3 file's is 0. */
static void test_tbdb_privilege(void)
{
    for (uint16_t minor = 3; minor <= 4; minor++) {
        struct tbs_header h = { .version_minor = minor, .pid = 1, .guest_machine = 62,
                                .flags = TBS_FLAG_SYSTEM, .guest_addr_bits = 64 };
        struct tbs_tb_view tb = { .code_index = 1, .host_addr = 0x1000, .guest_pc = 0xfff0,
                                  .host_size = 16, .icount = 0,
                                  .privilege = TBS_PRIV_USER };
        struct tbs_writer *w;
        struct tbdb *db;
        const uint8_t *data;
        size_t len;

        recording_side_file(0, &h, NULL, &tb, NULL, NULL, &w);
        data = tbs_writer_data(w, &len);
        CHECK_EQ_I64(tbdb_open_mem(data, len, "priv", NULL, 0, NULL, &db), 0);
        if (db && db->nr_keys == 1 && db->nr_tb_records == 1) {
            CHECK_EQ_U64(db->tb_records[0].privilege, minor == 4 ? TBS_PRIV_USER : 0);
            CHECK_EQ_U64(db->keys[0].privilege, minor == 4 ? TBS_PRIV_USER : 0);
        } else {
            CHECK(0);
        }
        tbdb_close(db);
        tbs_writer_close(w);
    }
}

/* --- the oracle: nm's list against the ELF file's own symbols ----------------------- */

/* `nm --defined-only FILE` into a malloc'ed string, or NULL. */
static char *nm_list(const char *path, size_t *lenp)
{
    char cmd[4200], *text = NULL;
    size_t len = 0, cap = 0, n;
    FILE *p;

    snprintf(cmd, sizeof(cmd), "nm --defined-only '%s' 2>/dev/null", path);
    p = popen(cmd, "r");
    if (!p)
        return NULL;
    do {
        if (len + 4096 > cap) {
            char *t = realloc(text, cap = 2 * cap + 4096);

            if (!t)
                break;
            text = t;
        }
        n = fread(text + len, 1, cap - len, p);
        len += n;
    } while (n);
    if (pclose(p) != 0 || !len) {
        free(text);
        return NULL;
    }
    *lenp = len;
    return text;
}

/*
 * Every function the ELF file names (elfsyms, through guestsym) that the
 * list does not end early (the next symbol in nm's list starts at or after
 * its ELF end: no label or data symbol inside it) must have the same name
 * at every address inside it, [st_value, st_value + st_size), from the
 * list.  Elsewhere they legitimately differ (symlist.h): the alignment
 * padding after a function is the list's (up to the next symbol) but no
 * ELF symbol's, labels (NOTYPE symbols in code, nm's 't') end a function
 * early in the list only, ifuncs (nm's 'i') are no code to the list.
 * Returns the number of functions compared.
 */
static size_t oracle(const char *elf_path)
{
    char dir[] = "/tmp/test_symlist.XXXXXX", map[64];
    struct tbs_mapping_view m = { .start = 0, .end = UINT64_MAX, .bias = 0 };
    struct guestsym *ge, *gl;
    struct elfsyms *es;
    size_t len, nr = 0, same = 0, differ = 0, addrs = 0;
    char *text = nm_list(elf_path, &len);
    const struct elfsym *f;

    if (!text) {
        fprintf(stderr, "  %s: no nm list: skipped\n", elf_path);
        return 0;
    }
    CHECK(mkdtemp(dir) != NULL);
    snprintf(map, sizeof(map), "%s/nm.map", dir);
    CHECK_EQ_I64(symlist_read_mem(text, len, &es, NULL), 0);
    CHECK(write_file(map, text));
    CHECK_EQ_I64(guestsym_new(NULL, &ge), 0);
    CHECK_EQ_I64(guestsym_new(NULL, &gl), 0);
    m.path = elf_path;
    m.path_len = strlen(elf_path);
    CHECK_EQ_I64(guestsym_add_mapping(ge, &m), 0);
    m.path = map;
    m.path_len = strlen(map);
    m.kind = TBS_MAPPING_SYMBOL_LIST;
    CHECK_EQ_I64(guestsym_add_mapping(gl, &m), 0);
    f = elfsyms_funcs(es, &nr);
    for (size_t i = 0; es && i < nr; i++) {
        const struct guestsym_loc *a, *b;
        uint64_t start = f[i].addr;

        if (guestsym_lookup_flags(ge, start, GUESTSYM_NO_SOURCE, &a) || !a->symbol ||
            a->sym_start != start || a->sym_size > f[i].size) {
            differ++;   /* not a function of the ELF file, or the list ends it early */
            continue;
        }
        same++;
        for (uint64_t pc = start; pc < start + a->sym_size && pc < start + 4096; pc++) {
            char want[512];

            CHECK_EQ_I64(guestsym_lookup_flags(ge, pc, GUESTSYM_NO_SOURCE, &a), 0);
            snprintf(want, sizeof(want), "%s", a->name);
            CHECK_EQ_I64(guestsym_lookup_flags(gl, pc, GUESTSYM_NO_SOURCE, &b), 0);
            if (!CHECK_STR_EQ(b->name, want))
                break;
            addrs++;
        }
    }
    fprintf(stderr, "  %s: %zu functions, %zu addresses agree; %zu list symbols not compared\n",
            elf_path, same, addrs, differ);
    guestsym_free(ge);
    guestsym_free(gl);
    elfsyms_free(es);
    free(text);
    unlink(map);
    rmdir(dir);
    return same;
}

static void test_nm_oracle(void)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    size_t compared = 0;

    if (n <= 0 || !(self[n] = '\0', compared = oracle(self))) {
        fprintf(stderr, "  no nm: the oracle is skipped\n");
        return;
    }
    CHECK(compared >= 50);
}

int main(void)
{
    RUN_TEST(test_unmapped_name);
    RUN_TEST(test_list_rules);
    RUN_TEST(test_list_errors);
    RUN_TEST(test_guestsym_list);
    RUN_TEST(test_tbdb_privilege);
    RUN_TEST(test_nm_oracle);
    return unit_finish("test_symlist");
}
