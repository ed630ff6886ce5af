/*
 * test_jitdump.c: the jitdump reader and writer (lib/jitdump*.c).
 *
 * Every fixture is built in memory with jd_writer and, for corrupt inputs,
 * patched at the byte offsets the format defines, so no binary files are
 * needed.  Prefixes and mutated copies live in malloc()ed buffers of their
 * exact size, so that the sanitizer build catches any read past the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jitdump.h"
#include "jitdump_writer.h"
#include "unit.h"
#include "memlimit.h"
#include "sample_checks.h"

#define HDR sizeof(struct jitdump_header)

/* The sample (sample_checks.h), a small file holding every record type; see build_sample(). */
static const uint8_t code1[] = { 0x55, 0x48, 0x89, 0xe5, 0xc3 };
static const uint8_t code2[] = { 0x90, 0x90, 0xc3 };
static const uint8_t eh[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static const struct jd_header sample_header = {
    .version = 1, .elf_mach = 62, .pid = 4242, .timestamp = 1000, .flags = 1,
};
static const struct jd_debug_entry sample_entries[] = {
    { .addr = 0x1000, .lineno = 10, .discrim = 0, .name = "guest.c", .name_len = 7 },
    { .addr = 0x1002, .lineno = -1, .discrim = 3, .name_repeated = true },
    { .addr = 0x1003, .lineno = 7, .discrim = 0, .name = "other.c", .name_len = 7 },
};
static const struct jd_unwinding_info sample_unwind = {
    .unwinding_size = sizeof(eh), .eh_frame_hdr_size = 4, .mapped_size = 16, .data = eh,
};
static const struct jd_code_load sample_load1 = {
    .pid = 4242, .tid = 4243, .vma = 0x1000, .code_addr = 0x1000,
    .code_size = sizeof(code1), .code_index = 0,
    .name = "tb:0x400000", .name_len = 11, .code = code1,
};
static const struct jd_code_move sample_move = {
    .pid = 4242, .tid = 4243, .vma = 0x2000, .old_code_addr = 0x1000,
    .new_code_addr = 0x2000, .code_size = sizeof(code1), .code_index = 0,
};
static const uint8_t unknown_payload[] = { 0xde, 0xad, 0xbe, 0xef };
static const struct jd_code_load sample_load2 = {
    .pid = 4242, .tid = 4243, .vma = 0xffffffff80000000ull,
    .code_addr = 0xffffffff80000000ull, .code_size = sizeof(code2), .code_index = 1,
    .name = "", .name_len = 0, .code = code2,
};

/* The sample's parts: its header and each record. */
#define NR_SAMPLE_PARTS 8

/* Part i of the sample (0: the header) written to w; -ERANGE past the last. */
static int write_sample_part(struct jd_writer *w, size_t i)
{
    switch (i) {
    case 0: return jd_writer_write_header(w, &sample_header);
    case 1: return jd_writer_write_debug_info(w, 1001, 0x1000, sample_entries, 3);
    case 2: return jd_writer_write_unwinding_info(w, 1002, &sample_unwind);
    case 3: return jd_writer_write_load(w, 1003, &sample_load1);
    case 4: return jd_writer_write_move(w, 1004, &sample_move);
    case 5: return jd_writer_write_raw(w, 99, 1005, unknown_payload, sizeof(unknown_payload));
    case 6: return jd_writer_write_load(w, 1006, &sample_load2);
    case 7: return jd_writer_write_close(w, 1007);
    }
    return -ERANGE;
}

/*
 * Header, DEBUG_INFO (3 entries, one "\xff"), UNWINDING_INFO, LOAD, MOVE,
 * a record of unknown id 99, LOAD (empty name), CLOSE.
 */
static void build_sample(struct sample *s, unsigned flags)
{
    SAMPLE_BUILD(s, flags, jd_writer, write_sample_part, NR_SAMPLE_PARTS);
}

/*
 * Read everything there is, debug entries included, touching every byte a
 * pointer claims; returns the final result of jd_reader_next() (0 or an
 * error) or of the open, and the number of records in *nr.
 */
static int read_everything(const uint8_t *buf, size_t len, size_t *nr)
{
    struct jd_reader *r;
    struct jd_record rec;
    unsigned sum = 0;
    int ret;

    *nr = 0;
    ret = jd_reader_open_mem(buf, len, "mem", &r);
    if (ret < 0) {
        CHECK(strlen(jd_reader_strerror(r)) > 0);
        jd_reader_close(r);
        return ret;
    }
    while ((ret = jd_reader_next(r, &rec)) == 1) {
        (*nr)++;
        if (rec.id == JITDUMP_CODE_LOAD) {
            sum += strlen(rec.u.load.name) == rec.u.load.name_len;
            for (uint64_t i = 0; i < rec.u.load.code_size; i++)
                sum += rec.u.load.code[i];
        } else if (rec.id == JITDUMP_CODE_DEBUG_INFO) {
            struct jd_debug_iter it;
            struct jd_debug_entry e;
            int n;

            jd_debug_iter_init(&it, &rec.u.debug_info);
            while ((n = jd_debug_iter_next(&it, &e)) == 1)
                sum += strlen(e.name) == e.name_len;
            CHECK_EQ_I64(n, 0);
        } else if (rec.id == JITDUMP_CODE_UNWINDING_INFO) {
            for (uint64_t i = 0; i < rec.u.unwinding.unwinding_size; i++)
                sum += rec.u.unwinding.data[i];
        }
        if (!CHECK(*nr <= len / 16))
            break;
    }
    CHECK(ret <= 0);
    if (ret < 0)
        CHECK(strstr(jd_reader_strerror(r), "byte offset") != NULL);
    CHECK(jd_reader_next(r, &rec) == ret);   /* sticky */
    jd_reader_close(r);
    (void)sum;
    return ret;
}

/* A CODE_LOAD read back: the fields, name and code of the one written. */
static void check_load(const struct jd_code_load *got, const struct jd_code_load *want)
{
    CHECK_EQ_U64(got->pid, want->pid);
    CHECK_EQ_U64(got->tid, want->tid);
    CHECK_EQ_U64(got->vma, want->vma);
    CHECK_EQ_U64(got->code_addr, want->code_addr);
    CHECK_EQ_U64(got->code_size, want->code_size);
    CHECK_EQ_U64(got->code_index, want->code_index);
    CHECK_STR_EQ(got->name, want->name);
    CHECK_EQ_U64(got->name_len, want->name_len);
    CHECK_MEM_EQ(got->code, want->code, want->code_size);
}

/* Read the next record of r into *rec: it must be one of id at timestamp ts. */
static void check_next(struct jd_reader *r, struct jd_record *rec, uint32_t id, uint64_t ts)
{
    CHECK_EQ_I64(jd_reader_next(r, rec), 1);
    CHECK_EQ_U64(rec->id, id);
    CHECK_EQ_U64(rec->timestamp, ts);
}

/* struct jd_code_move has no pointers and no padding: compared whole. */
_Static_assert(sizeof(struct jd_code_move) == 48, "jd_code_move is its 7 fields");

static void check_sample_records(const uint8_t *buf, size_t len, bool swapped)
{
    struct jd_reader *r;
    struct jd_record rec;
    const struct jd_header *h;
    struct jd_debug_iter it;
    struct jd_debug_entry e;

    CHECK_EQ_I64(jd_reader_open_mem(buf, len, "mem", &r), 0);
    h = jd_reader_header(r);
    CHECK_EQ_U64(h->version, 1);
    CHECK_EQ_U64(h->total_size, HDR);
    CHECK_EQ_U64(h->elf_mach, 62);
    CHECK_EQ_U64(h->pid, 4242);
    CHECK_EQ_U64(h->timestamp, 1000);
    CHECK_EQ_U64(h->flags, 1);
    CHECK(h->swapped == swapped);
    CHECK(h->big_endian == (swapped ^ (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)));

    check_next(r, &rec, JITDUMP_CODE_DEBUG_INFO, 1001);
    CHECK_EQ_U64(rec.offset, HDR);
    CHECK_EQ_U64(rec.u.debug_info.code_addr, 0x1000);
    CHECK_EQ_U64(rec.u.debug_info.nr_entry, 3);
    jd_debug_iter_init(&it, &rec.u.debug_info);
    for (int i = 0; i < 3; i++) {
        const struct jd_debug_entry *x = &sample_entries[i];

        CHECK_EQ_I64(jd_debug_iter_next(&it, &e), 1);
        CHECK_EQ_U64(e.addr, x->addr);
        CHECK_EQ_I64(e.lineno, x->lineno);
        CHECK_EQ_I64(e.discrim, x->discrim);
        CHECK(e.name_repeated == x->name_repeated);
        CHECK_STR_EQ(e.name, i == 1 ? "guest.c" : x->name);
        CHECK_EQ_U64(e.name_len, 7);
    }
    CHECK_EQ_I64(jd_debug_iter_next(&it, &e), 0);
    CHECK_EQ_I64(jd_debug_iter_next(&it, &e), 0);

    check_next(r, &rec, JITDUMP_CODE_UNWINDING_INFO, 1002);
    CHECK_EQ_U64(rec.size, sizeof(struct jitdump_code_unwinding_info) + sizeof(eh));
    CHECK_EQ_U64(rec.u.unwinding.unwinding_size, sizeof(eh));
    CHECK_EQ_U64(rec.u.unwinding.eh_frame_hdr_size, 4);
    CHECK_EQ_U64(rec.u.unwinding.mapped_size, 16);
    CHECK_MEM_EQ(rec.u.unwinding.data, eh, sizeof(eh));

    check_next(r, &rec, JITDUMP_CODE_LOAD, 1003);
    check_load(&rec.u.load, &sample_load1);

    check_next(r, &rec, JITDUMP_CODE_MOVE, 1004);
    CHECK_MEM_EQ(&rec.u.move, &sample_move, sizeof(sample_move));

    /* An unknown id is a record like any other, not an error. */
    check_next(r, &rec, 99, 1005);
    CHECK(jd_record_name(rec.id) == NULL);
    CHECK_EQ_U64(rec.size, 16 + sizeof(unknown_payload));
    CHECK_MEM_EQ(rec.raw + 16, unknown_payload, sizeof(unknown_payload));

    check_next(r, &rec, JITDUMP_CODE_LOAD, 1006);
    check_load(&rec.u.load, &sample_load2);

    check_next(r, &rec, JITDUMP_CODE_CLOSE, 1007);
    CHECK_EQ_U64(rec.offset + rec.size, len);

    CHECK_EQ_I64(jd_reader_next(r, &rec), 0);
    CHECK_EQ_I64(jd_reader_next(r, &rec), 0);
    CHECK_EQ_U64(jd_reader_offset(r), len);
    jd_reader_close(r);
}

static const struct sample_format format = {
    .build = build_sample, .swap = JD_WRITER_SWAP, .check_records = check_sample_records,
    .read_everything = read_everything, .header_size = HDR,
    /* A cut inside the record of unknown id is garbage, not a record being written. */
    .corrupt_when_cut = 5,
    /* The reader keeps nothing of its own per record, so 16 MB is generous. */
    .memory_limit = 16 << 20,
};

/* A header alone, with the given fields. */
static uint8_t *header_only(uint32_t version, uint32_t total_size, size_t *len)
{
    struct jd_header h = sample_header;
    struct jd_writer *w;
    const uint8_t *data;
    uint8_t *buf;

    h.version = version;
    h.total_size = total_size;
    CHECK_EQ_I64(jd_writer_open_mem(0, &w), 0);
    CHECK_EQ_I64(jd_writer_write_header(w, &h), 0);
    CHECK_EQ_I64(jd_writer_write_close(w, 5), 0);
    data = jd_writer_data(w, len);
    buf = malloc(*len);
    memcpy(buf, data, *len);
    jd_writer_close(w);
    return buf;
}

static void test_versions(void)
{
    struct jd_reader *r;
    struct jd_record rec;
    uint8_t *buf;
    size_t len, nr;

    buf = header_only(2, 0, &len);
    CHECK_EQ_I64(jd_reader_open_mem(buf, len, "v2", &r), 0);
    CHECK_EQ_U64(jd_reader_header(r)->version, 2);
    CHECK_EQ_I64(jd_reader_next(r, &rec), 1);
    CHECK_EQ_I64(jd_reader_next(r, &rec), 0);
    jd_reader_close(r);
    free(buf);

    buf = header_only(3, 0, &len);
    CHECK_EQ_I64(jd_reader_open_mem(buf, len, "v3", &r), -ENOTSUP);
    CHECK_STR_EQ(jd_reader_strerror(r),
                 "v3: unsupported version 3 at byte offset 4 (this reader handles 1 and 2)");
    CHECK_EQ_U64(jd_reader_error_offset(r), 4);
    CHECK_EQ_I64(jd_reader_next(r, &rec), -ENOTSUP);
    jd_reader_close(r);
    free(buf);

    buf = header_only(0xffffffff, 0, &len);
    CHECK_EQ_I64(read_everything(buf, len, &nr), -ENOTSUP);
    free(buf);
}

static void test_header_size(void)
{
    struct jd_reader *r;
    struct jd_record rec;
    uint8_t *buf;
    size_t len, nr;

    /* Extra header bytes (a newer writer's fields) are skipped. */
    buf = header_only(1, HDR + 24, &len);
    CHECK_EQ_I64(jd_reader_open_mem(buf, len, "big", &r), 0);
    CHECK_EQ_U64(jd_reader_header(r)->total_size, HDR + 24);
    CHECK_EQ_I64(jd_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.offset, HDR + 24);
    CHECK_EQ_U64(rec.id, JITDUMP_CODE_CLOSE);
    jd_reader_close(r);

    /* A header larger than the file: truncated, or corrupt if implausible. */
    sample_patch32(buf, 8, len + 1, false);
    CHECK_EQ_I64(read_everything(buf, len, &nr), -ENODATA);
    sample_patch32(buf, 8, 0xffffffff, false);
    CHECK_EQ_I64(jd_reader_open_mem(buf, len, "huge", &r), -EBADMSG);
    CHECK_STR_EQ(jd_reader_strerror(r),
                 "huge: header size 4294967295 at byte offset 8 exceeds end of file (80 bytes)");
    jd_reader_close(r);
    sample_patch32(buf, 8, HDR - 1, false);
    CHECK_EQ_I64(read_everything(buf, len, &nr), -EBADMSG);
    sample_patch32(buf, 8, 0, false);
    CHECK_EQ_I64(read_everything(buf, len, &nr), -EBADMSG);
    free(buf);
}

static void test_bad_magic(void)
{
    struct jd_reader *r;
    static const char elf[] = "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\0\0\0\0\0\0\0\0"
                              "@\0\0\0\0\0\0\0";

    CHECK_EQ_I64(jd_reader_open_mem(elf, sizeof(elf) - 1, "a.out", &r), -EBADMSG);
    CHECK_STR_EQ(jd_reader_strerror(r),
                 "a.out: bad magic 0x7f454c46 at byte offset 0 (not a jitdump file)");
    jd_reader_close(r);
    CHECK_EQ_I64(jd_reader_open_mem("JiX", 3, NULL, &r), -EBADMSG);
    CHECK_STR_EQ(jd_reader_strerror(r),
                 "<memory>: bad magic at byte offset 0 (not a jitdump file)");
    jd_reader_close(r);
    CHECK_EQ_I64(jd_reader_open_mem(NULL, 0, "empty", &r), -ENODATA);
    CHECK_STR_EQ(jd_reader_strerror(r),
                 "empty: truncated header at byte offset 0 (header needs 40 bytes, 0 left)");
    jd_reader_close(r);
}

/* Offsets in the sample of the records' fields. */
#define DEBUG_OFF    HDR
#define LOAD_OFF(s)  ((s)->ends[2])

/* The result of reading the sample with one 64-bit field replaced. */
static int sample_with64(size_t off, uint64_t v, bool swapped, char *msg, size_t msgsize)
{
    struct sample s;
    struct jd_reader *r;
    struct jd_record rec;
    int ret;

    build_sample(&s, swapped ? JD_WRITER_SWAP : 0);
    sample_patch64(s.buf, off, v, swapped);
    ret = jd_reader_open_mem(s.buf, s.len, "mem", &r);
    if (ret == 0)
        while ((ret = jd_reader_next(r, &rec)) == 1)
            ;
    snprintf(msg, msgsize, "%s", jd_reader_strerror(r));
    jd_reader_close(r);
    free(s.buf);
    return ret;
}

static void test_huge_values(void)
{
    struct sample s;
    char msg[512];
    size_t load, unwind, nr;

    build_sample(&s, 0);
    load = LOAD_OFF(&s);
    unwind = s.ends[1];

    /* nr_entry near 2^64, and where nr_entry * 17 wraps around. */
    for (int swapped = 0; swapped < 2; swapped++) {
        CHECK_EQ_I64(sample_with64(DEBUG_OFF + 24, UINT64_MAX, swapped, msg, sizeof(msg)),
                     -EBADMSG);
        CHECK_EQ_I64(sample_with64(DEBUG_OFF + 24, UINT64_MAX / 17 + 1, swapped, msg,
                                   sizeof(msg)), -EBADMSG);
        CHECK_EQ_I64(sample_with64(DEBUG_OFF + 24, 4, swapped, msg, sizeof(msg)), -EBADMSG);
        CHECK_EQ_I64(sample_with64(load + 40, UINT64_MAX, swapped, msg, sizeof(msg)),
                     -EBADMSG);
        CHECK_EQ_I64(sample_with64(load + 40, UINT64_MAX - 55, swapped, msg, sizeof(msg)),
                     -EBADMSG);
        CHECK_EQ_I64(sample_with64(load + 40, sizeof(code1) + 1, swapped, msg, sizeof(msg)),
                     -EBADMSG);
        CHECK_EQ_I64(sample_with64(unwind + 16, UINT64_MAX, swapped, msg, sizeof(msg)),
                     -EBADMSG);
        CHECK_EQ_I64(sample_with64(unwind + 24, sizeof(eh) + 1, swapped, msg, sizeof(msg)),
                     -EBADMSG);
    }
    sample_with64(DEBUG_OFF + 24, UINT64_MAX, false, msg, sizeof(msg));
    CHECK_STR_EQ(msg, "mem: CODE_DEBUG_INFO nr_entry 18446744073709551615 at byte offset 64 "
                      "impossible (a record of 98 bytes has room for at most 3 entries)");
    sample_with64(load + 40, UINT64_MAX, false, msg, sizeof(msg));
    CHECK(strstr(msg, "CODE_LOAD code_size 18446744073709551615 at byte offset") != NULL);
    sample_with64(unwind + 24, sizeof(eh) + 1, false, msg, sizeof(msg));
    CHECK(strstr(msg, "eh_frame_hdr_size 13 at byte offset") != NULL);

    /* total_size of a record near 2^32, 0 (must not loop), below the minimum. */
    sample_patch32(s.buf, load + 4, 0xffffffff, false);
    CHECK_EQ_I64(read_everything(s.buf, s.len, &nr), -EBADMSG);
    CHECK_EQ_U64(nr, 2);
    sample_patch32(s.buf, load + 4, 0, false);
    CHECK_EQ_I64(read_everything(s.buf, s.len, &nr), -EBADMSG);
    sample_patch32(s.buf, load + 4, 56, false);
    CHECK_EQ_I64(read_everything(s.buf, s.len, &nr), -EBADMSG);
    sample_patch32(s.buf, load + 4, 15, false);
    CHECK_EQ_I64(read_everything(s.buf, s.len, &nr), -EBADMSG);
    free(s.buf);
}

static void test_truncated_vs_corrupt(void)
{
    struct sample s;
    struct jd_reader *r;
    struct jd_record rec;
    size_t load, cut, nr;
    char want[256];

    build_sample(&s, 0);
    load = LOAD_OFF(&s);
    cut = load + 70;    /* inside the LOAD's name */

    CHECK_EQ_I64(jd_reader_open_mem(s.buf, cut, "jit-123.dump", &r), 0);
    CHECK_EQ_I64(jd_reader_next(r, &rec), 1);
    CHECK_EQ_I64(jd_reader_next(r, &rec), 1);
    CHECK_EQ_I64(jd_reader_next(r, &rec), -ENODATA);
    snprintf(want, sizeof(want), "jit-123.dump: truncated record at byte offset %zu "
             "(record needs %zu bytes, 70 left)", load, s.ends[3] - load);
    CHECK_STR_EQ(jd_reader_strerror(r), want);
    CHECK_EQ_U64(jd_reader_error_offset(r), load);
    CHECK_EQ_U64(jd_reader_offset(r), load);
    jd_reader_close(r);

    /* Cut, but its own code_size contradicts its size: corrupt. */
    sample_patch64(s.buf, load + 40, 1000, false);
    CHECK_EQ_I64(read_everything(s.buf, cut, &nr), -EBADMSG);
    /* Cut, with an unknown id: garbage rather than a record being written. */
    sample_patch32(s.buf, load, 77, false);
    CHECK_EQ_I64(read_everything(s.buf, cut, &nr), -EBADMSG);
    CHECK_EQ_I64(read_everything(s.buf, load + 4, &nr), -EBADMSG);
    CHECK_EQ_I64(read_everything(s.buf, load + 3, &nr), -ENODATA);
    /* Complete, with an unknown id: returned. */
    CHECK_EQ_I64(read_everything(s.buf, s.len, &nr), 0);
    CHECK_EQ_U64(nr, 7);
    free(s.buf);
}

/*
 * Read a file with the sample header and one raw record; *bufp receives the
 * file, which the caller frees after using out.
 */
static int read_raw_record(uint32_t id, const void *payload, size_t len, char *msg,
                           size_t msgsize, struct jd_record *out, uint8_t **bufp)
{
    struct jd_writer *w;
    struct jd_reader *r;
    const uint8_t *data;
    size_t dlen;
    uint8_t *buf;
    int ret;

    CHECK_EQ_I64(jd_writer_open_mem(0, &w), 0);
    CHECK_EQ_I64(jd_writer_write_header(w, &sample_header), 0);
    CHECK_EQ_I64(jd_writer_write_raw(w, id, 7, payload, len), 0);
    data = jd_writer_data(w, &dlen);
    buf = malloc(dlen);
    memcpy(buf, data, dlen);
    jd_writer_close(w);
    CHECK_EQ_I64(jd_reader_open_mem(buf, dlen, "raw", &r), 0);
    ret = jd_reader_next(r, out);
    snprintf(msg, msgsize, "%s", jd_reader_strerror(r));
    jd_reader_close(r);
    *bufp = buf;
    return ret;
}

static void test_load_name(void)
{
    uint8_t payload[40 + 16] = { 0 };
    struct jd_record rec;
    uint8_t *buf;
    char msg[256];

    /* The fixed fields, then "abc" and padding: no NUL within the record. */
    memcpy(payload + 40, "abcdefghijklmnop", 16);
    CHECK_EQ_I64(read_raw_record(JITDUMP_CODE_LOAD, payload, sizeof(payload), msg,
                                 sizeof(msg), &rec, &buf), -EBADMSG);
    CHECK_STR_EQ(msg, "raw: CODE_LOAD name not NUL-terminated at byte offset 96 "
                      "(record at 40 ends at 112)");
    free(buf);

    /* NUL at the last byte: a name and no code. */
    payload[sizeof(payload) - 1] = 0;
    CHECK_EQ_I64(read_raw_record(JITDUMP_CODE_LOAD, payload, sizeof(payload), msg,
                                 sizeof(msg), &rec, &buf), 1);
    CHECK_EQ_U64(rec.u.load.name_len, 15);
    CHECK_EQ_U64(rec.u.load.code_size, 0);
    free(buf);

    /* Padding after the code is allowed (perf's jvmti agent pads to 8). */
    payload[40 + 3] = 0;
    payload[24] = 4;    /* code_size, little or big endian: 4 or 4 << 56 */
    if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) {
        payload[24] = 0;
        payload[31] = 4;
    }
    CHECK_EQ_I64(read_raw_record(JITDUMP_CODE_LOAD, payload, sizeof(payload), msg,
                                 sizeof(msg), &rec, &buf), 1);
    CHECK_STR_EQ(rec.u.load.name, "abc");
    CHECK_EQ_U64(rec.u.load.code_size, 4);
    CHECK_MEM_EQ(rec.u.load.code, "efgh", 4);
    free(buf);
}

static void test_debug_entries(void)
{
    struct jd_debug_entry first_repeats[] = {
        { .addr = 1, .name_repeated = true },
    };
    struct jd_debug_entry ok[] = {
        { .addr = 1, .name = "a", .name_len = 1 },
    };
    struct jd_writer *w;
    struct jd_reader *r;
    struct jd_record rec;
    const uint8_t *data;
    size_t len;
    uint8_t *buf;

    CHECK_EQ_I64(jd_writer_open_mem(0, &w), 0);
    CHECK_EQ_I64(jd_writer_write_header(w, &sample_header), 0);
    CHECK_EQ_I64(jd_writer_write_debug_info(w, 1, 0x10, first_repeats, 1), 0);
    data = jd_writer_data(w, &len);
    CHECK_EQ_I64(jd_reader_open_mem(data, len, "dbg", &r), 0);
    CHECK_EQ_I64(jd_reader_next(r, &rec), -EBADMSG);
    CHECK_STR_EQ(jd_reader_strerror(r), "dbg: CODE_DEBUG_INFO entry 0 at byte offset 88 "
                 "repeats the previous file name but has no previous entry");
    jd_reader_close(r);
    jd_writer_close(w);

    /* The last entry's name runs to the end of the record without a NUL. */
    CHECK_EQ_I64(jd_writer_open_mem(0, &w), 0);
    CHECK_EQ_I64(jd_writer_write_header(w, &sample_header), 0);
    CHECK_EQ_I64(jd_writer_write_debug_info(w, 1, 0x10, ok, 1), 0);
    data = jd_writer_data(w, &len);
    buf = malloc(len);
    memcpy(buf, data, len);
    buf[len - 1] = 'x';
    CHECK_EQ_I64(jd_reader_open_mem(buf, len, "dbg", &r), 0);
    CHECK_EQ_I64(jd_reader_next(r, &rec), -EBADMSG);
    CHECK(strstr(jd_reader_strerror(r), "entry 0 file name not NUL-terminated") != NULL);
    jd_reader_close(r);

    /* nr_entry 0 with trailing padding: fine. */
    sample_patch64(buf, HDR + 24, 0, false);
    CHECK_EQ_I64(jd_reader_open_mem(buf, len, "dbg", &r), 0);
    CHECK_EQ_I64(jd_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.u.debug_info.nr_entry, 0);
    jd_reader_close(r);
    free(buf);
    jd_writer_close(w);

    /* A hand-made view the reader never checked: the iterator still bounds it. */
    {
        static const uint8_t raw[20] = { 0 };
        struct jd_debug_info info = { .nr_entry = 2, .entries = raw, .entries_size = 20 };
        struct jd_debug_iter it;
        struct jd_debug_entry e;

        jd_debug_iter_init(&it, &info);
        CHECK_EQ_I64(jd_debug_iter_next(&it, &e), 1);
        CHECK_EQ_I64(jd_debug_iter_next(&it, &e), -EBADMSG);
    }
}

static void test_open_file(void)
{
    char path[] = "/tmp/test_jitdump.XXXXXX";
    struct jd_writer *w;
    struct jd_reader *r;
    struct jd_record rec;
    struct sample s;
    int fd, pipefd[2];
    FILE *f;
    char procpath[64];

    fd = mkstemp(path);
    if (!CHECK(fd >= 0))
        return;

    /* Empty file: truncated header. */
    CHECK_EQ_I64(jd_reader_open(path, &r), -ENODATA);
    jd_reader_close(r);

    /* Written through a stream writer, read through mmap. */
    f = fdopen(fd, "w");
    CHECK_EQ_I64(jd_writer_open_file(f, 0, &w), 0);
    CHECK_EQ_I64(jd_writer_write_header(w, &sample_header), 0);
    CHECK_EQ_I64(jd_writer_write_load(w, 1003, &sample_load1), 0);
    CHECK_EQ_I64(jd_writer_write_close(w, 1007), 0);
    jd_writer_close(w);
    fclose(f);
    CHECK_EQ_I64(jd_reader_open(path, &r), 0);
    CHECK_EQ_I64(jd_reader_next(r, &rec), 1);
    CHECK_STR_EQ(rec.u.load.name, "tb:0x400000");
    CHECK_EQ_I64(jd_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.id, JITDUMP_CODE_CLOSE);
    CHECK_EQ_I64(jd_reader_next(r, &rec), 0);
    jd_reader_close(r);
    unlink(path);

    CHECK_EQ_I64(jd_reader_open(path, &r), -ENOENT);
    CHECK(strstr(jd_reader_strerror(r), "open: No such file or directory") != NULL);
    jd_reader_close(r);

    /* A pipe cannot be mapped: read whole. */
    build_sample(&s, 0);
    if (CHECK(s.len < 4096 && pipe(pipefd) == 0)) {
        CHECK_EQ_I64(write(pipefd[1], s.buf, s.len), s.len);
        close(pipefd[1]);
        snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", pipefd[0]);
        CHECK_EQ_I64(jd_reader_open(procpath, &r), 0);
        for (int i = 0; i < 7; i++)
            CHECK_EQ_I64(jd_reader_next(r, &rec), 1);
        CHECK_EQ_I64(jd_reader_next(r, &rec), 0);
        jd_reader_close(r);
        close(pipefd[0]);
    }
    free(s.buf);
}

static void test_writer_args(void)
{
    struct jd_code_load bad = sample_load1;
    struct jd_writer *w;
    struct jd_header h = sample_header;
    size_t len;

    CHECK_EQ_I64(jd_writer_open_mem(0x100, &w), -EINVAL);
    CHECK(w == NULL);
    CHECK_EQ_I64(jd_writer_open_mem(0, &w), 0);
    h.total_size = 8;
    CHECK_EQ_I64(jd_writer_write_header(w, &h), -EINVAL);
    bad.name = "a\0b";
    bad.name_len = 3;
    CHECK_EQ_I64(jd_writer_write_load(w, 1, &bad), -EINVAL);
    jd_writer_data(w, &len);
    CHECK_EQ_U64(len, 0);
    jd_writer_close(w);
    jd_writer_close(NULL);
    jd_reader_close(NULL);
}

int main(void)
{
    RUN_TEST_ARG(sample_check_round_trip, &format);
    RUN_TEST_ARG(sample_check_foreign_byte_order, &format);
    RUN_TEST(test_versions);
    RUN_TEST(test_header_size);
    RUN_TEST(test_bad_magic);
    RUN_TEST_ARG(sample_check_truncations, &format);
    RUN_TEST_ARG(sample_check_flips, &format);
    RUN_TEST(test_huge_values);
    RUN_TEST_ARG(sample_check_memory_bounded, &format);
    RUN_TEST(test_truncated_vs_corrupt);
    RUN_TEST(test_load_name);
    RUN_TEST(test_debug_entries);
    RUN_TEST(test_open_file);
    RUN_TEST(test_writer_args);
    return unit_finish("test_jitdump");
}
