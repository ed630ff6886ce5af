/*
 * test_guestsym.c: guest symbolization on real ELF files: this test binary
 * (built -O2 -g by the Makefile, so it has .symtab and DWARF) and the C
 * library it runs with (.dynsym only; DWARF through libc6-dbg's build-id
 * file when that is installed).  Both are "mapped" through the API at the
 * addresses they are loaded at, so a function's runtime address is a guest
 * PC whose symbol, offset and source line are known here.
 *
 * Also measures lookups: "guestsym bench: ..." on stdout.
 */
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guestsym.h"
#include "unit.h"
#include "loaded.h"

/* --- functions whose addresses are looked up ---------------------------------- */

volatile int sink;

static const int static_target_first_line = __LINE__ + 1;
static __attribute__((noinline, noclone)) int static_target(int x)
{
    for (int i = 0; i < x; i++)
        sink += i * x;
    return sink;
}
static const int static_target_last_line = __LINE__ - 1;

static inline __attribute__((always_inline)) int inlined_leaf(int x)
{
    int r = 0;

    for (int i = 0; i < x; i++)
        r += sink * i + 7;
    return r;
}

static const int outer_call_line = __LINE__ + 3;
__attribute__((noinline, noclone)) int guestsym_test_outer(int x)
{
    return inlined_leaf(x) * 3;
}

/* --- mapping the real files ---------------------------------------------------- */

static void map(struct guestsym *gs, const struct loaded *l)
{
    struct tbs_mapping_view m = {
        .start = l->start, .end = l->end, .bias = l->bias,
        .path = l->path, .path_len = strlen(l->path),
    };

    CHECK_EQ_I64(guestsym_add_mapping(gs, &m), 0);
}

static const char *base(const char *path)
{
    const char *s = path ? strrchr(path, '/') : NULL;

    return s ? s + 1 : path;
}

/* --- tests ---------------------------------------------------------------------------- */

static void test_format(void)
{
    char buf[64];

    CHECK_EQ_I64(guestsym_format_name(buf, sizeof(buf), "main", "a.out", 0), 4);
    CHECK_STR_EQ(buf, "main");
    guestsym_format_name(buf, sizeof(buf), "main", NULL, 0x1f);
    CHECK_STR_EQ(buf, "main+0x1f");
    guestsym_format_name(buf, sizeof(buf), NULL, "libc.so.6", 0x2a1c0);
    CHECK_STR_EQ(buf, "libc.so.6+0x2a1c0");
    guestsym_format_name(buf, sizeof(buf), NULL, "libc.so.6", 0);
    CHECK_STR_EQ(buf, "libc.so.6+0x0");
    guestsym_format_name(buf, sizeof(buf), NULL, NULL, 0x4000);
    CHECK_STR_EQ(buf, "guest-0x4000");
    CHECK_EQ_I64(guestsym_format_name(buf, 4, NULL, NULL, 0xffffffffffffffffull), 24);
    CHECK_STR_EQ(buf, "gue");
}

static void test_self(void)
{
    struct guestsym *gs;
    const struct guestsym_loc *loc, *again;
    struct loaded self;
    uint64_t pc = (uintptr_t)static_target;
    bool saw_inline = false;

    if (!load_object(&self, "")) {
        fprintf(stderr, "cannot find the executable's mapping\n");
        CHECK(0);
        return;
    }
    CHECK_EQ_I64(guestsym_new(NULL, &gs), 0);
    map(gs, &self);

    CHECK_EQ_I64(guestsym_lookup(gs, pc, &loc), 0);
    CHECK(loc->mapped && loc->file_ok);
    CHECK_STR_EQ(loc->path, self.path);
    CHECK_STR_EQ(loc->basename, base(self.path));
    CHECK_STR_EQ(loc->symbol, "static_target");
    CHECK_STR_EQ(loc->name, "static_target");          /* no "+0x0" */
    CHECK_EQ_U64(loc->sym_start, pc);
    CHECK_EQ_U64(loc->offset, 0);
    CHECK_EQ_U64(loc->vaddr, pc - self.bias);
    CHECK(loc->sym_size > 0);
    CHECK_STR_EQ(base(loc->src_file), "test_guestsym.c");
    CHECK(loc->src_line >= static_target_first_line && loc->src_line <= static_target_last_line);
    CHECK(loc->nr_frames == 1 && loc->frames[0].function &&
          strcmp(loc->frames[0].function, "static_target") == 0);

    /* The cache hands back the same result. */
    CHECK_EQ_I64(guestsym_lookup(gs, pc, &again), 0);
    CHECK(again == loc);

    CHECK(loc->have_dwfl_symbol && loc->have_frames);
    CHECK_STR_EQ(loc->dwfl_symbol, "static_target");

    /* Without the slow parts, then with them into the same result. */
    CHECK_EQ_I64(guestsym_lookup_flags(gs, pc + 3, 0, &loc), 0);
    CHECK(!loc->have_dwfl_symbol && !loc->dwfl_symbol && !loc->have_frames && !loc->nr_frames);
    CHECK_EQ_I64(guestsym_lookup_flags(gs, pc + 3, GUESTSYM_DWFL_SYMBOL, &again), 0);
    CHECK(again == loc && loc->have_dwfl_symbol && !loc->have_frames);
    CHECK_STR_EQ(loc->dwfl_symbol, "static_target");
    CHECK_EQ_U64(loc->dwfl_offset, 3);
    CHECK_EQ_I64(guestsym_lookup(gs, pc + 3, &loc), 0);
    CHECK(loc->have_frames && loc->nr_frames == 1);
    CHECK_STR_EQ(loc->name, "static_target+0x3");
    CHECK_EQ_U64(loc->offset, 3);

    /* The inlined leaf: frame 0 inlined_leaf, frame 1 the call in the outer function. */
    pc = (uintptr_t)guestsym_test_outer;
    CHECK_EQ_I64(guestsym_lookup(gs, pc, &loc), 0);
    CHECK_STR_EQ(loc->name, "guestsym_test_outer");
    for (uint64_t off = 0; off < loc->sym_size && !saw_inline; off++) {
        const struct guestsym_loc *l;

        CHECK_EQ_I64(guestsym_lookup(gs, pc + off, &l), 0);
        if (l->nr_frames == 2 && l->frames[0].function &&
            strcmp(l->frames[0].function, "inlined_leaf") == 0) {
            saw_inline = true;
            CHECK_STR_EQ(l->frames[1].function, "guestsym_test_outer");
            CHECK_STR_EQ(base(l->frames[1].file), "test_guestsym.c");
            CHECK_EQ_I64(l->frames[1].line, outer_call_line);
            CHECK_STR_EQ(base(l->frames[0].file), "test_guestsym.c");
            CHECK_EQ_I64(l->frames[0].line, l->src_line);
            CHECK_STR_EQ(l->symbol, "guestsym_test_outer");
        }
    }
    if (!saw_inline) {     /* show what there was instead */
        for (uint64_t off = 0; off < loc->sym_size; off += 4) {
            const struct guestsym_loc *l;

            guestsym_lookup(gs, pc + off, &l);
            fprintf(stderr, "  +%" PRIu64 " frames %zu f0 %s f1 %s line %d\n", off, l->nr_frames, l->nr_frames ? l->frames[0].function : "-", l->nr_frames > 1 ? l->frames[1].function : "-", l->src_line);
        }
    }
    CHECK(saw_inline);

    /* Unmapped, then mapped again after a remove that splits the range. */
    CHECK_EQ_I64(guestsym_lookup(gs, 0x10, &loc), 0);
    CHECK(!loc->mapped && !loc->symbol && !loc->path);
    CHECK_STR_EQ(loc->name, "guest-0x10");
    pc = (uintptr_t)static_target;
    CHECK_EQ_I64(guestsym_remove(gs, pc, pc + 1), 0);
    CHECK_EQ_I64(guestsym_lookup(gs, pc, &loc), 0);
    CHECK(!loc->mapped);
    CHECK_EQ_I64(guestsym_lookup(gs, pc + 1, &loc), 0);
    CHECK_STR_EQ(loc->name, "static_target+0x1");
    CHECK_EQ_I64(guestsym_lookup(gs, pc - 1, &loc), 0);
    CHECK(loc->mapped);
    guestsym_free(gs);
    guestsym_free(NULL);
}

static void test_libc(void)
{
    struct guestsym *gs;
    const struct guestsym_loc *loc;
    struct loaded libc;
    char want[128];
    bool saw_outside = false;
    void *handle;
    uint64_t pc;

    if (!load_object(&libc, "libc.so.6")) {
        fprintf(stderr, "no libc.so.6 mapping: not checked\n");
        return;
    }
    /* libc's own printf: under ASan, &printf is the sanitizer's interceptor. */
    handle = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    pc = handle ? (uintptr_t)dlsym(handle, "printf") : 0;
    if (handle)
        dlclose(handle);
    CHECK(pc >= libc.start && pc < libc.end);
    CHECK_EQ_I64(guestsym_new("/nonexistent-debug-dir", &gs), 0);
    map(gs, &libc);
    CHECK_EQ_I64(guestsym_lookup(gs, pc, &loc), 0);
    CHECK_STR_EQ(loc->basename, "libc.so.6");
    /* printf and _IO_printf are aliases: perf's choice is printf. */
    CHECK_STR_EQ(loc->name, "printf");
    CHECK_EQ_I64(guestsym_lookup(gs, pc + 4, &loc), 0);
    CHECK_STR_EQ(loc->name, "printf+0x4");
    if (loc->src_file)
        printf("libc printf+0x4 has DWARF: %s:%d (%zu frames)\n", loc->src_file,
               loc->src_line, loc->nr_frames);

    /* Code outside every FUNC symbol (the PLT, padding): object+0xvaddr. */
    for (uint64_t a = libc.start; a < libc.end && !saw_outside; a += 4) {
        CHECK_EQ_I64(guestsym_lookup(gs, a, &loc), 0);
        if (!loc->symbol) {
            saw_outside = true;
            snprintf(want, sizeof(want), "libc.so.6+0x%" PRIx64, a - libc.bias);
            CHECK_STR_EQ(loc->name, want);
            CHECK_EQ_U64(loc->offset, a - libc.bias);
        }
    }
    CHECK(saw_outside);
    guestsym_free(gs);
}

/* --- inlined frames against libdw's own scopes ----------------------------------- */

static const char *oracle_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    const char *name = NULL;

    if (dwarf_attr_integrate(die, DW_AT_name, &attr))
        name = dwarf_formstring(&attr);
    if (!name && dwarf_attr_integrate(die, DW_AT_linkage_name, &attr))
        name = dwarf_formstring(&attr);
    return name;
}

/*
 * The oracle: the functions at file address vaddr as eu-addr2line -i finds
 * them, dwarf_getscopes() to the innermost scope, then dwarf_getscopes_die()
 * for its concrete parents; innermost first, up to the out-of-line function.
 */
static size_t oracle_frames(Dwfl_Module *mod, Dwarf_Addr vaddr, const char **names, size_t max)
{
    Dwarf_Addr bias;
    Dwarf_Die *cu = dwfl_module_addrdie(mod, vaddr, &bias), *scopes = NULL, innermost;
    size_t k = 0;
    int n;

    if (!cu || (n = dwarf_getscopes(cu, vaddr - bias, &scopes)) <= 0)
        return 0;
    innermost = scopes[0];
    free(scopes);
    scopes = NULL;
    n = dwarf_getscopes_die(&innermost, &scopes);
    for (int i = 0; i < n && k < max; i++) {
        int tag = dwarf_tag(&scopes[i]);

        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue;
        names[k++] = oracle_name(&scopes[i]);
        if (tag == DW_TAG_subprogram)
            break;
    }
    free(scopes);
    return k;
}

static bool same_name(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/*
 * libc with its separate debug file (libc6-dbg): guestsym's frames at every
 * 97th byte of the code equal libdw's scopes.
 */
static void test_libc_frames(void)
{
    static const Dwfl_Callbacks cb = {
        .find_elf = dwfl_build_id_find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
        .section_address = dwfl_offline_section_address,
    };
    struct guestsym *gs;
    const struct guestsym_loc *loc;
    struct loaded libc;
    Dwfl_Module *mod;
    Dwarf_Addr dbias;
    Dwfl *dwfl;
    size_t checked = 0, inlined = 0, bad = 0;

    if (!load_object(&libc, "libc.so.6")) {
        fprintf(stderr, "no libc.so.6 mapping: not checked\n");
        return;
    }
    dwfl = dwfl_begin(&cb);
    mod = dwfl ? dwfl_report_elf(dwfl, "libc", libc.path, -1, 0, false) : NULL;
    dwfl_report_end(dwfl, NULL, NULL);
    if (!mod || !dwfl_module_getdwarf(mod, &dbias)) {
        fprintf(stderr, "no DWARF for %s (libc6-dbg): frames not checked\n", libc.path);
        dwfl_end(dwfl);
        return;
    }
    CHECK_EQ_I64(guestsym_new(NULL, &gs), 0);
    map(gs, &libc);
    for (uint64_t a = libc.start; a < libc.end; a += 97) {
        const char *want[16];
        size_t n = oracle_frames(mod, a - libc.bias, want, 16);

        CHECK_EQ_I64(guestsym_lookup(gs, a, &loc), 0);
        checked++;
        inlined += n > 1;
        if (loc->nr_frames != n) {
            bad++;
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (!same_name(loc->frames[i].function, want[i])) {
                bad++;
                break;
            }
    }
    printf("libc frames: %zu addresses, %zu in inlined code, %zu differ from libdw's scopes\n",
           checked, inlined, bad);
    CHECK_EQ_U64(bad, 0);
    CHECK(inlined > 100);
    guestsym_free(gs);
    dwfl_end(dwfl);
}

/* A file that cannot be opened still has a mapping and an object+0xoff name. */
static void test_missing_file(void)
{
    struct guestsym *gs;
    const struct guestsym_loc *loc;
    struct tbs_mapping_view m = { .start = 0x400000, .end = 0x500000, .bias = 0x1000,
                                  .path = "/nonexistent/guest-prog", .path_len = 23 };

    CHECK_EQ_I64(guestsym_new(NULL, &gs), 0);
    CHECK_EQ_I64(guestsym_add_mapping(gs, &m), 0);
    CHECK_EQ_I64(guestsym_lookup(gs, 0x401234, &loc), 0);
    CHECK(loc->mapped && !loc->file_ok && !loc->symbol && !loc->src_file);
    CHECK_STR_EQ(loc->name, "guest-prog+0x400234");
    m.path = "/dev/null";       /* not a regular file: never opened */
    m.bias = 0;
    CHECK_EQ_I64(guestsym_add_mapping(gs, &m), 0);
    CHECK_EQ_I64(guestsym_lookup(gs, 0x401234, &loc), 0);
    CHECK_STR_EQ(loc->name, "null+0x401234");
    guestsym_free(gs);
}

/*
 * A copy of this binary whose .debug_str does not end in NUL, as a corrupt
 * file may have it: libdw would read its last string past the section
 * (fuzz_guestsym found it with .debug_line_str), so guestsym uses no DWARF
 * from the file: symbols still, no source line, no frames.
 */
static void test_unterminated_debug_str(void)
{
    char path[] = "/tmp/test_guestsym.XXXXXX";
    struct guestsym *gs;
    const struct guestsym_loc *loc;
    struct loaded self;
    uint64_t pc = (uintptr_t)static_target, patch_off = 0;
    size_t shstrndx, len = 0;
    uint8_t *buf = NULL;
    Elf_Scn *scn = NULL;
    Elf *elf;
    FILE *f;
    int fd;

    if (!CHECK(load_object(&self, "")))
        return;
    /* Read the binary and find the last byte of its .debug_str. */
    f = fopen(self.path, "rb");
    if (!CHECK(f != NULL))
        return;
    for (size_t cap = 0, n = 1; n;) {
        if (len == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 1 << 20)))
            break;
        len += n = fread(buf + len, 1, cap - len, f);
    }
    fclose(f);
    elf_version(EV_CURRENT);
    elf = buf ? elf_memory((char *)buf, len) : NULL;
    if (elf && elf_getshdrstrndx(elf, &shstrndx) == 0) {
        while ((scn = elf_nextscn(elf, scn))) {
            GElf_Shdr sh;
            const char *name;

            if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
                strcmp(name, ".debug_str") == 0 && !(sh.sh_flags & SHF_COMPRESSED) &&
                sh.sh_size && sh.sh_offset + sh.sh_size <= len)
                patch_off = sh.sh_offset + sh.sh_size - 1;
        }
    }
    elf_end(elf);
    if (!CHECK(patch_off && buf[patch_off] == '\0')) {
        free(buf);
        return;
    }
    buf[patch_off] = 'x';
    fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, buf, len) == (ssize_t)len);
    close(fd);
    free(buf);
    snprintf(self.path, sizeof(self.path), "%s", path);

    CHECK_EQ_I64(guestsym_new(NULL, &gs), 0);
    map(gs, &self);
    CHECK_EQ_I64(guestsym_lookup(gs, pc, &loc), 0);
    CHECK(loc->file_ok);
    CHECK_STR_EQ(loc->symbol, "static_target");
    CHECK(loc->src_file == NULL && loc->src_line == 0);
    CHECK(loc->have_frames && loc->nr_frames == 0);
    guestsym_free(gs);
    unlink(path);
}

/*
 * Distinct PCs through libc (DWARF from libc6-dbg if installed), with each
 * set of flags on a fresh guestsym, then again from the cache.
 */
static void test_bench(void)
{
    static const unsigned flag_sets[] = { 0, GUESTSYM_FRAMES,
                                          GUESTSYM_FRAMES | GUESTSYM_DWFL_SYMBOL };
    struct guestsym *gs;
    const struct guestsym_loc *loc;
    struct loaded libc;
    const unsigned n = 5000;

    if (!load_object(&libc, "libc.so.6"))
        return;
    for (unsigned f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
        size_t with_line = 0;
        double t0, t1, t2;

        CHECK_EQ_I64(guestsym_new(NULL, &gs), 0);
        map(gs, &libc);
        guestsym_lookup_flags(gs, libc.start, flag_sets[f], &loc);    /* opens the file */
        t0 = unit_now();
        for (unsigned i = 1; i <= n; i++) {
            CHECK_EQ_I64(guestsym_lookup_flags(gs, libc.start + (libc.end - libc.start) / n * i,
                                               flag_sets[f], &loc), 0);
            with_line += loc->src_file != NULL;
        }
        t1 = unit_now();
        for (unsigned i = 1; i <= n; i++)
            guestsym_lookup_flags(gs, libc.start + (libc.end - libc.start) / n * i,
                                  flag_sets[f], &loc);
        t2 = unit_now();
        printf("guestsym bench: flags %u: %u distinct libc PCs (%zu with a source line): "
               "%.1f us each, from the cache %.3f us\n", flag_sets[f], n, with_line,
               (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6);
        guestsym_free(gs);
    }
}

int main(void)
{
    RUN_TEST(test_format);
    RUN_TEST(test_self);
    RUN_TEST(test_libc);
    RUN_TEST(test_libc_frames);
    RUN_TEST(test_missing_file);
    RUN_TEST(test_unterminated_debug_str);
    RUN_TEST(test_bench);
    return unit_finish("test_guestsym");
}
