/*
 * make-fixtures.c: writes the jitdump fixtures of the golden tests.
 *
 * The fixtures are committed; rerun this only to change them, then refresh
 * the expected outputs (see run.sh):
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/golden/make-fixtures.c build/lib/libqjd.a \
 *      -o build/make-fixtures && build/make-fixtures tests/golden
 *
 * Deterministic: fixed field values, fixed byte orders whatever the host's.
 *   dump-small.jitdump       little-endian, every record type, a record of
 *                            unknown id, names that need escaping
 *   dump-big-endian.jitdump  the same records, big-endian
 *   dump-truncated.jitdump   dump-small cut inside its second CODE_LOAD
 *   dump-corrupt.jitdump     dump-small with a CODE_LOAD code_size of 2^64-1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitdump_writer.h"

#include "../tools/fixture.h"

static const unsigned host_is_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

/* The records of dump-small; *load2_offset receives the offset of the second LOAD. */
static struct jd_writer *build(int big_endian, size_t *load2_offset)
{
    static const unsigned char code1[] = { 0x55, 0x48, 0x89, 0xe5, 0x5d, 0xc3 };
    static const unsigned char code2[] = { 0x90, 0xc3 };
    static const unsigned char eh[24] = { 0x14, 0, 0, 0, 0, 0, 0, 0, 1, 'z', 'R', 0 };
    static const unsigned char unknown[] = { 'n', 'e', 'w', 0 };
    const struct jd_header header = {
        .version = 1, .elf_mach = 62, .pid = 4242, .timestamp = 1000000,
        .flags = JITDUMP_FLAGS_ARCH_TIMESTAMP,
    };
    const struct jd_debug_entry entries[] = {
        { .addr = 0x7f0000001000, .lineno = 12, .name = "demo.c", .name_len = 6 },
        { .addr = 0x7f0000001004, .lineno = 13, .discrim = 1, .name_repeated = true },
        /* A quote, a backslash, UTF-8 (e-acute) and a byte that is not UTF-8. */
        { .addr = 0x7f0000001005, .lineno = -1, .name = "odd \"dir\\\xc3\xa9\xff.c",
          .name_len = 14 },
    };
    const struct jd_unwinding_info unwind = {
        .unwinding_size = sizeof(eh), .eh_frame_hdr_size = 8, .mapped_size = 24, .data = eh,
    };
    const struct jd_code_load load1 = {
        .pid = 4242, .tid = 4243, .vma = 0x7f0000001000, .code_addr = 0x7f0000001000,
        .code_size = sizeof(code1), .code_index = 0, .name = "tb:0x401000 main",
        .name_len = 16, .code = code1,
    };
    const struct jd_code_move move = {
        .pid = 4242, .tid = 4243, .vma = 0x7f0000002000, .old_code_addr = 0x7f0000001000,
        .new_code_addr = 0x7f0000002000, .code_size = sizeof(code1), .code_index = 0,
    };
    const struct jd_code_load load2 = {
        .pid = 4242, .tid = 4244, .vma = 0x7f0000003000, .code_addr = 0x7f0000003000,
        .code_size = sizeof(code2), .code_index = 1, .name = "tb:0x401010 loop\tx",
        .name_len = 18, .code = code2,
    };
    struct jd_writer *w;

    fixture_check(jd_writer_open_mem(big_endian != (int)host_is_big ? JD_WRITER_SWAP : 0, &w), "open");
    fixture_check(jd_writer_write_header(w, &header), "header");
    fixture_check(jd_writer_write_debug_info(w, 1000100, 0x7f0000001000, entries, 3), "debug");
    fixture_check(jd_writer_write_unwinding_info(w, 1000101, &unwind), "unwind");
    fixture_check(jd_writer_write_load(w, 1000102, &load1), "load1");
    fixture_check(jd_writer_write_move(w, 1000103, &move), "move");
    fixture_check(jd_writer_write_raw(w, 42, 1000104, unknown, sizeof(unknown)), "unknown");
    jd_writer_data(w, load2_offset);
    fixture_check(jd_writer_write_load(w, 1000105, &load2), "load2");
    fixture_check(jd_writer_write_close(w, 1000106), "close");
    return w;
}

int main(int argc, char **argv)
{
    struct jd_writer *w;
    const unsigned char *data;
    size_t len, load2;
    const char *dir = argc > 1 ? argv[1] : ".";

    w = build(1, &load2);
    data = jd_writer_data(w, &len);
    fixture_save(dir, "dump-big-endian.jitdump", data, len);
    jd_writer_close(w);

    w = build(0, &load2);
    data = jd_writer_data(w, &len);
    fixture_save(dir, "dump-small.jitdump", data, len);
    fixture_save(dir, "dump-truncated.jitdump", data, load2 + 60);
    /* code_size of the second load */
    fixture_save_spoiled(dir, "dump-corrupt.jitdump", data, len, load2 + 40, 8);
    jd_writer_close(w);
    return 0;
}
