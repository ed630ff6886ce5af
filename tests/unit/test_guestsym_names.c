/*
 * test_guestsym_names.c: guestsym's symbol index (elfsyms.h) against the
 * binutils and libdwfl on real ELF files.
 *
 *   - PLT slots: every "<SYM@plt>" label objdump -d prints in .plt,
 *     .plt.sec and .plt.got is guestsym's name at that address, and every
 *     "@plt" symbol of the index is such a label (objdump's
 *     "*ABS*+0xADDR@plt" for an IRELATIVE slot is the IFUNC's name here, as
 *     perf names it).  Files: programs compiled here with gcc (made as
 *     "gcc -O1 -fno-pie -no-pie / -fpie -pie [-fcf-protection=full
 *     -Wl,-z,ibtplt]" from the source below; aarch64-linux-gnu-gcc -O1
 *     when installed, with aarch64-linux-gnu-objdump), the guests the
 *     Makefile builds into build/guests/ when they are there, and the C
 *     library this test runs with.
 *   - a stripped library's functions named from its separate debug file:
 *     for every function nm -S --defined-only lists in the debug file of
 *     the C library (libc6-dbg, found by build-id), guestsym's symbol at
 *     its address is one of the names nm gives that address and size (the
 *     largest at that address).  Skipped without libc6-dbg.
 *   - GUESTSYM_DWFL_SYMBOL: the index's answer equals
 *     dwfl_module_addrinfo()'s at a sweep of addresses through libc, this
 *     binary and python3 (when installed).
 * Also measures the index: "guestsym names bench: ..." on stdout.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "elfsyms.h"
#include "guestsym.h"
#include "unit.h"
#include "loaded.h"

#define MAP_START 0x10000000ull    /* where a file is "mapped" (its bias for ET_DYN) */

/* A program with PLT calls through several libc functions. */
static const char prog_src[] =
    "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
    "int main(int argc, char **argv) {\n"
    "    char buf[64];\n"
    "    snprintf(buf, sizeof(buf), \"%d\", argc);\n"
    "    if (strcmp(buf, argv[0]) == 0) puts(getenv(\"HOME\"));\n"
    "    return (int)strlen(buf) + atoi(buf) + (int)(long)memchr(buf, 'x', 3);\n"
    "}\n";

static char tmpdir[] = "/tmp/test_guestsym_names.XXXXXX";

/* --- helpers ------------------------------------------------------------------------ */

static bool is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool have_cmd(const char *cmd)
{
    char buf[256];

    snprintf(buf, sizeof(buf), "command -v %s >/dev/null 2>&1", cmd);
    return system(buf) == 0;
}

/* An open Dwfl of path at bias, and its index. */
struct indexed {
    Dwfl *dwfl;
    Dwfl_Module *mod;
    struct elfsyms *es;
    uint64_t bias;
};

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

static bool index_open(struct indexed *x, const char *path, uint64_t bias)
{
    memset(x, 0, sizeof(*x));
    x->bias = bias;
    x->dwfl = dwfl_begin(&callbacks);
    if (!x->dwfl)
        return false;
    dwfl_report_begin(x->dwfl);
    x->mod = dwfl_report_elf(x->dwfl, "m", path, -1, bias, false);
    dwfl_report_end(x->dwfl, NULL, NULL);
    return x->mod && elfsyms_new(x->mod, &x->es) == 0;
}

static void index_close(struct indexed *x)
{
    elfsyms_free(x->es);
    if (x->dwfl)
        dwfl_end(x->dwfl);
}

/* A guestsym with path mapped over [start, end) at bias. */
static struct guestsym *map_range(const char *path, uint64_t bias, uint64_t start, uint64_t end)
{
    struct guestsym *gs;
    struct tbs_mapping_view m = { .start = start, .end = end, .bias = bias, .path = path,
                                  .path_len = strlen(path) };

    if (guestsym_new(NULL, &gs) < 0)
        return NULL;
    guestsym_add_mapping(gs, &m);
    return gs;
}

/* path mapped over its first 256 MiB of addresses. */
static struct guestsym *map_file(const char *path, uint64_t bias)
{
    return map_range(path, bias, bias ? bias : 0x1000, (bias ? bias : 0) + (256 << 20));
}

static uint64_t elf_type_bias(const char *path)
{
    struct indexed x;
    GElf_Addr b;
    GElf_Ehdr eh;
    Elf *elf;
    uint64_t bias = MAP_START;

    if (!index_open(&x, path, 0))
        return bias;
    elf = dwfl_module_getelf(x.mod, &b);
    if (elf && gelf_getehdr(elf, &eh) && eh.e_type == ET_EXEC)
        bias = 0;
    index_close(&x);
    return bias;
}

/* --- PLT names against objdump ----------------------------------------------------------- */

/*
 * Compares the PLT names of path with objdump's labels; returns how many
 * @plt labels were compared.
 */
static size_t check_plt(const char *path, const char *objdump)
{
    char cmd[8192], line[4096];
    uint64_t bias = elf_type_bias(path);
    struct guestsym *gs = map_file(path, bias);
    struct indexed x;
    size_t compared = 0, ours = 0, labels_n = 0, cap = 0;
    struct { uint64_t addr; char *name; } *labels = NULL;
    const struct elfsym *f;
    size_t nr;
    FILE *p;

    if (!CHECK(gs != NULL) || !CHECK(index_open(&x, path, bias)))
        return 0;
    snprintf(cmd, sizeof(cmd), "%s -d -j .plt -j .plt.sec -j .plt.got '%s' 2>/dev/null",
             objdump, path);
    p = popen(cmd, "r");
    while (p && fgets(line, sizeof(line), p)) {
        unsigned long long a;
        char name[2048];
        const struct guestsym_loc *loc;

        /* Not "<getenv@plt-0x10>": objdump's name of the header is relative. */
        if (sscanf(line, "%llx <%2047[^>]>:", &a, name) != 2 || strlen(name) < 4 ||
            strcmp(name + strlen(name) - 4, "@plt") != 0)
            continue;
        if (labels_n == cap) {
            cap = cap ? 2 * cap : 64;
            labels = realloc(labels, cap * sizeof(*labels));
        }
        labels[labels_n].addr = a;
        labels[labels_n++].name = strdup(name);
        if (strncmp(name, "*ABS*+", 6) == 0)
            continue;       /* an IRELATIVE slot: objdump has no name for it */
        CHECK_EQ_I64(guestsym_lookup_flags(gs, a + bias, 0, &loc), 0);
        if (!CHECK(loc->symbol && strcmp(loc->symbol, name) == 0 && loc->offset == 0))
            fprintf(stderr, "  %s: objdump <%s> at 0x%llx, guestsym %s\n", path, name, a,
                    loc->name);
        compared++;
    }
    if (p)
        pclose(p);
    /* The other way: each @plt symbol of the index is at one of objdump's labels. */
    f = elfsyms_funcs(x.es, &nr);
    for (size_t i = 0; i < nr; i++) {
        bool found = false;

        if (!strstr(f[i].name, "@plt"))
            continue;
        ours++;
        for (size_t j = 0; j < labels_n && !found; j++)
            found = labels[j].addr == f[i].addr;
        if (!CHECK(found))
            fprintf(stderr, "  %s: guestsym %s at 0x%" PRIx64 ": no objdump label there\n",
                    path, f[i].name, f[i].addr);
    }
    printf("%s: %zu PLT labels of objdump compared, %zu @plt symbols\n", path, compared, ours);
    for (size_t j = 0; j < labels_n; j++)
        free(labels[j].name);
    free(labels);
    index_close(&x);
    guestsym_free(gs);
    return compared;
}

/* Compile prog_src with cc and flags into tmpdir/out; false if that fails. */
static bool build_prog(const char *cc, const char *flags, const char *out, char *path,
                       size_t size)
{
    char cmd[4096];

    snprintf(path, size, "%s/%s", tmpdir, out);
    snprintf(cmd, sizeof(cmd), "%s %s -o '%s' '%s/prog.c' 2>/dev/null", cc, flags, path, tmpdir);
    return system(cmd) == 0 && is_file(path);
}

static void test_plt_built(void)
{
    static const struct { const char *out, *flags; bool sec; } x86[] = {
        { "plt-nopie", "-O1 -fno-pie -no-pie", false },
        { "plt-pie", "-O1 -fpie -pie", false },
        { "plt-ibt", "-O1 -fpie -pie -fcf-protection=full -Wl,-z,ibtplt", true },
        { "plt-now", "-O1 -fpie -pie -Wl,-z,now", false },
    };
    char path[4096], src[4096];
    FILE *f;

    snprintf(src, sizeof(src), "%s/prog.c", tmpdir);
    f = fopen(src, "w");
    if (!CHECK(f != NULL))
        return;
    fputs(prog_src, f);
    fclose(f);
    for (size_t i = 0; i < sizeof(x86) / sizeof(x86[0]); i++) {
        if (!build_prog("gcc", x86[i].flags, x86[i].out, path, sizeof(path))) {
            printf("gcc %s: cannot build, not checked\n", x86[i].flags);
            continue;
        }
        CHECK(check_plt(path, "objdump") >= 6);
    }
    if (!have_cmd("aarch64-linux-gnu-gcc") || !have_cmd("aarch64-linux-gnu-objdump")) {
        printf("no aarch64-linux-gnu-gcc and -objdump: AArch64 PLT not checked\n");
        return;
    }
    if (CHECK(build_prog("aarch64-linux-gnu-gcc", "-O1", "plt-aarch64", path, sizeof(path))))
        CHECK(check_plt(path, "aarch64-linux-gnu-objdump") >= 6);
}

/* The guests of build/guests/ (next to this binary's build/tests/), if built. */
static void test_plt_guests(void)
{
    static const char *const guests[] = { "x86_64/demo", "x86_64/calls", "x86_64/threads",
                                          "aarch64/demo", "aarch64/callpaths" };
    char exe[4096], dir[4096], path[8192];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    exe[n > 0 ? n : 0] = '\0';
    snprintf(dir, sizeof(dir), "%s", exe);
    for (int up = 0; up < 2 && (slash = strrchr(dir, '/')); up++)
        *slash = '\0';
    for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++) {
        bool a64 = strncmp(guests[i], "aarch64", 7) == 0;

        snprintf(path, sizeof(path), "%s/guests/%s", dir, guests[i]);
        if (!is_file(path)) {       /* build/asan/tests/: the guests of build/ */
            char rel[4096];

            snprintf(rel, sizeof(rel), "build/guests/%s", guests[i]);
            if (!realpath(rel, path))
                path[0] = '\0';
        }
        if (!is_file(path) || (a64 && !have_cmd("aarch64-linux-gnu-objdump"))) {
            printf("%s: not built (or no objdump for it), not checked\n", guests[i]);
            continue;
        }
        CHECK(check_plt(path, a64 ? "aarch64-linux-gnu-objdump" : "objdump") >= 3);
    }
}

/* --- the C library: PLT, debug-file names, libdwfl's rule --------------------------------- */

static void test_plt_libc(void)
{
    struct loaded libc;

    if (!load_object(&libc, "libc.so.6")) {
        printf("no libc.so.6: not checked\n");
        return;
    }
    CHECK(check_plt(libc.path, "objdump") >= 1);
}

/* The separate debug file libdwfl finds for path, into buf; false if none. */
static bool debug_file(const char *path, char *buf, size_t size)
{
    struct indexed x;
    const char *debug = NULL;
    Dwarf_Addr b;
    bool ok;

    if (!index_open(&x, path, 0))
        return false;
    dwfl_module_getdwarf(x.mod, &b);
    dwfl_module_info(x.mod, NULL, NULL, NULL, NULL, NULL, NULL, &debug);
    ok = debug && strcmp(debug, path) != 0 && is_file(debug);
    if (ok)
        snprintf(buf, size, "%s", debug);
    index_close(&x);
    return ok;
}

static void test_debug_file_names(void)
{
    struct { uint64_t addr, size; char name[256]; } *syms = NULL;
    size_t nr = 0, cap = 0, checked = 0;
    char debug[4096], cmd[8192], line[1024];
    struct guestsym *gs;
    struct loaded libc;
    bool saw_strcmp = false;
    FILE *p;

    if (!load_object(&libc, "libc.so.6") || !debug_file(libc.path, debug, sizeof(debug))) {
        printf("no separate debug file for libc.so.6 (libc6-dbg): not checked\n");
        return;
    }
    snprintf(cmd, sizeof(cmd), "nm -S --defined-only '%s'", debug);
    p = popen(cmd, "r");
    while (p && fgets(line, sizeof(line), p)) {
        unsigned long long a, s;
        char type, name[256];

        if (sscanf(line, "%llx %llx %c %255s", &a, &s, &type, name) != 4 || !s ||
            !strchr("tTiW", type))
            continue;
        if (nr == cap) {
            cap = cap ? 2 * cap : 4096;
            syms = realloc(syms, cap * sizeof(*syms));
        }
        syms[nr].addr = a;
        syms[nr].size = s;
        /* nm keeps the symbol version ("memcpy@@GLIBC_2.14"); function names drop it. */
        name[strcspn(name, "@")] = 0;
        snprintf(syms[nr++].name, sizeof(syms[0].name), "%s", name);
    }
    if (p)
        pclose(p);
    if (!CHECK(nr > 1000))
        return;
    CHECK(guestsym_new(NULL, &gs) == 0);
    {
        struct tbs_mapping_view m = { .start = libc.start, .end = libc.end, .bias = libc.bias,
                                      .path = libc.path, .path_len = strlen(libc.path) };

        guestsym_add_mapping(gs, &m);
    }
    for (size_t i = 0; i < nr; i++) {
        const struct guestsym_loc *loc;
        uint64_t max = 0;
        bool member = false;

        if (syms[i].addr + libc.bias < libc.start || syms[i].addr + libc.bias >= libc.end)
            continue;
        for (size_t j = 0; j < nr; j++)
            if (syms[j].addr == syms[i].addr && syms[j].size > max)
                max = syms[j].size;
        if (syms[i].size != max)
            continue;
        CHECK_EQ_I64(guestsym_lookup_flags(gs, syms[i].addr + libc.bias, 0, &loc), 0);
        for (size_t j = 0; j < nr && loc->symbol && !member; j++)
            member = syms[j].addr == syms[i].addr && syms[j].size == max &&
                     strcmp(syms[j].name, loc->symbol) == 0;
        if (!CHECK(member && loc->offset == 0))
            fprintf(stderr, "  nm: %s at 0x%" PRIx64 " size %" PRIu64 "; guestsym: %s\n",
                    syms[i].name, syms[i].addr, syms[i].size, loc->name);
        checked++;
        if (strcmp(syms[i].name, "__strcmp_avx2") == 0 && syms[i].size > 0x17) {
            CHECK_EQ_I64(guestsym_lookup_flags(gs, syms[i].addr + libc.bias + 0x17, 0, &loc), 0);
            CHECK_STR_EQ(loc->name, "__strcmp_avx2+0x17");
            saw_strcmp = true;
        }
    }
    printf("libc: %zu functions of nm %s named by guestsym%s\n", checked, debug,
           saw_strcmp ? ", __strcmp_avx2+0x17 too" : "");
    CHECK(checked > 1000);
    guestsym_free(gs);
    free(syms);
}

/* GUESTSYM_DWFL_SYMBOL (the index) against dwfl_module_addrinfo() itself. */
static void check_dwfl_rule(const char *path, uint64_t bias, uint64_t start, uint64_t end)
{
    struct guestsym *gs = map_range(path, bias, start, end);
    struct indexed x;
    const unsigned n = 20000;
    size_t same = 0, named = 0;
    double t0, t1;

    if (!CHECK(gs != NULL) || !CHECK(index_open(&x, path, bias)))
        return;
    t0 = unit_now();
    for (unsigned i = 0; i < n; i++) {
        const struct elfsym *s = elfsyms_any_at(x.es, start + (end - start) / n * i + i % 7 -
                                                       bias);

        named += s != NULL;
    }
    t1 = unit_now();
    named = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t pc = start + (end - start) / n * i + i % 7;
        const struct guestsym_loc *loc;
        GElf_Off off = 0;
        GElf_Sym s;
        const char *want = dwfl_module_addrinfo(x.mod, pc, &off, &s, NULL, NULL, NULL);

        guestsym_lookup_flags(gs, pc, GUESTSYM_DWFL_SYMBOL, &loc);
        if (want && !want[0])
            want = NULL;
        named += want != NULL;
        if ((!want && !loc->dwfl_symbol) ||
            (want && loc->dwfl_symbol && strcmp(want, loc->dwfl_symbol) == 0 &&
             off == loc->dwfl_offset)) {
            same++;
        } else if (i - same < 8) {       /* the first few differences */
            fprintf(stderr, "  %s pc 0x%" PRIx64 ": libdwfl %s+0x%" PRIx64 ", index %s+0x%" PRIx64
                    "\n", path, pc - bias, want ? want : "-", (uint64_t)off,
                    loc->dwfl_symbol ? loc->dwfl_symbol : "-", loc->dwfl_offset);
        }
    }
    printf("guestsym names bench: %s: %u PCs (%zu named by libdwfl), %zu the same; index "
           "%.3f us a PC, dwfl_module_addrinfo %.1f us\n", path, n, named, same,
           (t1 - t0) / n * 1e6, (unit_now() - t1) / n * 1e6);
    CHECK_EQ_U64(same, n);
    index_close(&x);
    guestsym_free(gs);
}

static void test_dwfl_rule(void)
{
    struct loaded libc;
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (load_object(&libc, "libc.so.6"))
        check_dwfl_rule(libc.path, libc.bias, libc.start, libc.end);
    self[n > 0 ? n : 0] = '\0';
    check_dwfl_rule(self, MAP_START, MAP_START, MAP_START + 0x20000);
    if (is_file("/usr/bin/python3"))
        check_dwfl_rule("/usr/bin/python3", elf_type_bias("/usr/bin/python3"),
                        elf_type_bias("/usr/bin/python3") ? MAP_START : 0x400000,
                        (elf_type_bias("/usr/bin/python3") ? MAP_START : 0x400000) + 0x300000);
}

int main(void)
{
    char cmd[256];

    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    if (have_cmd("gcc") && have_cmd("objdump"))
        RUN_TEST(test_plt_built);
    else
        printf("no gcc and objdump: PLT of built programs not checked\n");
    if (have_cmd("objdump")) {
        RUN_TEST(test_plt_guests);
        RUN_TEST(test_plt_libc);
    }
    if (have_cmd("nm"))
        RUN_TEST(test_debug_file_names);
    RUN_TEST(test_dwfl_rule);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    return unit_finish("test_guestsym_names");
}
