/*
 * make-seeds-tbstats.c: writes the seed corpus of fuzz_tbstats
 * (tests/fuzz/corpus/tbstats/).
 *
 * The seeds are committed; rerun this only to change them:
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/fuzz/make-seeds-tbstats.c build/lib/libqjd.a \
 *      -o build/make-seeds-tbstats && build/make-seeds-tbstats tests/fuzz/corpus/tbstats
 *
 * Small valid files in both byte orders covering every record type, and one
 * invalid file per check of the reader, so the fuzzer starts next to every
 * branch.  Deterministic: fixed values, byte orders fixed whatever the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tbstats_writer.h"

#define HDR sizeof(struct tbs_file_header)

static const char *dir;
static const unsigned host_is_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

static void check(int err, const char *what)
{
    if (err) {
        fprintf(stderr, "make-seeds-tbstats: %s: error %d\n", what, err);
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

/*
 * Header, MAPPING, TB (3 instructions), UNMAP, FLUSH, unknown type 42, END;
 * little-endian unless big.  *tb_off receives the TB's offset.
 */
static struct tbs_writer *build(unsigned big, size_t *tb_off)
{
    static const uint8_t code[] = { 0x55, 0x48, 0x89, 0xe5, 0xc3 };
    static const uint64_t pcs[] = { 0x401000, 0x401001, 0x401004 };
    static const uint32_t ends[] = { 0x10, 0x20, 0x30 };
    static const uint8_t bid[4] = { 1, 2, 3, 4 };
    static const uint8_t unknown[8] = { 'n', 'e', 'w' };
    const struct tbs_header h = {
        .pid = 1234, .timestamp = 1, .guest_machine = 62, .host_machine = 62,
        .flags = TBS_FLAG_GUEST_LISTING, .guest_page_size = 4096, .guest_addr_bits = 64,
        .guest_arch = "x86_64", .qemu_version = "10.0.2",
    };
    const struct tbs_mapping_view m = {
        .timestamp = 2, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .bias = 0, .prot = 5, .build_id_size = 4, .build_id = bid,
        .path = "/bin/true", .path_len = 9,
    };
    const struct tbs_tb_view tb = {
        .timestamp = 3, .code_index = 1, .host_addr = 0x7f0000000100, .guest_pc = 0x401000,
        .phys_pc = UINT64_MAX, .host_size = 0x40, .guest_size = 5, .guest_code_size = 5,
        .icount = 3, .listing_line = 6, .guest_code = code,
    };
    const struct tbs_unmap_view u = { .timestamp = 4, .start = 0x401000, .end = 0x402000 };
    const struct tbs_end_view e = { .timestamp = 6, .nr_tbs = 1, .nr_flushes = 1 };
    struct tbs_writer *w;

    check(tbs_writer_open_mem(big != host_is_big ? TBS_WRITER_SWAP : 0, &w), "open");
    check(tbs_writer_write_header(w, &h), "header");
    check(tbs_writer_write_mapping(w, &m), "mapping");
    tbs_writer_data(w, tb_off);
    check(tbs_writer_write_tb(w, &tb, pcs, ends), "tb");
    check(tbs_writer_write_unmap(w, &u), "unmap");
    check(tbs_writer_write_flush(w, 5), "flush");
    check(tbs_writer_write_raw(w, 42, unknown, sizeof(unknown)), "raw");
    check(tbs_writer_write_end(w, &e), "end");
    return w;
}

static void put32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = v >> (8 * i);
}

/* The valid little-endian file with one patch (NULL: none), cut to len (0: all). */
static void variant(const char *name, size_t off, const void *patch, size_t n, size_t len)
{
    struct tbs_writer *w;
    const uint8_t *data;
    uint8_t *buf;
    size_t size, tb;

    w = build(0, &tb);
    data = tbs_writer_data(w, &size);
    buf = malloc(size);
    memcpy(buf, data, size);
    if (patch)
        memcpy(buf + off, patch, n);
    save(name, buf, len ? len : size);
    free(buf);
    tbs_writer_close(w);
}

int main(int argc, char **argv)
{
    struct tbs_writer *w;
    const uint8_t *data;
    size_t len, tb;
    uint8_t v[4];

    if (argc != 2) {
        fprintf(stderr, "usage: make-seeds-tbstats DIR\n");
        return 2;
    }
    dir = argv[1];

    w = build(0, &tb);
    data = tbs_writer_data(w, &len);
    save("valid-le", data, len);
    tbs_writer_close(w);
    w = build(1, &tb);
    data = tbs_writer_data(w, &len);
    save("valid-be", data, len);
    tbs_writer_close(w);

    variant("header-truncated", 0, NULL, 0, 40);
    variant("record-truncated", 0, NULL, 0, tb + 60);
    variant("bad-magic", 0, "QTBX", 4, 0);
    variant("version-2", 4, "\2\0", 2, 0);
    put32le(v, 0xfffffff8);
    variant("header-size-huge", 8, v, 4, 0);
    variant("record-size-huge", tb + 4, v, 4, 0);
    put32le(v, 12);
    variant("record-size-unaligned", tb + 4, v, 4, 0);
    put32le(v, 0);
    variant("record-size-zero", tb + 4, v, 4, 0);
    variant("icount-huge", tb + offsetof(struct tbs_tb, icount), "\xff\xff", 2, 0);
    put32le(v, 0xffffffff);
    variant("guest-code-size-huge", tb + offsetof(struct tbs_tb, guest_code_size), v, 4, 0);
    variant("build-id-size-huge", HDR + offsetof(struct tbs_mapping, build_id_size),
            "\x15", 1, 0);
    variant("mapping-path-unterminated", HDR + sizeof(struct tbs_mapping),
            "ABCDEFGHIJKLMNOP", 16, 0);
    return 0;
}
