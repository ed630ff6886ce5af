/*
 * make-tbstats-fixtures.c: writes the tbstats fixtures of the golden tests
 * of "tbsym listing".
 *
 * The fixtures are committed; rerun this only to change them, then refresh
 * the expected outputs (see run.sh):
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/golden/make-tbstats-fixtures.c build/lib/libqjd.a \
 *      -o build/make-tbstats-fixtures && build/make-tbstats-fixtures tests/golden
 *
 * Named .tbs, not .tbstats, which .gitignore keeps out of git (QEMU output).
 * Deterministic: fixed field values, fixed byte orders whatever the host.
 * The MAPPING names a file that does not exist, so the listings carry no
 * symbols or source lines and do not depend on the machine.
 *   listing-x86.tbs            little-endian x86-64: a TB at line 6, a TB
 *                              without listing line (skipped), a TB at line
 *                              20 whose guest code is cut short, a record of
 *                              unknown type, FLUSH, a TB with an invalid
 *                              instruction, END
 *   listing-aarch64-be.tbs     big-endian file of a big-endian AArch64 guest
 *                              (aarch64_be: data big-endian, instructions
 *                              still little-endian, as QEMU records them)
 *   listing-unknown-arch.tbs   a guest capstone is not asked about (RISC-V)
 *   listing-truncated.tbs      listing-x86 cut inside its last TB
 *   listing-overlap.tbs        a TB whose lines overlap the previous TB's
 *   listing-corrupt.tbs        listing-x86 with an icount of 65535
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tbstats_writer.h"

static const unsigned host_is_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
static const char *dir;

static void check(int err, const char *what)
{
    if (err) {
        fprintf(stderr, "make-tbstats-fixtures: %s: error %d\n", what, err);
        exit(1);
    }
}

static void save(const char *name, const uint8_t *buf, size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static struct tbs_writer *start(unsigned big, uint16_t machine, const char *arch)
{
    struct tbs_header h = {
        .pid = 4242, .timestamp = 100, .guest_machine = machine, .host_machine = 62,
        /* As QEMU sets it: the flag says the guest is big-endian. */
        .flags = TBS_FLAG_GUEST_LISTING | (big ? TBS_FLAG_GUEST_BIG_ENDIAN : 0), .guest_page_size = 4096, .guest_addr_bits = 64,
        .qemu_version = "10.0.2",
    };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .path = "/nonexistent/guest", .path_len = 18, .prot = 5,
    };
    struct tbs_writer *w;

    snprintf(h.guest_arch, sizeof(h.guest_arch), "%s", arch);
    check(tbs_writer_open_mem(big != host_is_big ? TBS_WRITER_SWAP : 0, &w), "open");
    check(tbs_writer_write_header(w, &h), "header");
    check(tbs_writer_write_mapping(w, &m), "mapping");
    return w;
}

/* One TB at pc with its instructions' sizes; code_size bytes of code given. */
static void tb(struct tbs_writer *w, uint64_t pc, const uint8_t *code, uint32_t guest_size,
               uint32_t code_size, const unsigned *sizes, unsigned icount, uint32_t line)
{
    uint64_t pcs[16];
    uint32_t ends[16];
    struct tbs_tb_view t = {
        .timestamp = 200 + line, .code_index = line, .host_addr = 0x7f0000000000 + pc,
        .guest_pc = pc, .phys_pc = UINT64_MAX, .guest_size = guest_size,
        .guest_code_size = code_size, .icount = icount, .listing_line = line,
        .guest_code = code,
    };

    for (unsigned i = 0; i < icount; i++) {
        pcs[i] = i ? pcs[i - 1] + sizes[i - 1] : pc;
        ends[i] = 0x18 * (i + 1);
    }
    t.host_size = ends[icount - 1] + 0x20;
    check(tbs_writer_write_tb(w, &t, pcs, ends), "tb");
}

static void save_writer(const char *name, struct tbs_writer *w, size_t cut)
{
    const uint8_t *data;
    size_t len;

    data = tbs_writer_data(w, &len);
    save(name, data, cut ? cut : len);
}

int main(int argc, char **argv)
{
    /* push %rbp; mov %rsp,%rbp; cmp $1,%edi; jle +0x1c */
    static const uint8_t x86_a[] = { 0x55, 0x48, 0x89, 0xe5, 0x83, 0xff, 0x01, 0x7e, 0x1c };
    static const unsigned x86_a_sizes[] = { 1, 3, 3, 2 };
    /* lea 0x8(%rdi),%rax; ret */
    static const uint8_t x86_b[] = { 0x48, 0x8d, 0x47, 0x08, 0xc3 };
    static const unsigned x86_b_sizes[] = { 4, 1 };
    /* ret; movl $1,%eax (5 bytes, only 3 of them recorded) */
    static const uint8_t x86_c[] = { 0xc3, 0xb8, 0x01, 0x00 };
    static const unsigned x86_c_sizes[] = { 1, 5 };
    /* invalid in 64-bit mode (push %es); nop */
    static const uint8_t x86_d[] = { 0x06, 0x90 };
    static const unsigned x86_d_sizes[] = { 1, 1 };
    /* nop; add x0, x0, x1; ret (little-endian instructions) */
    static const uint8_t a64[] = { 0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x01, 0x8b,
                                   0xc0, 0x03, 0x5f, 0xd6 };
    static const unsigned a64_sizes[] = { 4, 4, 4 };
    static const uint8_t unknown[8] = { 'n', 'e', 'w' };
    const struct tbs_end_view end = { .timestamp = 999, .nr_tbs = 4, .nr_flushes = 1 };
    struct tbs_writer *w;
    size_t last_tb;
    uint8_t *buf;
    const uint8_t *data;
    size_t len;

    if (argc != 2) {
        fprintf(stderr, "usage: make-tbstats-fixtures DIR\n");
        return 2;
    }
    dir = argv[1];

    w = start(0, 62, "x86_64");
    tb(w, 0x401100, x86_a, sizeof(x86_a), sizeof(x86_a), x86_a_sizes, 4, 6);
    tb(w, 0x401200, x86_b, sizeof(x86_b), sizeof(x86_b), x86_b_sizes, 2, 0);
    tb(w, 0x401300, x86_c, 6, sizeof(x86_c), x86_c_sizes, 2, 20);
    check(tbs_writer_write_raw(w, 42, unknown, sizeof(unknown)), "raw");
    check(tbs_writer_write_flush(w, 300), "flush");
    tbs_writer_data(w, &last_tb);
    tb(w, 0x401400, x86_d, sizeof(x86_d), sizeof(x86_d), x86_d_sizes, 2, 30);
    check(tbs_writer_write_end(w, &end), "end");
    save_writer("listing-x86.tbs", w, 0);
    save_writer("listing-truncated.tbs", w, last_tb + 40);
    data = tbs_writer_data(w, &len);
    buf = malloc(len);
    memcpy(buf, data, len);
    memset(buf + last_tb + offsetof(struct tbs_tb, icount), 0xff, 2);
    save("listing-corrupt.tbs", buf, len);
    free(buf);
    tbs_writer_close(w);

    w = start(1, 183, "aarch64");
    tb(w, 0x401000, a64, sizeof(a64), sizeof(a64), a64_sizes, 3, 6);
    check(tbs_writer_write_end(w, &end), "end");
    save_writer("listing-aarch64-be.tbs", w, 0);
    tbs_writer_close(w);

    w = start(0, 243, "riscv64");
    tb(w, 0x401000, a64, 8, 8, a64_sizes, 2, 6);
    save_writer("listing-unknown-arch.tbs", w, 0);
    tbs_writer_close(w);

    w = start(0, 62, "x86_64");
    tb(w, 0x401100, x86_a, sizeof(x86_a), sizeof(x86_a), x86_a_sizes, 4, 6);
    tb(w, 0x401200, x86_b, sizeof(x86_b), sizeof(x86_b), x86_b_sizes, 2, 10);
    save_writer("listing-overlap.tbs", w, 0);
    tbs_writer_close(w);
    return 0;
}
