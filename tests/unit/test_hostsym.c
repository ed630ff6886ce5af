/*
 * test_hostsym.c: host symbolization on real files: this test binary (built
 * -O2 -g: .symtab), the C library (.symtab of libc6-dbg's build-id file
 * when installed, else .dynsym) and libzstd (.dynsym only), each fed as the
 * MMAP2 records perf would write for the maps in /proc/self/maps, so that
 * runtime addresses of known functions are sample addresses.  Kernel
 * symbols come from a kallsyms file written here.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "hostsym.h"
#include "unit.h"

volatile int sink;

static __attribute__((noinline, noclone)) int static_target(int x)
{
    for (int i = 0; i < x; i++)
        sink += i * x;
    return sink;
}

/* Feed every file map of /proc/self/maps as an MMAP2 record at time. */
static int add_self_maps(struct hostsym *hs, uint32_t pid, uint64_t time)
{
    char line[4096 + 128];
    FILE *f = fopen("/proc/self/maps", "r");
    int n = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned long long start, end, off;
        char perms[8], path[4096];

        path[0] = '\0';
        if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %4095[^\n]", &start, &end, perms, &off,
                   path) < 4)
            continue;
        if (path[0] != '/' || perms[2] != 'x')
            continue;
        CHECK_EQ_I64(hostsym_add_mmap(hs, pid, time, start, end - start, off, path, NULL, 0),
                     0);
        n++;
    }
    fclose(f);
    return n;
}

/* The real address of a libc or libzstd function, not an interceptor's. */
static uint64_t lib_sym(const char *lib, const char *name)
{
    void *h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
    uint64_t a = h ? (uintptr_t)dlsym(h, name) : 0;

    if (h)
        dlclose(h);
    return a;
}

static void test_self(void)
{
    struct hostsym *hs;
    struct hostsym_loc loc;
    uint32_t pid = (uint32_t)getpid();
    uint64_t pc = (uintptr_t)static_target;

    CHECK_EQ_I64(hostsym_new(NULL, &hs), 0);
    CHECK(add_self_maps(hs, pid, 100) > 0);

    CHECK_EQ_I64(hostsym_lookup(hs, pid, pc, 200, 0, &loc), 0);
    CHECK(loc.found && !loc.kernel);
    CHECK_STR_EQ(loc.dso_name, "test_hostsym");
    CHECK_STR_EQ(loc.symbol, "static_target");
    CHECK_EQ_U64(loc.offset, 0);
    CHECK(loc.sym_size > 0);
    CHECK_EQ_U64(loc.elf_addr, loc.sym_start);
    CHECK_EQ_I64(hostsym_lookup(hs, pid, pc + 5, 200, 0, &loc), 0);
    CHECK_STR_EQ(loc.symbol, "static_target");
    CHECK_EQ_U64(loc.offset, 5);

    /* Before the mmap, in another pid, outside every map: not found. */
    CHECK_EQ_I64(hostsym_lookup(hs, pid, pc, 99, 0, &loc), 0);
    CHECK(!loc.found && !loc.symbol && !loc.dso_path);
    CHECK_EQ_I64(hostsym_lookup(hs, pid + 1, pc, 200, 0, &loc), 0);
    CHECK(!loc.found);
    CHECK_EQ_I64(hostsym_lookup(hs, pid, 0x1000, 200, 0, &loc), 0);
    CHECK(!loc.found);

    /* A later map over the same range hides it from then on. */
    CHECK_EQ_I64(hostsym_add_mmap(hs, pid, 300, pc & ~4095ull, 4096, 0, "/nonexistent/lib.so",
                                  (const uint8_t *)"\x12\x34\x56", 3), 0);
    CHECK_EQ_I64(hostsym_lookup(hs, pid, pc, 300, 0, &loc), 0);
    CHECK(loc.found);
    CHECK_STR_EQ(loc.dso_path, "/nonexistent/lib.so");
    CHECK_STR_EQ(loc.dso_name, "lib.so");
    CHECK(!loc.symbol);
    CHECK_EQ_U64(loc.offset, pc & 4095);
    CHECK_EQ_I64(hostsym_lookup(hs, pid, pc, 299, 0, &loc), 0);
    CHECK_STR_EQ(loc.symbol, "static_target");

    CHECK_EQ_I64(hostsym_add_mmap(hs, pid, 1, 0, 0, 0, "/x", NULL, 0), -EINVAL);
    CHECK_EQ_I64(hostsym_add_mmap(hs, pid, 1, ~0ull, 2, 0, "/x", NULL, 0), -EINVAL);
    /* Not regular files, or no file at all: a dso without symbols. */
    CHECK_EQ_I64(hostsym_add_mmap(hs, pid, 1, 0x10000, 4096, 0, "/dev/zero", NULL, 0), 0);
    CHECK_EQ_I64(hostsym_add_mmap(hs, pid, 1, 0x20000, 4096, 0, "[vdso]", NULL, 0), 0);
    CHECK_EQ_I64(hostsym_lookup(hs, pid, 0x10010, 2, 0, &loc), 0);
    CHECK(loc.found && !loc.symbol);
    CHECK_STR_EQ(loc.dso_name, "zero");
    CHECK_EQ_I64(hostsym_lookup(hs, pid, 0x20010, 2, 0, &loc), 0);
    CHECK(loc.found && !loc.symbol);
    CHECK_STR_EQ(loc.dso_name, "[vdso]");
    hostsym_free(hs);
    hostsym_free(NULL);
}

/* The first PLT stub of this binary, as an address of the running process; 0 if none. */
static uint64_t first_plt_stub(void)
{
    uint64_t addr = 0;
    size_t shstrndx;
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    Elf *elf;
    int fd = open("/proc/self/exe", O_RDONLY);

    if (fd < 0)
        return 0;
    elf_version(EV_CURRENT);
    elf = elf_begin(fd, ELF_C_READ, NULL);
    if (elf && elf_getshdrstrndx(elf, &shstrndx) == 0) {
        while ((scn = elf_nextscn(elf, scn))) {
            const char *name;

            if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
                !strcmp(name, ".plt") && sh.sh_size >= 32)
                addr = sh.sh_addr + 16 + 4;     /* inside entry 1, after PLT0 */
        }
    }
    elf_end(elf);
    close(fd);
    /* PIE: the load bias is the address of the first PT_LOAD at vaddr 0. */
    return addr ? addr + (uint64_t)_r_debug.r_map->l_addr : 0;
}

/* Samples in a PLT stub are named "sym@plt", as perf names them. */
static void test_plt(void)
{
    struct hostsym *hs;
    struct hostsym_loc loc;
    uint32_t pid = (uint32_t)getpid();
    uint64_t pc = first_plt_stub();
    size_t len;

    if (!pc) {
        printf("# no .plt in the test binary: PLT check skipped\n");
        return;
    }
    CHECK_EQ_I64(hostsym_new(NULL, &hs), 0);
    CHECK(add_self_maps(hs, pid, 100) > 0);
    CHECK_EQ_I64(hostsym_lookup(hs, pid, pc, 200, 0, &loc), 0);
    CHECK(loc.found && loc.symbol);
    len = loc.symbol ? strlen(loc.symbol) : 0;
    CHECK(len > 4 && !strcmp(loc.symbol + len - 4, "@plt"));
    CHECK_EQ_U64(loc.offset, 4);
    hostsym_free(hs);
}

static void test_libs(void)
{
    struct hostsym *hs;
    struct hostsym_loc loc;
    uint32_t pid = 4242;
    uint64_t pc;

    CHECK_EQ_I64(hostsym_new("/nonexistent-debug-root", &hs), 0);
    add_self_maps(hs, pid, 0);

    pc = lib_sym("libc.so.6", "printf");
    CHECK(pc != 0);
    CHECK_EQ_I64(hostsym_lookup(hs, pid, pc + 2, 0, 0, &loc), 0);
    CHECK_STR_EQ(loc.dso_name, "libc.so.6");
    /* printf and _IO_printf share the address: perf's choice is printf. */
    CHECK_STR_EQ(loc.symbol, "printf");
    CHECK_EQ_U64(loc.offset, 2);

    /* libzstd: .dynsym only (no debug package). */
    pc = lib_sym("libzstd.so.1", "ZSTD_versionNumber");
    if (pc) {
        CHECK_EQ_I64(hostsym_lookup(hs, pid, pc, 0, 0, &loc), 0);
        CHECK(strncmp(loc.dso_name ? loc.dso_name : "", "libzstd.so", 10) == 0);
        CHECK_STR_EQ(loc.symbol, "ZSTD_versionNumber");
        CHECK_EQ_U64(loc.offset, 0);
    } else {
        printf("libzstd.so.1 not loaded: its .dynsym not checked\n");
    }
    (void)ZSTD_versionNumber();
    hostsym_free(hs);
}

static void test_kernel(void)
{
    char path[] = "/tmp/test_hostsym.XXXXXX";
    struct hostsym *hs;
    struct hostsym_loc loc;
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

    if (!f) {
        CHECK(0);
        return;
    }
    fputs("ffffffff81000000 T _stext\n"
          "ffffffff81000100 t do_one_initcall\n"
          "ffffffff81000200 D some_data\n"
          "not a symbol line\n"
          "ffffffff81000280 T\n"
          "ffffffff81000290 TT bad_type\n"
          "ffffffff81000300 T schedule\n"
          "ffffffffc0000000 t mod_fn\t[mymod]\n", f);
    fclose(f);

    CHECK_EQ_I64(hostsym_new(NULL, &hs), 0);
    CHECK_EQ_I64(hostsym_set_kallsyms(hs, path), 0);
    CHECK_EQ_I64(hostsym_lookup(hs, 1, 0xffffffff81000150ull, 0, HOSTSYM_KERNEL, &loc), 0);
    CHECK(loc.found && loc.kernel);
    CHECK_STR_EQ(loc.dso_path, "[kernel.kallsyms]");
    CHECK_STR_EQ(loc.symbol, "do_one_initcall");
    CHECK_EQ_U64(loc.offset, 0x50);
    /* Data symbols do not end a text symbol's range. */
    CHECK_EQ_I64(hostsym_lookup(hs, 1, 0xffffffff81000250ull, 0, 0, &loc), 0);
    CHECK_STR_EQ(loc.symbol, "do_one_initcall");
    /* Lines that are not "ADDR TYPE NAME" add nothing. */
    CHECK_EQ_I64(hostsym_lookup(hs, 1, 0xffffffff810002a0ull, 0, 0, &loc), 0);
    CHECK_STR_EQ(loc.symbol, "do_one_initcall");
    CHECK_EQ_I64(hostsym_lookup(hs, 1, 0xffffffffc0000004ull, 0, 0, &loc), 0);
    CHECK_STR_EQ(loc.symbol, "mod_fn");
    CHECK_EQ_I64(hostsym_lookup(hs, 1, 0xfffffffff0000000ull, 0, 0, &loc), 0);
    CHECK(loc.found && !loc.symbol);
    /* The kernel flag wins over the address. */
    CHECK_EQ_I64(hostsym_lookup(hs, 1, 0x1000, 0, HOSTSYM_KERNEL, &loc), 0);
    CHECK(loc.found && loc.kernel && !loc.symbol);

    /* kptr_restrict: every address 0, so no symbols at all. */
    f = fopen(path, "w");
    if (f) {
        fputs("0000000000000000 T _stext\n0000000000000000 T schedule\n", f);
        fclose(f);
    }
    CHECK_EQ_I64(hostsym_set_kallsyms(hs, path), 0);
    CHECK_EQ_I64(hostsym_lookup(hs, 1, 0xffffffff81000150ull, 0, HOSTSYM_KERNEL, &loc), 0);
    CHECK(loc.found && !loc.symbol);
    CHECK_EQ_I64(hostsym_set_kallsyms(hs, NULL), 0);
    CHECK_EQ_I64(hostsym_lookup(hs, 1, 0xffffffff81000150ull, 0, HOSTSYM_KERNEL, &loc), 0);
    CHECK(loc.found && !loc.symbol);
    hostsym_free(hs);
    unlink(path);
}

int main(void)
{
    RUN_TEST(test_self);
    RUN_TEST(test_plt);
    RUN_TEST(test_libs);
    RUN_TEST(test_kernel);
    return unit_finish("test_hostsym");
}
