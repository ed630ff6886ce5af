/*
 * test_softmmu.c: which host functions are QEMU's software MMU (lib/softmmu.h).
 *
 * The two rules alone on paths and names as QEMU builds have them, then the
 * choice between them on a program compiled here from three files, as
 * "gcc -g -O1 -fno-inline accel/tcg/cputlb.c target/arm/ptw.c other.c":
 * a function whose name says nothing but whose compilation unit is
 * cputlb.c or ptw.c is software MMU, one named helper_ldub_mmu in other.c
 * is not, as long as the program has DWARF, in itself or in a separate
 * debug file found through .gnu_debuglink; stripped of it ("objcopy
 * --strip-debug"), the names decide.  In a shared library built from the
 * same files ("-shared -Wl,-soname,libzz.so.1") neither is.  Without gcc
 * and objcopy that part is not checked (said on stdout).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "softmmu.h"
#include "unit.h"

/* rule holds for each of the nyes strings at yes, for none of the nno at no. */
static void check_rule(bool (*rule)(const char *), const char *const *yes, size_t nyes,
                       const char *const *no, size_t nno)
{
    for (size_t i = 0; i < nyes; i++)
        if (!CHECK(rule(yes[i])))
            fprintf(stderr, "  %s\n", yes[i]);
    for (size_t i = 0; i < nno; i++)
        if (!CHECK(!rule(no[i])))
            fprintf(stderr, "  %s\n", no[i]);
}

static void test_source_rule(void)
{
    static const char *const yes[] = {
        "../accel/tcg/cputlb.c", "accel/tcg/cputlb.c", "/build/qemu-10.2.2/accel/tcg/cputlb.c",
        "../target/arm/ptw.c", "../target/arm/tcg/tlb_helper.c",
        "../target/mips/tcg/system/tlb_helper.c", "../target/ppc/mmu-hash64.c",
        "../target/ppc/mmu_helper.c", "../target/s390x/mmu_helper.c",
        "../target/i386/tcg/system/excp_helper.c", "../target/i386/tcg/sysemu/excp_helper.c",
    };
    static const char *const no[] = {
        "../accel/tcg/cpu-exec.c", "../accel/tcg/translate-all.c", "../accel/tcg/tb-maint.c",
        "../accel/tcg/user-exec.c", "../target/i386/tcg/excp_helper.c",
        "../target/i386/tcg/fpu_helper.c", "../target/arm/tcg/translate-a64.c",
        "../system/physmem.c", "../system/memory.c", "../hw/char/serial.c",
        "../fpu/softfloat.c", "myaccel/tcg/cputlb.c", "", "cputlb.c",
    };

    check_rule(softmmu_source_is, yes, sizeof(yes) / sizeof(yes[0]), no, sizeof(no) / sizeof(no[0]));
}

static void test_name_rule(void)
{
    /* QEMU 10.2's names (nm of build/bin/qemu-system-x86_64 and -aarch64). */
    static const char *const yes[] = {
        "helper_ldub_mmu", "helper_lduw_mmu", "helper_ldul_mmu", "helper_ldq_mmu",
        "helper_ld16_mmu", "helper_stb_mmu", "helper_stq_mmu", "helper_st16_mmu",
        "helper_atomic_cmpxchgq_le", "cpu_ldub_data_ra", "cpu_lduw_le_mmuidx_ra",
        "cpu_ldq_code", "cpu_ld16_mmu", "cpu_stl_be_data", "cpu_st16_mmu", "do_ld1_mmu",
        "do_ld_mmio_beN", "do_ld16_mmu", "do_st4_mmu", "do_st_mmio_leN", "mmu_lookup",
        "mmu_lookup1", "mmu_lookup.constprop.0", "tlb_fill_align", "tlb_set_page_full",
        "tlb_flush_by_mmuidx", "probe_access_full", "probe_access_internal", "io_readx",
        "notdirty_write.isra.0", "victim_tlb_hit", "atomic_mmu_lookup",
        "get_page_addr_code_hostp", "x86_cpu_tlb_fill", "arm_cpu_tlb_fill_align",
        "get_physical_address", "get_phys_addr_lpae", "mmu_translate", "arm_ldq_ptw",
        "ptw_ldq", "S1_ptw_translate", "helper_ldub_mmu.cold",
    };
    static const char *const no[] = {
        "helper_lookup_tb_ptr", "helper_ldmxcsr", "helper_cc_compute_c", "helper_outb",
        "cpu_stop_current", "cpu_exec", "cpu_loop_exit_restore", "do_stop", "do_vm_stop",
        "tb_gen_code", "float64_add", "memory_region_dispatch_read", "address_space_ldl",
        "memcpy", "x86_cpu_exec_interrupt", "",
    };

    check_rule(softmmu_name_is, yes, sizeof(yes) / sizeof(yes[0]), no, sizeof(no) / sizeof(no[0]));
}

static char tmpdir[] = "/tmp/test_softmmu.XXXXXX";

static bool write_file(const char *rel, const char *text)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
    f = fopen(path, "w");
    if (!f)
        return false;
    fputs(text, f);
    return fclose(f) == 0;
}

static bool run(const char *cmd)
{
    char buf[8192];

    snprintf(buf, sizeof(buf), "cd '%s' && %s >/dev/null 2>&1", tmpdir, cmd);
    return system(buf) == 0;
}

/* The ELF address of symbol name in the program at rel (nm), 0 if none. */
static uint64_t symbol_addr(const char *rel, const char *name)
{
    char cmd[4096], line[512];
    uint64_t addr = 0;
    FILE *p;

    snprintf(cmd, sizeof(cmd), "nm '%s/%s'", tmpdir, rel);
    p = popen(cmd, "r");
    if (!p)
        return 0;
    while (fgets(line, sizeof(line), p)) {
        unsigned long long a;
        char type, sym[256];

        if (sscanf(line, "%llx %c %255s", &a, &type, sym) == 3 && !strcmp(sym, name))
            addr = a;
    }
    pclose(p);
    return addr;
}

/* Expected result and rule of one function of the program, in one file variant. */
static void check_function(struct softmmu *sm, const char *path, const char *rel,
                           const char *name, int want, enum softmmu_rule want_rule)
{
    enum softmmu_rule rule = SOFTMMU_BY_NAME;
    uint64_t addr = symbol_addr(rel, name);
    int got;

    CHECK(addr != 0);
    got = softmmu_classify(sm, path, addr, name, &rule);
    if (!CHECK_EQ_I64(got, want) || !CHECK_EQ_U64(rule, want_rule))
        fprintf(stderr, "  %s in %s: %d by %s\n", name, rel, got,
                rule == SOFTMMU_BY_SOURCE ? "source" : rule == SOFTMMU_BY_NAME ? "name" : "file");
    /* Cached: the same answer. */
    CHECK_EQ_I64(softmmu_classify(sm, path, addr, name, NULL), want);
}

static void test_dwarf_or_names(void)
{
    static const char cputlb[] =
        "int zz_walk(int x) { return x * 3 + 1; }\n";
    static const char ptw[] =
        "int zz_descend(int x) { return x ^ 0x55; }\n";
    static const char other[] =
        "int helper_ldub_mmu(int x) { return x + 7; }\n"
        "int zz_plain(int x) { return x - 1; }\n";
    static const char mainc[] =
        "int zz_walk(int), zz_descend(int), helper_ldub_mmu(int), zz_plain(int);\n"
        "int main(int argc, char **argv) { (void)argv;\n"
        "  return zz_walk(argc) + zz_descend(argc) + helper_ldub_mmu(argc) + zz_plain(argc); }\n";
    /* Per variant: the file, and whether its DWARF is there for the classifier. */
    static const struct { const char *rel; bool dwarf; } variants[] = {
        { "prog", true },               /* DWARF in the file */
        { "prog.linked", true },        /* in prog.debug, by .gnu_debuglink */
        { "prog.nodebug", false },      /* none: names */
    };
    char path[3][4096];
    struct softmmu *sm;

    if (!mkdtemp(tmpdir)) {
        CHECK(false);
        return;
    }
    if (!run("mkdir -p accel/tcg target/arm") || !write_file("accel/tcg/cputlb.c", cputlb) ||
        !write_file("target/arm/ptw.c", ptw) || !write_file("other.c", other) ||
        !write_file("main.c", mainc)) {
        CHECK(false);
        return;
    }
    if (!run("gcc -g -O1 -fno-inline -o prog accel/tcg/cputlb.c target/arm/ptw.c other.c main.c") ||
        !run("gcc -g -O1 -fno-inline -fPIC -shared -Wl,-soname,libzz.so.1 -o libzz.so "
             "accel/tcg/cputlb.c other.c") ||
        !run("objcopy --strip-debug prog prog.nodebug") ||
        !run("objcopy --only-keep-debug prog prog.debug") ||
        !run("objcopy --strip-debug --add-gnu-debuglink=prog.debug prog prog.linked")) {
        printf("no gcc or objcopy: the choice between the rules is not checked\n");
        run("rm -rf accel target *.c prog* libzz.so");
        rmdir(tmpdir);
        return;
    }
    CHECK_EQ_I64(softmmu_new(NULL, &sm), 0);
    for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
        enum softmmu_rule r = variants[v].dwarf ? SOFTMMU_BY_SOURCE : SOFTMMU_BY_NAME;
        const char *rel = variants[v].rel;

        snprintf(path[v], sizeof(path[v]), "%s/%s", tmpdir, rel);
        check_function(sm, path[v], rel, "zz_walk", variants[v].dwarf, r);
        check_function(sm, path[v], rel, "zz_descend", variants[v].dwarf, r);
        check_function(sm, path[v], rel, "helper_ldub_mmu", !variants[v].dwarf, r);
        check_function(sm, path[v], rel, "zz_plain", 0, r);
    }
    /* A shared library (DT_SONAME): never, DWARF and names notwithstanding. */
    {
        char lib[4096];

        snprintf(lib, sizeof(lib), "%s/libzz.so", tmpdir);
        check_function(sm, lib, "libzz.so", "zz_walk", 0, SOFTMMU_BY_FILE);
        check_function(sm, lib, "libzz.so", "helper_ldub_mmu", 0, SOFTMMU_BY_FILE);
    }
    /* Not a file: names only; no name, no answer. */
    CHECK_EQ_I64(softmmu_classify(sm, "[vdso]", 0x1000, "tlb_fill_align", NULL), 1);
    CHECK_EQ_I64(softmmu_classify(sm, "//anon", 0x1000, NULL, NULL), 0);
    softmmu_free(sm);
    softmmu_free(NULL);
    run("rm -rf accel target *.c prog* libzz.so");
    rmdir(tmpdir);
}

int main(void)
{
    RUN_TEST(test_source_rule);
    RUN_TEST(test_name_rule);
    RUN_TEST(test_dwarf_or_names);
    return unit_finish("test_softmmu");
}
