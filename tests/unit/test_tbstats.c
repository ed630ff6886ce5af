/*
 * test_tbstats.c: the side-file reader and writer (lib/tbstats*.c).
 *
 * Every fixture is built in memory with tbs_writer and, for corrupt inputs,
 * patched at the byte offsets tbstats-format.h defines, so no binary files
 * are needed.  Prefixes and mutated copies live in malloc()ed buffers of
 * their exact size, so that the sanitizer build catches any read past the
 * end.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tbstats.h"
#include "tbstats_writer.h"
#include "unit.h"
#include "memlimit.h"
#include "sample_checks.h"
#include "tbstats_checks.h"

#define HDR sizeof(struct tbs_file_header)

static const struct tbs_header sample_header = {
    .version_minor = 3, .pid = 4242, .timestamp = 1000, .guest_machine = 62,
    .host_machine = 62, .flags = TBS_FLAG_GUEST_LISTING, .guest_page_size = 4096,
    .guest_addr_bits = 64, .guest_arch = "x86_64", .qemu_version = "10.0.2",
};
static const uint8_t build_id[20] = {
    0x99, 0xc3, 0x7d, 0xd1, 0x18, 0x7a, 0x15, 0x2d, 0x04, 0x19,
    0x63, 0xcd, 0xa1, 0xc6, 0x15, 0xe5, 0x29, 0x4c, 0x0d, 0x5e,
};
static const struct tbs_mapping_view sample_mapping = {
    .timestamp = 1001, .start = 0x400000, .end = 0x401000, .offset = 0x1000,
    .bias = 0x3ff000, .prot = 5, .build_id_size = 20, .build_id = build_id,
    .path = "/usr/bin/guest", .path_len = 14,
};
static const struct tbs_unmap_view sample_unmap = {
    .timestamp = 1002, .start = 0x7000, .end = 0x8000,
};
/* push %rbp; mov %rsp,%rbp; ret */
static const uint8_t guest_code[] = { 0x55, 0x48, 0x89, 0xe5, 0xc3 };
static const uint64_t insn_pc[] = { 0x400100, 0x400101, 0x400104 };
static const uint32_t host_end[] = { 0x10, 0x28, 0x40 };
static const struct tbs_tb_view sample_tb = {
    .timestamp = 1003, .code_index = 7, .host_addr = 0x7f0000001000, .guest_pc = 0x400100,
    .cs_base = 0, .phys_pc = UINT64_MAX, .flags = 0xb3, .cflags = 0x800, .host_size = 0x60,
    .guest_size = sizeof(guest_code), .guest_code_size = sizeof(guest_code), .icount = 3,
    .listing_line = 6, .stats_id = 1, .guest_code = guest_code,
};
static const uint8_t unknown_payload[16] = { 'n', 'e', 'w', 0 };
/* Every field distinct, so a field read from the wrong offset shows. */
static const struct tbs_stats_view sample_stats = {
    .stats_id = 1, .flags = 0xb3, .guest_pc = 0x400100, .cs_base = 0x10, .phys_pc = 0x1100,
    .exec_count = 1000001, .exec_atomic = 2, .insns_executed = 3000003,
    .translations = 4, .translations_spanning = 5, .translations_uncached = 6, .restores = 7,
    .guest_insns = 12, .guest_bytes = 20, .host_bytes = 0x180, .ops = 80, .ops_opt = 60,
    .spills = 9, .time_gen_ns = 10000, .time_opt_ns = 11000, .time_la_ns = 12000,
    .time_code_ns = 13000, .time_restore_ns = 14000, .nr_succ = 3, .succ_dropped = 15,
};
static const uint64_t succ_pc[] = { 0x400200, 0xffffffffffff0000ull, 0x400100 };
/* A key that was never executed nor left: every count zero, no successors. */
static const struct tbs_stats_view sample_stats_empty = {
    .stats_id = 2, .guest_pc = 0x400300, .phys_pc = UINT64_MAX,
};
static const struct tbs_end_view sample_end_rec = {
    .timestamp = 1006, .exit_code = 128 + 9, .end_flags = TBS_END_SNAPSHOT | 0x80000000u,
    .nr_tbs = 1, .nr_flushes = 1, .tlb_flush_full = 1007, .tlb_flush_part = 1008,
    .tlb_flush_elided = 0xffffffff00000009ull,
};

/* The sample's parts: its header and each record. */
#define NR_SAMPLE_PARTS 9

/*
 * Part i of the sample (0: the header) written to w; -ERANGE past the last.
 * The STATS records are where QEMU writes them: at exit, just before END.
 */
static int write_sample_part(struct tbs_writer *w, size_t i)
{
    switch (i) {
    case 0: return tbs_writer_write_header(w, &sample_header);
    case 1: return tbs_writer_write_mapping(w, &sample_mapping);
    case 2: return tbs_writer_write_unmap(w, &sample_unmap);
    case 3: return tbs_writer_write_tb(w, &sample_tb, insn_pc, host_end);
    case 4: return tbs_writer_write_flush(w, 1004);
    case 5: return tbs_writer_write_raw(w, 99, unknown_payload, sizeof(unknown_payload));
    case 6: return tbs_writer_write_stats(w, &sample_stats, succ_pc);
    case 7: return tbs_writer_write_stats(w, &sample_stats_empty, NULL);
    case 8: return tbs_writer_write_end(w, &sample_end_rec);
    }
    return -ERANGE;
}

/*
 * The sample (sample_checks.h), a small file holding every record type:
 * header, MAPPING, UNMAP, TB, FLUSH, a record of unknown type 99, STATS
 * with 3 successors, STATS without, END.
 */
static void build_sample(struct sample *s, unsigned flags)
{
    SAMPLE_BUILD(s, flags, tbs_writer, write_sample_part, NR_SAMPLE_PARTS);
}

/* Where the sample's part i ends (struct sample's ends[i]). */
static size_t sample_end(unsigned i)
{
    struct sample s;
    size_t end;

    build_sample(&s, 0);
    end = s.ends[i];
    free(s.buf);
    return end;
}

/*
 * Read everything there is, touching every byte a record's pointers claim;
 * returns the final result of tbs_reader_next() (0 or an error) or of the
 * open, and the number of records in *nr.
 */
static int read_everything(const uint8_t *buf, size_t len, size_t *nr)
{
    struct tbs_reader *r;
    struct tbs_record_view rec;
    unsigned sum = 0;
    int ret;

    *nr = 0;
    ret = tbs_reader_open_mem(buf, len, "mem", &r);
    if (ret < 0) {
        CHECK(strstr(tbs_reader_strerror(r), "byte offset") != NULL);
        tbs_reader_close(r);
        return ret;
    }
    while ((ret = tbs_reader_next(r, &rec)) == 1) {
        (*nr)++;
        CHECK(rec.size % 8 == 0 && rec.size >= 8);
        if (rec.type == TBS_REC_MAPPING) {
            sum += strlen(rec.u.mapping.path) == rec.u.mapping.path_len;
            for (unsigned i = 0; i < rec.u.mapping.build_id_size; i++)
                sum += rec.u.mapping.build_id[i];
        } else if (rec.type == TBS_REC_TB) {
            const struct tbs_tb_view *tb = &rec.u.tb;

            for (unsigned i = 0; i < tb->icount; i++)
                sum += tbs_tb_insn_pc(tb, i) + tbs_tb_host_end(tb, i);
            for (uint32_t i = 0; i < tb->guest_code_size; i++)
                sum += tb->guest_code[i];
            CHECK(tb->guest_code + tb->guest_code_size <= rec.raw + rec.size);
        } else if (rec.type == TBS_REC_STATS) {
            const struct tbs_stats_view *st = &rec.u.stats;

            for (uint32_t i = 0; i < st->nr_succ; i++)
                sum += tbs_stats_succ_pc(st, i);
            CHECK(st->succ_pc + (size_t)st->nr_succ * 8 <= rec.raw + rec.size);
        }
        for (uint32_t i = 0; i < rec.size; i++)
            sum += rec.raw[i];
        if (!CHECK(*nr <= len / 8))
            break;
    }
    CHECK(ret <= 0);
    if (ret < 0)
        CHECK(strstr(tbs_reader_strerror(r), "byte offset") != NULL);
    CHECK(tbs_reader_next(r, &rec) == ret);   /* sticky */
    tbs_reader_close(r);
    (void)sum;
    return ret;
}

static void check_sample_records(const uint8_t *buf, size_t len, bool swapped)
{
    struct tbs_reader *r;
    struct tbs_record_view rec;
    const struct tbs_header *h;

    CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "mem", &r), 0);
    h = tbs_reader_header(r);
    CHECK_EQ_U64(h->version_major, TBS_VERSION_MAJOR);
    CHECK_EQ_U64(h->version_minor, 3);
    CHECK_EQ_U64(h->header_size, HDR);
    CHECK_EQ_U64(h->pid, 4242);
    CHECK_EQ_U64(h->timestamp, 1000);
    CHECK_EQ_U64(h->guest_machine, 62);
    CHECK_EQ_U64(h->host_machine, 62);
    CHECK_EQ_U64(h->flags, TBS_FLAG_GUEST_LISTING);
    CHECK_EQ_U64(h->guest_page_size, 4096);
    CHECK_EQ_U64(h->guest_addr_bits, 64);
    CHECK_STR_EQ(h->guest_arch, "x86_64");
    CHECK_STR_EQ(h->qemu_version, "10.0.2");
    CHECK(h->swapped == swapped);
    CHECK(h->big_endian == (swapped ^ (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)));

    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_MAPPING);
    CHECK_EQ_U64(rec.offset, HDR);
    CHECK_EQ_U64(rec.size, sizeof(struct tbs_mapping) + 16);
    {
        const struct tbs_mapping_view *got = &rec.u.mapping;

        TBS_MAPPING_FIELDS(CHECK_FIELD, &sample_mapping)
    }
    CHECK_EQ_U64(rec.u.mapping.build_id_size, 20);
    CHECK_MEM_EQ(rec.u.mapping.build_id, build_id, 20);
    CHECK_STR_EQ(rec.u.mapping.path, "/usr/bin/guest");
    CHECK_EQ_U64(rec.u.mapping.path_len, 14);

    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_UNMAP);
    {
        const struct tbs_unmap_view *got = &rec.u.unmap;

        TBS_UNMAP_FIELDS(CHECK_FIELD, &sample_unmap)
    }

    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_TB);
    CHECK_EQ_U64(rec.size, sizeof(struct tbs_tb) + 48);   /* 36 + 5 rounded up */
    CHECK_TB_FIELDS(&rec.u.tb, &sample_tb);
    CHECK(rec.u.tb.swapped == swapped);
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ_U64(tbs_tb_insn_pc(&rec.u.tb, i), insn_pc[i]);
        CHECK_EQ_U64(tbs_tb_host_end(&rec.u.tb, i), host_end[i]);
    }
    CHECK_MEM_EQ(rec.u.tb.guest_code, guest_code, sizeof(guest_code));

    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_FLUSH);
    CHECK_EQ_U64(rec.u.flush.timestamp, 1004);

    /* An unknown type is a record like any other, not an error. */
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, 99);
    CHECK(tbs_record_name(rec.type) == NULL);
    CHECK_EQ_U64(rec.size, 8 + sizeof(unknown_payload));
    CHECK_MEM_EQ(rec.raw + 8, unknown_payload, sizeof(unknown_payload));

    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_STATS);
    CHECK_STR_EQ(tbs_record_name(rec.type), "STATS");
    CHECK_EQ_U64(rec.size, sizeof(struct tbs_stats) + 3 * 8);
    CHECK_STATS_FIELDS(&rec.u.stats, &sample_stats);
    CHECK(rec.u.stats.swapped == swapped);
    CHECK(rec.u.stats.succ_pc == rec.raw + sizeof(struct tbs_stats));
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ_U64(tbs_stats_succ_pc(&rec.u.stats, i), succ_pc[i]);

    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_STATS);
    CHECK_EQ_U64(rec.size, sizeof(struct tbs_stats));
    CHECK_STATS_FIELDS(&rec.u.stats, &sample_stats_empty);

    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_END);
    CHECK_STR_EQ(tbs_record_name(rec.type), "END");
    CHECK_EQ_U64(rec.size, TBS_END_SIZE);
    CHECK(!rec.u.end.no_tlb);
    {
        const struct tbs_end_view *got = &rec.u.end;

        TBS_END_FIELDS(CHECK_FIELD, &sample_end_rec)
        TBS_END_TLB_FIELDS(CHECK_FIELD, &sample_end_rec)
    }
    CHECK_EQ_U64(rec.offset + rec.size, len);

    CHECK_EQ_I64(tbs_reader_next(r, &rec), 0);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 0);
    CHECK_EQ_U64(tbs_reader_offset(r), len);
    CHECK_STR_EQ(tbs_reader_strerror(r), "mem: no error");
    tbs_reader_close(r);
}

static const struct sample_format format = {
    .build = build_sample, .swap = TBS_WRITER_SWAP, .check_records = check_sample_records,
    .read_everything = read_everything, .header_size = HDR,
    /* A cut record of unknown type may be a newer writer's record being written. */
    .corrupt_when_cut = 0,
    .memory_limit = 16 << 20,   /* a few MB at the most */
};

/* A copy of w's bytes (malloc()ed; *len their number), and w closed. */
static uint8_t *take_bytes(struct tbs_writer *w, size_t *len)
{
    const uint8_t *data = tbs_writer_data(w, len);
    uint8_t *buf = malloc(*len);

    memcpy(buf, data, *len);
    tbs_writer_close(w);
    return buf;
}

/* A header with the given version and size, then an END record. */
static uint8_t *header_only(uint16_t major, uint32_t header_size, size_t *len)
{
    struct tbs_header h = sample_header;
    struct tbs_writer *w;

    h.version_major = major;
    h.header_size = header_size;
    CHECK_EQ_I64(tbs_writer_open_mem(0, &w), 0);
    CHECK_EQ_I64(tbs_writer_write_header(w, &h), 0);
    CHECK_EQ_I64(tbs_writer_write_end(w, &sample_end_rec), 0);
    return take_bytes(w, len);
}

static void test_versions_and_header_size(void)
{
    struct tbs_reader *r;
    struct tbs_record_view rec;
    uint8_t *buf;
    size_t len, nr;

    buf = header_only(2, 0, &len);
    CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "v2", &r), -ENOTSUP);
    CHECK_STR_EQ(tbs_reader_strerror(r),
                 "v2: unsupported version_major 2 at byte offset 4 (this reader handles 1)");
    CHECK_EQ_U64(tbs_reader_error_offset(r), 4);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), -ENOTSUP);
    tbs_reader_close(r);
    free(buf);

    /* Extra header bytes (a newer writer's fields) are skipped. */
    buf = header_only(1, HDR + 24, &len);
    CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "big", &r), 0);
    CHECK_EQ_U64(tbs_reader_header(r)->header_size, HDR + 24);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.offset, HDR + 24);
    CHECK_EQ_U64(rec.type, TBS_REC_END);
    tbs_reader_close(r);

    /* A header larger than the file: truncated, or corrupt if implausible. */
    sample_patch32(buf, 8, len + 8, false);
    CHECK_EQ_I64(read_everything(buf, len, &nr), -ENODATA);
    sample_patch32(buf, 8, 0xffffffff, false);
    CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "huge", &r), -EBADMSG);
    CHECK_STR_EQ(tbs_reader_strerror(r),
                 "huge: header size 4294967295 at byte offset 8 exceeds end of file "
                 "(176 bytes)");
    tbs_reader_close(r);
    sample_patch32(buf, 8, HDR - 1, false);
    CHECK_EQ_I64(read_everything(buf, len, &nr), -EBADMSG);
    sample_patch32(buf, 8, 0, false);
    CHECK_EQ_I64(read_everything(buf, len, &nr), -EBADMSG);
    free(buf);

    /* Bad magic, empty input. */
    CHECK_EQ_I64(tbs_reader_open_mem("\177ELF\2\1\1\0", 8, "a.out", &r), -EBADMSG);
    CHECK_STR_EQ(tbs_reader_strerror(r),
                 "a.out: bad magic 0x7f454c46 at byte offset 0 (not a tbstats file)");
    tbs_reader_close(r);
    CHECK_EQ_I64(tbs_reader_open_mem(NULL, 0, NULL, &r), -ENODATA);
    CHECK_STR_EQ(tbs_reader_strerror(r),
                 "<memory>: truncated header at byte offset 0 (header needs 88 bytes, 0 left)");
    tbs_reader_close(r);
}

/* Result and message of reading the sample with an 8/16/32-bit field replaced. */
static int sample_with(size_t off, unsigned width, uint32_t v, bool swapped,
                       char *msg, size_t msgsize)
{
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct sample s;
    int ret;

    build_sample(&s, swapped ? TBS_WRITER_SWAP : 0);
    if (width == 8)
        s.buf[off] = (uint8_t)v;
    else if (width == 16)
        sample_patch16(s.buf, off, (uint16_t)v, swapped);
    else
        sample_patch32(s.buf, off, v, swapped);
    ret = tbs_reader_open_mem(s.buf, s.len, "mem", &r);
    if (ret == 0)
        while ((ret = tbs_reader_next(r, &rec)) == 1)
            ;
    snprintf(msg, msgsize, "%s", tbs_reader_strerror(r));
    tbs_reader_close(r);
    free(s.buf);
    return ret;
}

/* A field set to a value, what reading the sample then returns, and its message (NULL: any). */
struct patch {
    size_t off;
    unsigned width;
    uint32_t value;
    int ret;
    const char *msg;
};

/* Each patch applied alone to the sample, in both byte orders: the same result and message. */
static void check_patches(const struct patch *p, size_t n)
{
    char msg[512];

    for (int swapped = 0; swapped < 2; swapped++)
        for (size_t i = 0; i < n; i++) {
            int ok = CHECK_EQ_I64(sample_with(p[i].off, p[i].width, p[i].value, swapped, msg,
                                              sizeof(msg)), p[i].ret);

            if (p[i].msg)
                ok &= CHECK_STR_EQ(msg, p[i].msg);
            if (!ok)
                fprintf(stderr, "  (patch %zu, %s byte order)\n", i, swapped ? "other" : "host");
        }
}

/*
 * Fields whose values contradict their record, and values that do not, in
 * both byte orders: TB, MAPPING and STATS fields and record sizes.
 */
static void test_bad_fields(void)
{
    const size_t mapping = HDR, tb = sample_end(2), st1 = sample_end(5), st2 = sample_end(6);
    const size_t icount = offsetof(struct tbs_tb, icount);
    const size_t code_size = offsetof(struct tbs_tb, guest_code_size);
    const size_t nr_succ = offsetof(struct tbs_stats, nr_succ);
    const struct patch patches[] = {
        /* icount * 12 larger than the record, guest_code_size near 2^32. */
        { tb + icount, 16, 0xffff, -EBADMSG,
          "mem: TB icount 65535 at byte offset 292 too large for the record "
          "(136 bytes, room for 4 instructions)" },
        { tb + icount, 16, 4, -EBADMSG, NULL },
        { tb + code_size, 32, 0xffffffff, -EBADMSG,
          "mem: TB guest_code_size 4294967295 at byte offset 288 larger than "
          "the record (136 bytes, room for 12 bytes of guest code after 3 instructions)" },
        { tb + code_size, 32, 0xfffffff8, -EBADMSG, NULL },
        /* guest_code_size may use the padding, but not exceed guest_size. */
        { tb + code_size, 32, 8, -EBADMSG,
          "mem: TB guest_code_size 8 at byte offset 288 larger than guest_size 5" },
        { tb + code_size, 32, 4, 0, NULL },
        { mapping + offsetof(struct tbs_mapping, build_id_size), 8, 21, -EBADMSG, NULL },
        /* Record sizes: near 2^32, 0 (must not loop), not a multiple of 8, too small. */
        { tb + 4, 32, 0xfffffff8, -EBADMSG,
          "mem: record size 4294967288 at byte offset 220 exceeds end of file "
          "(616 bytes left)" },
        { tb + 4, 32, 0, -EBADMSG, NULL },
        { tb + 4, 32, 140, -EBADMSG,
          "mem: record size 140 at byte offset 220 invalid "
          "(must be a multiple of 8, at least 8)" },
        { tb + 4, 32, 80, -EBADMSG, NULL },
        { mapping + 4, 32, 80, -EBADMSG, NULL },
        /* STATS: more successors than the record has room for. */
        { st1 + nr_succ, 32, 0xffffffff, -EBADMSG,
          "mem: STATS nr_succ 4294967295 at byte offset 560 too large for the "
          "record (200 bytes, room for 3 successors)" },
        { st1 + nr_succ, 32, 0x20000000, -EBADMSG, NULL },
        { st1 + nr_succ, 32, 4, -EBADMSG, NULL },
        { st2 + nr_succ, 32, 1, -EBADMSG,
          "mem: STATS nr_succ 1 at byte offset 760 too large for the "
          "record (176 bytes, room for 0 successors)" },
        /* Fewer successors than there is room for: the rest is ignored. */
        { st1 + nr_succ, 32, 2, 0, NULL },
        { st1 + nr_succ, 32, 0, 0, NULL },
        /* STATS sizes: below the fixed part, too small for nr_succ. */
        { st2 + 4, 32, 168, -EBADMSG,
          "mem: STATS record size 168 too small at byte offset 596 (at least 176)" },
        { st1 + 4, 32, 192, -EBADMSG,
          "mem: STATS nr_succ 3 at byte offset 560 too large for the "
          "record (192 bytes, room for 2 successors)" },
        { st1 + 4, 32, 8, -EBADMSG, NULL },
    };

    check_patches(patches, sizeof(patches) / sizeof(patches[0]));
}

static void test_truncated_vs_corrupt(void)
{
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct sample s;
    size_t tb, cut, nr;
    char want[256];

    build_sample(&s, 0);
    tb = s.ends[2];
    cut = tb + 100;     /* inside the TB's arrays */

    CHECK_EQ_I64(tbs_reader_open_mem(s.buf, cut, "jit-123.tbstats.part", &r), 0);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), -ENODATA);
    snprintf(want, sizeof(want), "jit-123.tbstats.part: truncated record at byte offset %zu "
             "(record needs %zu bytes, 100 left)", tb, s.ends[3] - tb);
    CHECK_STR_EQ(tbs_reader_strerror(r), want);
    CHECK_EQ_U64(tbs_reader_error_offset(r), tb);
    CHECK_EQ_U64(tbs_reader_offset(r), tb);
    tbs_reader_close(r);

    /* Cut, but its own icount contradicts its size: corrupt. */
    sample_patch16(s.buf, tb + offsetof(struct tbs_tb, icount), 100, false);
    CHECK_EQ_I64(read_everything(s.buf, cut, &nr), -EBADMSG);
    /* Cut, with an unknown type and a plausible size: truncated. */
    sample_patch32(s.buf, tb, 77, false);
    CHECK_EQ_I64(read_everything(s.buf, cut, &nr), -ENODATA);
    CHECK_EQ_I64(read_everything(s.buf, tb + 4, &nr), -ENODATA);
    /* Complete, with an unknown type: returned and skipped. */
    CHECK_EQ_I64(read_everything(s.buf, s.len, &nr), 0);
    CHECK_EQ_U64(nr, 8);
    free(s.buf);
}

/* The successors that a smaller nr_succ leaves in a STATS record are not read. */
static void test_stats_fewer_succ(void)
{
    const size_t st1 = sample_end(5), st2 = sample_end(6);
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct sample s;

    build_sample(&s, TBS_WRITER_SWAP);
    sample_patch32(s.buf, st1 + offsetof(struct tbs_stats, nr_succ), 2, true);
    CHECK_EQ_I64(tbs_reader_open_mem(s.buf, s.len, "mem", &r), 0);
    while (tbs_reader_next(r, &rec) == 1 && rec.type != TBS_REC_STATS)
        ;
    CHECK_EQ_U64(rec.type, TBS_REC_STATS);
    CHECK_EQ_U64(rec.size, sizeof(struct tbs_stats) + 24);
    CHECK_EQ_U64(rec.u.stats.nr_succ, 2);
    CHECK_EQ_U64(tbs_stats_succ_pc(&rec.u.stats, 1), succ_pc[1]);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.offset, st2);
    tbs_reader_close(r);
    free(s.buf);
}

/* A file cut inside a STATS record: truncated, unless its nr_succ is corrupt. */
static void test_stats_truncated(void)
{
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct sample s;
    size_t st1, nr;

    for (int swapped = 0; swapped < 2; swapped++) {
        build_sample(&s, swapped ? TBS_WRITER_SWAP : 0);
        st1 = s.ends[5];

        /* Inside the successors, inside the fixed part, in the prefix. */
        CHECK_EQ_I64(tbs_reader_open_mem(s.buf, st1 + 190, "jit-9.tbstats.part", &r), 0);
        for (int i = 0; i < 5; i++)
            CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), -ENODATA);
        CHECK_STR_EQ(tbs_reader_strerror(r), "jit-9.tbstats.part: truncated record at byte "
                     "offset 392 (record needs 200 bytes, 190 left)");
        CHECK_EQ_U64(tbs_reader_error_offset(r), st1);
        CHECK_EQ_U64(tbs_reader_offset(r), st1);
        tbs_reader_close(r);
        CHECK_EQ_I64(read_everything(s.buf, st1 + 100, &nr), -ENODATA);
        CHECK_EQ_U64(nr, 5);
        CHECK_EQ_I64(read_everything(s.buf, st1 + 4, &nr), -ENODATA);
        CHECK_EQ_U64(nr, 5);

        /* Cut, but its own nr_succ contradicts its size: corrupt. */
        sample_patch32(s.buf, st1 + offsetof(struct tbs_stats, nr_succ), 0xffffffff, swapped);
        CHECK_EQ_I64(read_everything(s.buf, st1 + 190, &nr), -EBADMSG);
        sample_patch32(s.buf, st1 + offsetof(struct tbs_stats, nr_succ), 4, swapped);
        CHECK_EQ_I64(read_everything(s.buf, st1 + 190, &nr), -EBADMSG);
        /* Cut before nr_succ: nothing to contradict yet. */
        CHECK_EQ_I64(read_everything(s.buf, st1 + offsetof(struct tbs_stats, nr_succ), &nr),
                     -ENODATA);
        free(s.buf);
    }
}

/* A 1.0 file (no STATS records, pad2 where stats_id is now) reads as before. */
static void test_version_1_0(void)
{
    struct tbs_header h = sample_header;
    struct tbs_tb_view tb = sample_tb;
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct tbs_writer *w;
    uint8_t *buf;
    size_t len;

    h.version_minor = 0;
    tb.stats_id = 0;
    CHECK_EQ_I64(tbs_writer_open_mem(TBS_WRITER_SWAP, &w), 0);
    CHECK_EQ_I64(tbs_writer_write_header(w, &h), 0);
    CHECK_EQ_I64(tbs_writer_write_mapping(w, &sample_mapping), 0);
    CHECK_EQ_I64(tbs_writer_write_tb(w, &tb, insn_pc, host_end), 0);
    CHECK_EQ_I64(tbs_writer_write_end(w, &sample_end_rec), 0);
    buf = take_bytes(w, &len);

    CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "v1.0", &r), 0);
    CHECK_EQ_U64(tbs_reader_header(r)->version_major, 1);
    CHECK_EQ_U64(tbs_reader_header(r)->version_minor, 0);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_MAPPING);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_TB);
    CHECK_EQ_U64(rec.size, sizeof(struct tbs_tb) + 48);
    CHECK_EQ_U64(rec.u.tb.listing_line, 6);
    CHECK_EQ_U64(rec.u.tb.stats_id, 0);
    CHECK_EQ_U64(tbs_tb_insn_pc(&rec.u.tb, 2), insn_pc[2]);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.type, TBS_REC_END);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 0);
    tbs_reader_close(r);
    free(buf);
}

/*
 * Format 1.4's fields (system emulation): a TB's privilege and a MAPPING's
 * kind survive writer and reader in both byte orders, next to their
 * neighbours (icount, build_id_size); a file older than 1.4 reads them as
 * 0 whatever its padding bytes hold.
 */
static void test_version_1_4_fields(void)
{
    static const struct { uint16_t minor; uint8_t want_priv, want_kind; } cases[] = {
        { 4, TBS_PRIV_SUPERVISOR, TBS_MAPPING_SYMBOL_LIST },
        { 5, TBS_PRIV_SUPERVISOR, TBS_MAPPING_SYMBOL_LIST },
        { 3, TBS_PRIV_NONE, TBS_MAPPING_ELF },
        { 0, TBS_PRIV_NONE, TBS_MAPPING_ELF },
    };

    for (size_t i = 0; i < 2 * sizeof(cases) / sizeof(cases[0]); i++) {
        struct tbs_header h = sample_header;
        struct tbs_mapping_view m = sample_mapping;
        struct tbs_tb_view tb = sample_tb;
        struct tbs_reader *r;
        struct tbs_record_view rec;
        struct tbs_writer *w;
        uint8_t *buf;
        size_t len, c = i / 2;

        h.version_minor = cases[c].minor;
        h.flags |= TBS_FLAG_SYSTEM;
        m.kind = TBS_MAPPING_SYMBOL_LIST;
        tb.privilege = TBS_PRIV_SUPERVISOR;
        CHECK_EQ_I64(tbs_writer_open_mem(i % 2 ? TBS_WRITER_SWAP : 0, &w), 0);
        CHECK_EQ_I64(tbs_writer_write_header(w, &h), 0);
        CHECK_EQ_I64(tbs_writer_write_mapping(w, &m), 0);
        CHECK_EQ_I64(tbs_writer_write_tb(w, &tb, insn_pc, host_end), 0);
        buf = take_bytes(w, &len);

        CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "v1.4", &r), 0);
        CHECK(tbs_reader_header(r)->flags & TBS_FLAG_SYSTEM);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
        CHECK_EQ_U64(rec.u.mapping.kind, cases[c].want_kind);
        CHECK_EQ_U64(rec.u.mapping.build_id_size, sample_mapping.build_id_size);
        CHECK_EQ_U64(rec.u.mapping.prot, sample_mapping.prot);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
        CHECK_EQ_U64(rec.u.tb.privilege, cases[c].want_priv);
        CHECK_EQ_U64(rec.u.tb.icount, sample_tb.icount);
        CHECK_EQ_U64(rec.u.tb.listing_line, sample_tb.listing_line);
        /* The bytes are where QEMU's struct has them. */
        CHECK_EQ_U64(rec.raw[offsetof(struct tbs_tb, privilege)], TBS_PRIV_SUPERVISOR);
        tbs_reader_close(r);
        free(buf);
    }
}

/* A header, then one END record of size bytes from e, in a malloc()ed buffer. */
static uint8_t *end_file(const struct tbs_end_view *e, uint32_t size, unsigned flags,
                         size_t *len)
{
    uint8_t payload[128] = { 0 };
    struct tbs_writer *w;

    CHECK_EQ_I64(tbs_writer_open_mem(flags, &w), 0);
    CHECK_EQ_I64(tbs_writer_write_header(w, &sample_header), 0);
    if (size == TBS_END_SIZE || size == TBS_END_SIZE_NO_TLB) {
        struct tbs_end_view v = *e;

        v.no_tlb = size == TBS_END_SIZE_NO_TLB;
        CHECK_EQ_I64(tbs_writer_write_end(w, &v), 0);
    } else {
        /* Another size: the 64-byte record's fields, then zeroes or cut. */
        struct tbs_writer *w64;
        const uint8_t *rec;
        size_t n;

        CHECK_EQ_I64(tbs_writer_open_mem(flags, &w64), 0);
        CHECK_EQ_I64(tbs_writer_write_end(w64, e), 0);
        rec = tbs_writer_data(w64, &n);
        memcpy(payload, rec + 8, size - 8 < n - 8 ? size - 8 : n - 8);
        tbs_writer_close(w64);
        CHECK_EQ_I64(tbs_writer_write_raw(w, TBS_REC_END, payload, size - 8), 0);
    }
    return take_bytes(w, len);
}

/*
 * END records of every size: 40 bytes (older writers: end_flags was
 * padding, no TLB flush counts), 64 (the counts) and more (a newer writer's
 * trailing fields) are read, in both byte orders, and written back as they
 * were read; 48 and 56 are corrupt, below 40 too small; a 64-byte record
 * cut short is truncated, its fields never read past the end.
 */
static void test_end_sizes(void)
{
    static const uint32_t good[] = { 40, 64, 72, 128 };
    struct tbs_reader *r;
    struct tbs_record_view rec;
    uint8_t *buf;
    size_t len, nr;

    for (unsigned flags = 0; flags <= TBS_WRITER_SWAP; flags += TBS_WRITER_SWAP) {
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
            bool old = good[i] == TBS_END_SIZE_NO_TLB;
            struct tbs_writer *w;
            const uint8_t *data;
            size_t n;

            buf = end_file(&sample_end_rec, good[i], flags, &len);
            CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "end", &r), 0);
            CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
            CHECK_EQ_U64(rec.type, TBS_REC_END);
            CHECK_EQ_U64(rec.size, good[i]);
            CHECK_EQ_I64(rec.u.end.exit_code, sample_end_rec.exit_code);
            CHECK_EQ_U64(rec.u.end.nr_tbs, sample_end_rec.nr_tbs);
            CHECK_EQ_U64(rec.u.end.nr_flushes, sample_end_rec.nr_flushes);
            CHECK(rec.u.end.no_tlb == old);
            CHECK_EQ_U64(rec.u.end.end_flags, old ? 0 : sample_end_rec.end_flags);
            CHECK_EQ_U64(rec.u.end.tlb_flush_full, old ? 0 : sample_end_rec.tlb_flush_full);
            CHECK_EQ_U64(rec.u.end.tlb_flush_part, old ? 0 : sample_end_rec.tlb_flush_part);
            CHECK_EQ_U64(rec.u.end.tlb_flush_elided,
                         old ? 0 : sample_end_rec.tlb_flush_elided);
            CHECK_EQ_I64(tbs_reader_next(r, &rec), 0);
            tbs_reader_close(r);
            /* The view written back: the same bytes (up to the newer writer's). */
            if (good[i] <= TBS_END_SIZE) {
                CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "end", &r), 0);
                CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
                CHECK_EQ_I64(tbs_writer_open_mem(flags, &w), 0);
                CHECK_EQ_I64(tbs_writer_write_header(w, &sample_header), 0);
                CHECK_EQ_I64(tbs_writer_write_end(w, &rec.u.end), 0);
                data = tbs_writer_data(w, &n);
                CHECK_EQ_U64(n, len);
                if (n == len)
                    CHECK_MEM_EQ(data, buf, n);
                tbs_writer_close(w);
                tbs_reader_close(r);
            }
            free(buf);
        }
    }

    /* The older record's padding is not end_flags, whatever it holds. */
    buf = end_file(&sample_end_rec, TBS_END_SIZE_NO_TLB, 0, &len);
    sample_patch32(buf, HDR + offsetof(struct tbs_end, end_flags), TBS_END_SNAPSHOT, false);
    CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "end", &r), 0);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.u.end.end_flags, 0);
    tbs_reader_close(r);
    free(buf);

    /* Between the two sizes: corrupt, at the size field. */
    for (uint32_t size = 48; size < TBS_END_SIZE; size += 8) {
        char want[160];

        buf = end_file(&sample_end_rec, size, 0, &len);
        CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "mid", &r), 0);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), -EBADMSG);
        snprintf(want, sizeof(want), "mid: END record size %u invalid at byte offset %zu "
                 "(40, or at least 64)", size, HDR + 4);
        CHECK_STR_EQ(tbs_reader_strerror(r), want);
        CHECK_EQ_U64(tbs_reader_error_offset(r), HDR + 4);
        tbs_reader_close(r);
        free(buf);
    }
    buf = end_file(&sample_end_rec, 32, 0, &len);
    CHECK_EQ_I64(read_everything(buf, len, &nr), -EBADMSG);
    free(buf);

    /* A 64-byte record cut anywhere: truncated (a .part file), not corrupt. */
    buf = end_file(&sample_end_rec, TBS_END_SIZE, 0, &len);
    for (size_t cut = HDR + 8; cut < len; cut += 4) {
        uint8_t *part = malloc(cut);

        memcpy(part, buf, cut);
        CHECK_EQ_I64(read_everything(part, cut, &nr), -ENODATA);
        free(part);
    }
    free(buf);
}

/*
 * A 1.2 file's SHADOW_STACK records, in both byte orders; one cut short of
 * its fields is corrupt, one with a newer writer's trailing fields is read.
 */
static void test_shadow_stack(void)
{
    const struct tbs_shadow_stack_loc_view loc = {
        .timestamp = 1007, .addr = 0x7ffcf0001000ull, .tid = 4243, .capacity = 1024,
    };
    struct tbs_header h = sample_header;

    CHECK_STR_EQ(tbs_record_name(TBS_REC_SHADOW_STACK), "SHADOW_STACK");
    h.version_minor = 2;
    h.flags = TBS_FLAG_SHADOW_STACK;
    for (unsigned flags = 0; flags <= TBS_WRITER_SWAP; flags += TBS_WRITER_SWAP) {
        static const uint8_t longer[40] = { 0 };
        struct tbs_reader *r;
        struct tbs_record_view rec;
        struct tbs_writer *w;
        uint8_t *buf;
        size_t len, first;

        CHECK_EQ_I64(tbs_writer_open_mem(flags, &w), 0);
        CHECK_EQ_I64(tbs_writer_write_header(w, &h), 0);
        CHECK_EQ_I64(tbs_writer_write_shadow_stack(w, &loc), 0);
        tbs_writer_data(w, &first);
        /* Type 7 with 40 bytes of payload: 16 more than this reader knows. */
        CHECK_EQ_I64(tbs_writer_write_raw(w, TBS_REC_SHADOW_STACK, longer, sizeof(longer)), 0);
        buf = take_bytes(w, &len);

        CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "v1.2", &r), 0);
        CHECK_EQ_U64(tbs_reader_header(r)->flags, TBS_FLAG_SHADOW_STACK);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
        CHECK_EQ_U64(rec.type, TBS_REC_SHADOW_STACK);
        CHECK_EQ_U64(rec.size, sizeof(struct tbs_shadow_stack_loc));
        CHECK_EQ_U64(rec.u.shadow_stack.timestamp, 1007);
        CHECK_EQ_U64(rec.u.shadow_stack.addr, 0x7ffcf0001000ull);
        CHECK_EQ_U64(rec.u.shadow_stack.tid, 4243);
        CHECK_EQ_U64(rec.u.shadow_stack.capacity, 1024);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
        CHECK_EQ_U64(rec.size, 48);
        CHECK_EQ_U64(rec.u.shadow_stack.capacity, 0);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), 0);
        tbs_reader_close(r);
        free(buf);

        /* 24 bytes: the prefix and the timestamp and addr only. */
        CHECK_EQ_I64(tbs_writer_open_mem(flags, &w), 0);
        CHECK_EQ_I64(tbs_writer_write_header(w, &h), 0);
        CHECK_EQ_I64(tbs_writer_write_raw(w, TBS_REC_SHADOW_STACK, longer, 16), 0);
        buf = take_bytes(w, &len);
        CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "short", &r), 0);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), -EBADMSG);
        CHECK(strstr(tbs_reader_strerror(r), "SHADOW_STACK record size 24 too small") != NULL);
        tbs_reader_close(r);
        free(buf);
        (void)first;
    }
}

/* tbs_reader_open_mem() at an odd address: no field may need alignment. */
static void test_unaligned_buffer(void)
{
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct sample s;
    uint8_t *buf;
    size_t nr = 0;

    build_sample(&s, TBS_WRITER_SWAP);
    buf = malloc(s.len + 1);
    memcpy(buf + 1, s.buf, s.len);
    CHECK_EQ_I64(tbs_reader_open_mem(buf + 1, s.len, "odd", &r), 0);
    while (tbs_reader_next(r, &rec) == 1) {
        nr++;
        if (rec.type == TBS_REC_STATS && rec.u.stats.nr_succ == 3) {
            CHECK_STATS_FIELDS(&rec.u.stats, &sample_stats);
            for (unsigned i = 0; i < 3; i++)
                CHECK_EQ_U64(tbs_stats_succ_pc(&rec.u.stats, i), succ_pc[i]);
        } else if (rec.type == TBS_REC_TB) {
            CHECK_EQ_U64(rec.u.tb.stats_id, 1);
            CHECK_EQ_U64(tbs_tb_host_end(&rec.u.tb, 2), host_end[2]);
        }
    }
    CHECK_EQ_U64(nr, 8);
    tbs_reader_close(r);
    free(buf);
    free(s.buf);
}

static void test_mapping_path(void)
{
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct sample s;

    build_sample(&s, 0);
    /* The path and its padding without a NUL. */
    memset(s.buf + HDR + sizeof(struct tbs_mapping), 'x', 16);
    CHECK_EQ_I64(tbs_reader_open_mem(s.buf, s.len, "m", &r), 0);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), -EBADMSG);
    CHECK_STR_EQ(tbs_reader_strerror(r), "m: MAPPING path not NUL-terminated at byte offset "
                 "168 (record at 88 ends at 184)");
    tbs_reader_close(r);
    /* NUL at the last byte. */
    s.buf[HDR + sizeof(struct tbs_mapping) + 15] = 0;
    CHECK_EQ_I64(tbs_reader_open_mem(s.buf, s.len, "m", &r), 0);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.u.mapping.path_len, 15);
    tbs_reader_close(r);
    free(s.buf);
}

/* A TB with no instructions and no guest code; icount 65535 round trip. */
static void test_tb_extremes(void)
{
    struct tbs_tb_view tb = sample_tb;
    struct tbs_writer *w;
    struct tbs_reader *r;
    struct tbs_record_view rec;
    const uint8_t *data;
    uint64_t *pcs = malloc(65535 * sizeof(*pcs));
    uint32_t *ends = malloc(65535 * sizeof(*ends));
    size_t len;

    for (unsigned i = 0; i < 65535; i++) {
        pcs[i] = 0xffffffffffff0000ull + i;
        ends[i] = 0xfffff000u + i;
    }
    CHECK_EQ_I64(tbs_writer_open_mem(TBS_WRITER_SWAP, &w), 0);
    CHECK_EQ_I64(tbs_writer_write_header(w, &sample_header), 0);
    tb.icount = 0;
    tb.guest_code = NULL;
    tb.guest_code_size = 0;
    CHECK_EQ_I64(tbs_writer_write_tb(w, &tb, NULL, NULL), 0);
    tb.icount = 65535;
    CHECK_EQ_I64(tbs_writer_write_tb(w, &tb, pcs, ends), 0);
    data = tbs_writer_data(w, &len);
    CHECK_EQ_I64(tbs_reader_open_mem(data, len, "x", &r), 0);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.size, sizeof(struct tbs_tb));
    CHECK_EQ_U64(rec.u.tb.icount, 0);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_U64(rec.u.tb.icount, 65535);
    CHECK_EQ_U64(tbs_tb_insn_pc(&rec.u.tb, 65534), 0xffffffffffff0000ull + 65534);
    CHECK_EQ_U64(tbs_tb_host_end(&rec.u.tb, 65534), 0xfffff000u + 65534);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 0);
    tbs_reader_close(r);
    tbs_writer_close(w);
    free(pcs);
    free(ends);
}

static void test_open_file(void)
{
    char path[] = "/tmp/test_tbstats.XXXXXX";
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct sample s;
    int fd;

    fd = mkstemp(path);
    if (!CHECK(fd >= 0))
        return;
    CHECK_EQ_I64(tbs_reader_open(path, &r), -ENODATA);     /* empty */
    tbs_reader_close(r);
    build_sample(&s, 0);
    CHECK_EQ_I64(write(fd, s.buf, s.len), s.len);
    close(fd);
    CHECK_EQ_I64(tbs_reader_open(path, &r), 0);
    for (int i = 0; i < 8; i++)
        CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
    CHECK_EQ_I64(tbs_reader_next(r, &rec), 0);
    tbs_reader_close(r);
    unlink(path);
    CHECK_EQ_I64(tbs_reader_open(path, &r), -ENOENT);
    CHECK(strstr(tbs_reader_strerror(r), "open: No such file or directory") != NULL);
    tbs_reader_close(r);
    free(s.buf);
}

static void test_writer_args(void)
{
    struct tbs_mapping_view bad = sample_mapping;
    struct tbs_stats_view stats = sample_stats;
    struct tbs_header h = sample_header;
    struct tbs_writer *w;
    size_t len;

    CHECK_EQ_I64(tbs_writer_open_mem(0x100, &w), -EINVAL);
    CHECK(w == NULL);
    CHECK_EQ_I64(tbs_writer_open_mem(0, &w), 0);
    h.header_size = 8;
    CHECK_EQ_I64(tbs_writer_write_header(w, &h), -EINVAL);
    bad.path = "a\0b";
    bad.path_len = 3;
    CHECK_EQ_I64(tbs_writer_write_mapping(w, &bad), -EINVAL);
    bad = sample_mapping;
    bad.build_id_size = 21;
    CHECK_EQ_I64(tbs_writer_write_mapping(w, &bad), -EINVAL);
    CHECK_EQ_I64(tbs_writer_write_tb(w, &sample_tb, NULL, host_end), -EINVAL);
    CHECK_EQ_I64(tbs_writer_write_stats(w, &sample_stats, NULL), -EINVAL);
    stats.nr_succ = 0x20000000;     /* a record above 4 GiB */
    CHECK_EQ_I64(tbs_writer_write_stats(w, &stats, succ_pc), -EINVAL);
    tbs_writer_data(w, &len);
    CHECK_EQ_U64(len, 0);
    tbs_writer_close(w);
    tbs_writer_close(NULL);
    tbs_reader_close(NULL);
}

/* TB_IR (1.3): round trip in both byte orders, lengths and NULs checked. */
static void test_tb_ir(void)
{
    static const char ops[] = "OP:\n ---- 0000000000401000 0000000000000000\n mov_i64 rax,rbx\n";
    static const char opt[] = "OP after optimization and liveness analysis:\n mov_i64 rax,rbx\n";
    const struct tbs_tb_ir_view ir = {
        .timestamp = 1009, .code_index = TBS_IR_RETRANSLATED, .guest_pc = 0x401000,
        .cs_base = 7, .flags = 0xb3, .stats_id = 5, .ops_len = sizeof(ops) - 1,
        .ops_opt_len = sizeof(opt) - 1, .ops = ops, .ops_opt = opt,
    };
    const size_t fixed = sizeof(struct tbs_tb_ir);
    struct tbs_header h = sample_header;

    CHECK_EQ_U64(fixed, 56);       /* 8-byte prefix + 4 x 8 + 4 x 4, no padding */
    CHECK_STR_EQ(tbs_record_name(TBS_REC_TB_IR), "TB_IR");
    h.version_minor = 3;
    for (unsigned flags = 0; flags <= TBS_WRITER_SWAP; flags += TBS_WRITER_SWAP) {
        struct tbs_reader *r;
        struct tbs_record_view rec;
        struct tbs_writer *w;
        uint8_t *buf;
        size_t len;

        CHECK_EQ_I64(tbs_writer_open_mem(flags, &w), 0);
        CHECK_EQ_I64(tbs_writer_write_header(w, &h), 0);
        CHECK_EQ_I64(tbs_writer_write_tb_ir(w, &ir), 0);
        buf = take_bytes(w, &len);
        CHECK_EQ_I64(tbs_reader_open_mem(buf, len, "ir", &r), 0);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), 1);
        CHECK_EQ_U64(rec.type, TBS_REC_TB_IR);
        CHECK_EQ_U64(rec.size, (fixed + ir.ops_len + ir.ops_opt_len + 7) & ~(size_t)7);
        CHECK_EQ_U64(rec.u.tb_ir.code_index, TBS_IR_RETRANSLATED);
        CHECK_EQ_U64(rec.u.tb_ir.guest_pc, 0x401000);
        CHECK_EQ_U64(rec.u.tb_ir.cs_base, 7);
        CHECK_EQ_U64(rec.u.tb_ir.flags, 0xb3);
        CHECK_EQ_U64(rec.u.tb_ir.stats_id, 5);
        CHECK_EQ_U64(rec.u.tb_ir.ops_len, sizeof(ops) - 1);
        CHECK(!memcmp(rec.u.tb_ir.ops, ops, sizeof(ops) - 1));
        CHECK(!memcmp(rec.u.tb_ir.ops_opt, opt, sizeof(opt) - 1));
        CHECK_EQ_I64(tbs_reader_next(r, &rec), 0);
        tbs_reader_close(r);
        free(buf);
    }

    /* ops_len past the record; ops_opt_len past it after ops; a NUL inside; cut short. */
    for (int variant = 0; variant < 4; variant++) {
        struct tbs_reader *r;
        struct tbs_record_view rec;
        struct tbs_writer *w;
        uint8_t *buf, *p;
        size_t len, size;

        CHECK_EQ_I64(tbs_writer_open_mem(0, &w), 0);
        CHECK_EQ_I64(tbs_writer_write_header(w, &h), 0);
        CHECK_EQ_I64(tbs_writer_write_tb_ir(w, &ir), 0);
        buf = take_bytes(w, &len);
        p = buf + HDR;
        size = len - HDR;
        if (variant == 0) {
            uint32_t v = (uint32_t)(size - fixed + 1);

            memcpy(p + offsetof(struct tbs_tb_ir, ops_len), &v, 4);
        } else if (variant == 1) {
            uint32_t v = UINT32_MAX;    /* ops_len + ops_opt_len wraps in 32 bits */

            memcpy(p + offsetof(struct tbs_tb_ir, ops_opt_len), &v, 4);
        } else if (variant == 2) {
            p[fixed + 5] = 0;
        }
        CHECK_EQ_I64(tbs_reader_open_mem(buf, variant == 3 ? len - 8 : len, "bad", &r), 0);
        CHECK_EQ_I64(tbs_reader_next(r, &rec), variant == 3 ? -ENODATA : -EBADMSG);
        if (variant == 0)
            CHECK(strstr(tbs_reader_strerror(r), "TB_IR ops_len") != NULL);
        if (variant == 1)
            CHECK(strstr(tbs_reader_strerror(r), "TB_IR ops_opt_len") != NULL);
        if (variant == 2)
            CHECK_EQ_U64(tbs_reader_error_offset(r), HDR + fixed + 5);
        tbs_reader_close(r);
        free(buf);
    }
    {
        struct tbs_writer *w;
        struct tbs_tb_ir_view bad = ir;

        bad.ops = NULL;
        CHECK_EQ_I64(tbs_writer_open_mem(0, &w), 0);
        CHECK_EQ_I64(tbs_writer_write_tb_ir(w, &bad), -EINVAL);
        tbs_writer_close(w);
    }
}

int main(void)
{
    RUN_TEST_ARG(sample_check_round_trip, &format);
    RUN_TEST_ARG(sample_check_foreign_byte_order, &format);
    RUN_TEST(test_versions_and_header_size);
    RUN_TEST_ARG(sample_check_truncations, &format);
    RUN_TEST_ARG(sample_check_flips, &format);
    RUN_TEST(test_bad_fields);
    RUN_TEST_ARG(sample_check_memory_bounded, &format);
    RUN_TEST(test_truncated_vs_corrupt);
    RUN_TEST(test_stats_fewer_succ);
    RUN_TEST(test_stats_truncated);
    RUN_TEST(test_version_1_0);
    RUN_TEST(test_version_1_4_fields);
    RUN_TEST(test_end_sizes);
    RUN_TEST(test_shadow_stack);
    RUN_TEST(test_unaligned_buffer);
    RUN_TEST(test_mapping_path);
    RUN_TEST(test_tb_extremes);
    RUN_TEST(test_open_file);
    RUN_TEST(test_writer_args);
    RUN_TEST(test_tb_ir);
    return unit_finish("test_tbstats");
}
