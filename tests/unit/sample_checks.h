/*
 * sample_checks.h: the checks that the tests of a record-stream reader
 * (test_jitdump.c, test_tbstats.c) make alike on their sample file: read
 * back in both byte orders, cut at every length, every byte flipped, every
 * 4-byte field set to a hostile size under a memory limit.  Header only,
 * on unit.h and memlimit.h.
 *
 * A test describes its format with a struct sample_format and runs each
 * check as RUN_TEST_ARG(sample_check_..., &format).
 */
#ifndef SAMPLE_CHECKS_H
#define SAMPLE_CHECKS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "memlimit.h"

/* A sample file in a malloc()ed buffer, and where each of its parts ends. */
struct sample {
    uint8_t *buf;
    size_t len;
    size_t ends[16];    /* end offset of the header and of every record */
    size_t nr_ends;
};

/*
 * SAMPLE_BUILD - write the sample into s with a writer of the library's
 * memory-writer shape, PREFIX_open_mem(flags, &w), PREFIX_data(w, &len) and
 * PREFIX_close(w) (PREFIX: jd_writer, tbs_writer), calling
 * write_part(w, i) for each part i of nr_parts (0: the header), each a
 * check that it returned 0; s->ends gets where each part ends, s->buf a
 * malloc()ed copy of the whole.
 */
#define SAMPLE_BUILD(s, flags, PREFIX, write_part, nr_parts)                     \
    do {                                                                        \
        struct PREFIX *w_;                                                      \
        const uint8_t *data_;                                                   \
                                                                                \
        memset((s), 0, sizeof(*(s)));                                           \
        CHECK_EQ_I64(PREFIX##_open_mem((flags), &w_), 0);                       \
        for (size_t i_ = 0; i_ < (nr_parts); i_++) {                            \
            CHECK_EQ_I64(write_part(w_, i_), 0);                                \
            PREFIX##_data(w_, &(s)->ends[(s)->nr_ends++]);                      \
        }                                                                       \
        data_ = PREFIX##_data(w_, &(s)->len);                                   \
        (s)->buf = malloc((s)->len);                                            \
        memcpy((s)->buf, data_, (s)->len);                                      \
        PREFIX##_close(w_);                                                     \
    } while (0)

/*
 * sample_patch16, sample_patch32, sample_patch64 - store v at off in buf in
 * the host's byte order (swapped: the other one), as the sample's fields are.
 */
static inline void sample_patch16(uint8_t *buf, size_t off, uint16_t v, bool swapped)
{
    if (swapped)
        v = __builtin_bswap16(v);
    memcpy(buf + off, &v, sizeof(v));
}

static inline void sample_patch32(uint8_t *buf, size_t off, uint32_t v, bool swapped)
{
    if (swapped)
        v = __builtin_bswap32(v);
    memcpy(buf + off, &v, sizeof(v));
}

static inline void sample_patch64(uint8_t *buf, size_t off, uint64_t v, bool swapped)
{
    if (swapped)
        v = __builtin_bswap64(v);
    memcpy(buf + off, &v, sizeof(v));
}

struct sample_format {
    /* The sample written with flags: 0, or swap for the other byte order. */
    void (*build)(struct sample *s, unsigned flags);
    unsigned swap;
    /* Checks every record of the sample in buf (swapped: in the other byte order). */
    void (*check_records)(const uint8_t *buf, size_t len, bool swapped);
    /*
     * Reads everything in buf, touching every byte the records' pointers
     * claim; returns the final result (0 or an error) and the number of
     * records in *nr.
     */
    int (*read_everything)(const uint8_t *buf, size_t len, size_t *nr);
    size_t header_size;
    /*
     * The number (1 is the first after the header) of a record that is
     * corrupt, not being written, once cut after its first 4 bytes
     * (-EBADMSG after the records before it); 0: none is.
     */
    size_t corrupt_when_cut;
    /* The most the reader may allocate for the sample with a hostile size in it. */
    unsigned long long memory_limit;
};

/* sample_check_round_trip - the sample read back as written. */
static inline void sample_check_round_trip(const struct sample_format *f)
{
    struct sample s;

    f->build(&s, 0);
    f->check_records(s.buf, s.len, false);
    free(s.buf);
}

/* sample_check_foreign_byte_order - the sample written and read in the other byte order. */
static inline void sample_check_foreign_byte_order(const struct sample_format *f)
{
    struct sample native, foreign;

    f->build(&native, 0);
    f->build(&foreign, f->swap);
    CHECK_EQ_U64(native.len, foreign.len);
    CHECK(memcmp(native.buf, foreign.buf, native.len) != 0);
    f->check_records(foreign.buf, foreign.len, true);
    free(native.buf);
    free(foreign.buf);
}

/*
 * sample_check_truncations - every prefix of the sample, in both byte
 * orders, is a valid file up to its last complete record: a cut at a record
 * boundary ends cleanly, any other cut with -ENODATA after exactly the
 * complete records (but see corrupt_when_cut).  Each prefix is in a
 * malloc()ed buffer of its exact size.
 */
static inline void sample_check_truncations(const struct sample_format *f)
{
    for (int swapped = 0; swapped < 2; swapped++) {
        struct sample s;
        size_t k = f->corrupt_when_cut;

        f->build(&s, swapped ? f->swap : 0);
        for (size_t len = 0; len <= s.len; len++) {
            uint8_t *copy = malloc(len ? len : 1);
            size_t nr, complete = 0;
            bool boundary = false;
            int ret;

            memcpy(copy, s.buf, len);
            for (size_t i = 0; i < s.nr_ends; i++) {
                if (s.ends[i] <= len)
                    complete = i;   /* records before this end, header excluded */
                if (s.ends[i] == len)
                    boundary = true;
            }
            ret = f->read_everything(copy, len, &nr);
            if (len < f->header_size) {
                CHECK_EQ_I64(ret, -ENODATA);
            } else if (k && len >= s.ends[k - 1] + 4 && len < s.ends[k]) {
                CHECK_EQ_I64(ret, -EBADMSG);
                CHECK_EQ_U64(nr, k - 1);
            } else {
                CHECK_EQ_I64(ret, boundary ? 0 : -ENODATA);
                CHECK_EQ_U64(nr, complete);
            }
            free(copy);
        }
        free(s.buf);
    }
}

/* An error or records, nothing else (the callback of unit_each_hostile()). */
static inline void sample_read_any(void *arg, uint8_t *copy, size_t len, size_t off, size_t v)
{
    const struct sample_format *f = arg;
    size_t nr;
    int ret = f->read_everything(copy, len, &nr);

    (void)off;
    (void)v;
    CHECK(ret == 0 || ret == -ENODATA || ret == -EBADMSG || ret == -ENOTSUP);
}

/*
 * sample_check_flips - every byte of the sample, in both byte orders,
 * xored with each of 4 masks, in a malloc()ed copy of its exact size: an
 * error or records.
 */
static inline void sample_check_flips(const struct sample_format *f)
{
    static const uint8_t masks[] = { 0x01, 0x10, 0x80, 0xff };

    for (int swapped = 0; swapped < 2; swapped++) {
        struct sample s;

        f->build(&s, swapped ? f->swap : 0);
        for (size_t off = 0; off < s.len; off++) {
            for (size_t m = 0; m < sizeof(masks); m++) {
                uint8_t *copy = malloc(s.len);

                memcpy(copy, s.buf, s.len);
                copy[off] ^= masks[m];
                sample_read_any((void *)f, copy, s.len, off, m);
                free(copy);
            }
        }
        free(s.buf);
    }
}

static inline int sample_hostile_sizes(void *arg)
{
    const struct sample_format *f = arg;

    for (int swapped = 0; swapped < 2; swapped++) {
        struct sample s;

        f->build(&s, swapped ? f->swap : 0);
        unit_each_hostile(s.buf, s.len, swapped ^ (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__),
                          sample_read_any, arg);
        free(s.buf);
    }
    return (int)unit_failed;
}

/*
 * sample_check_memory_bounded - every 4-byte aligned field of the sample,
 * in both byte orders, set to each of unit_hostile_values (as 32 and as 64
 * bits): an error or records, never a read past the end, and never an
 * allocation beyond f->memory_limit bytes (the child runs with RLIMIT_AS,
 * or under AddressSanitizer's allocation hook).
 */
static inline void sample_check_memory_bounded(const struct sample_format *f)
{
    unit_memlimit_run(sample_hostile_sizes, (void *)f, f->memory_limit);
}

#endif /* SAMPLE_CHECKS_H */
