/*
 * make-seeds.c: writes the seed corpus of fuzz_jitdump (tests/fuzz/corpus/jitdump/).
 *
 * The seeds are committed; rerun this only to change them:
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/fuzz/make-seeds.c build/lib/libqjd.a \
 *      -o build/make-seeds && build/make-seeds tests/fuzz/corpus/jitdump
 *
 * Small (< 1 KiB) valid files in both byte orders covering every record
 * type, and one invalid file per check of the reader, so the fuzzer starts
 * next to every branch.  Files the fuzzer finds are added next to these
 * under their libFuzzer names (crash-*, or a hash).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitdump_writer.h"

#include "../tools/fixture.h"

#define HDR sizeof(struct jitdump_header)

static const char *dir;

/* Store v at off in the file's order: little-endian files, host little. */
static void put32(unsigned char *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void put64(unsigned char *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

struct offsets {
    size_t debug, unwind, load, end;
};

/* Header, DEBUG_INFO, UNWINDING_INFO, LOAD, MOVE, unknown id, CLOSE. */
static struct jd_writer *build(unsigned flags, uint32_t version, uint32_t hdr_size,
                               struct offsets *off)
{
    static const unsigned char code[] = { 0x48, 0x89, 0xf8, 0xc3 };
    static const unsigned char eh[16] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    const struct jd_header h = { .version = version, .total_size = hdr_size,
                                 .elf_mach = 183, .pid = 7, .timestamp = 1 };
    const struct jd_debug_entry e[] = {
        { .addr = 0x4000, .lineno = 1, .name = "a.c", .name_len = 3 },
        { .addr = 0x4002, .lineno = 2, .name_repeated = true },
        { .addr = 0x4003, .lineno = 3, .name = "", .name_len = 0 },
    };
    const struct jd_unwinding_info u = { .unwinding_size = 16, .eh_frame_hdr_size = 8,
                                         .mapped_size = 16, .data = eh };
    const struct jd_code_load l = { .pid = 7, .tid = 8, .vma = 0x4000, .code_addr = 0x4000,
                                    .code_size = sizeof(code), .code_index = 3,
                                    .name = "tb:0x10078", .name_len = 10, .code = code };
    const struct jd_code_move m = { .pid = 7, .tid = 8, .vma = 0x5000, .old_code_addr = 0x4000,
                                    .new_code_addr = 0x5000, .code_size = 4, .code_index = 3 };
    struct jd_writer *w;

    fixture_check(jd_writer_open_mem(flags, &w), "open");
    fixture_check(jd_writer_write_header(w, &h), "header");
    jd_writer_data(w, &off->debug);
    fixture_check(jd_writer_write_debug_info(w, 2, 0x4000, e, 3), "debug");
    jd_writer_data(w, &off->unwind);
    fixture_check(jd_writer_write_unwinding_info(w, 3, &u), "unwind");
    jd_writer_data(w, &off->load);
    fixture_check(jd_writer_write_load(w, 4, &l), "load");
    fixture_check(jd_writer_write_move(w, 5, &m), "move");
    fixture_check(jd_writer_write_raw(w, 1000, 6, "xyz", 3), "raw");
    fixture_check(jd_writer_write_close(w, 7), "close");
    jd_writer_data(w, &off->end);
    return w;
}

/* A mutated copy of the little-endian valid file. */
static unsigned char *copy_of(const unsigned char *data, size_t len)
{
    unsigned char *c = malloc(len);

    if (!c)
        exit(1);
    memcpy(c, data, len);
    return c;
}

int main(int argc, char **argv)
{
    const unsigned swap_to_le = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? JD_WRITER_SWAP : 0;
    struct jd_writer *w;
    struct offsets o;
    const unsigned char *data;
    unsigned char *c;
    size_t len;

    dir = argc > 1 ? argv[1] : ".";

    w = build(swap_to_le ^ JD_WRITER_SWAP, 1, 0, &o);
    data = jd_writer_data(w, &len);
    fixture_save(dir, "valid-be", data, len);
    jd_writer_close(w);

    w = build(swap_to_le, 2, HDR + 8, &o);
    data = jd_writer_data(w, &len);
    fixture_save(dir, "valid-v2-long-header", data, len);
    jd_writer_close(w);

    w = build(swap_to_le, 1, 0, &o);
    data = jd_writer_data(w, &len);
    if (swap_to_le) {
        fprintf(stderr, "make-seeds: the mutations assume a little-endian host\n");
        return 1;
    }
    fixture_save(dir, "valid-le", data, len);
    fixture_save(dir, "header-only", data, HDR);
    fixture_save(dir, "header-truncated", data, HDR - 9);
    fixture_save(dir, "record-truncated", data, o.load + 30);
    fixture_save(dir, "prefix-truncated", data, o.load + 6);

    c = copy_of(data, len); c[0] = 'X';
    fixture_save(dir, "bad-magic", c, len); free(c);
    c = copy_of(data, len); put32(c, 4, 3);
    fixture_save(dir, "version-3", c, len); free(c);
    c = copy_of(data, len); put32(c, 8, 0xffffffff);
    fixture_save(dir, "header-size-huge", c, len); free(c);
    c = copy_of(data, len); put32(c, o.load + 4, 0);
    fixture_save(dir, "record-size-zero", c, len); free(c);
    c = copy_of(data, len); put32(c, o.load + 4, 0xfffffff0);
    fixture_save(dir, "record-size-huge", c, len); free(c);
    c = copy_of(data, len); put64(c, o.load + 40, ~0ull);
    fixture_save(dir, "code-size-huge", c, len); free(c);
    /* The name, its NUL and the code, all 'n': no NUL up to the record's end. */
    c = copy_of(data, len); memset(c + o.load + 56, 'n', 10 + 1 + 4);
    fixture_save(dir, "load-name-unterminated", c, len); free(c);
    c = copy_of(data, len); put64(c, o.debug + 24, ~0ull);
    fixture_save(dir, "nr-entry-huge", c, len); free(c);
    c = copy_of(data, len); put64(c, o.debug + 24, ~0ull / 17 + 1);
    fixture_save(dir, "nr-entry-wraps", c, len); free(c);
    c = copy_of(data, len); put64(c, o.debug + 24, 4);
    fixture_save(dir, "nr-entry-one-too-many", c, len); free(c);
    c = copy_of(data, len); c[o.debug + 32 + 16] = 0xff; c[o.debug + 32 + 17] = 0;
    fixture_save(dir, "debug-first-name-repeated", c, len); free(c);
    c = copy_of(data, len); put64(c, o.unwind + 16, ~0ull);
    fixture_save(dir, "unwinding-size-huge", c, len); free(c);
    c = copy_of(data, len); put64(c, o.unwind + 24, 17);
    fixture_save(dir, "eh-frame-hdr-too-big", c, len); free(c);
    c = copy_of(data, len); put32(c, o.load, 77);
    fixture_save(dir, "unknown-id-bad-size", c, o.load + 30); free(c);
    jd_writer_close(w);
    return 0;
}
