/*
 * tbstats.h: a reader for qemu-jitdump's side file (jit-PID.tbstats, or
 * jit-PID.tbstats.part while QEMU runs or after it was killed), whose layout
 * is defined in tbstats-format.h.
 *
 * The reader maps (or reads) a whole file and hands out its records one at a
 * time, decoded into host byte order.  It recognises the writer's byte order
 * from the magic, rejects a version_major it does not know, skips the header
 * bytes a newer writer may add, and validates every size against the record
 * that holds it, so a corrupt or hostile file yields an error, never an
 * out-of-bounds access, an allocation proportional to a count in the file,
 * or an endless loop.
 *
 * It reads versions 1.0 to 1.4 (and later 1.x, whose new record types it
 * returns as unknown): a 1.0 file has no TBS_REC_STATS and every TB's
 * stats_id is 0, which is also what "no statistics" means in a 1.1 file;
 * TBS_REC_SHADOW_STACK appears from 1.2 on, TBS_REC_TB_IR from 1.3 on; a
 * TB's privilege and a MAPPING's kind from 1.4 on (system emulation,
 * TBS_FLAG_SYSTEM), read as 0 (TBS_PRIV_NONE, TBS_MAPPING_ELF) in older
 * files, whose bytes there were padding; END's end_flags and TLB flush
 * counts from 1.4 writers that have them (a 64-byte END record; the
 * 40-byte one of older writers has neither).
 *
 * Errors are negative errno values; the ones that describe the input are:
 *   -ENODATA     the file ends inside the header or inside a record: it is
 *                truncated, typically because QEMU is still writing it or was
 *                killed (a .part file).  The records returned before are
 *                valid; a caller may use them and report the file as partial.
 *   -EBADMSG     corrupt input: bad magic, a record size that is not a
 *                multiple of 8 or contradicts the fields of its record (a
 *                TB's icount or guest_code_size, a STATS record's nr_succ),
 *                an END record of neither 40 nor 64 or more bytes,
 *                a path that is not NUL-terminated, a TB_IR record whose
 *                ops_len and ops_opt_len do not fit its size or whose text
 *                holds a NUL, ...
 *   -ENOTSUP     a version_major other than TBS_VERSION_MAJOR.
 * plus -ENOMEM and the errno of open(), fstat(), mmap() and read().
 * tbs_reader_strerror() says what was wrong and at which byte offset, e.g.
 *   "jit-123.tbstats: truncated record at byte offset 4096 (record needs 200 bytes, 50 left)"
 *
 * Thread safety: a reader is not synchronised; use one reader per thread (any
 * number of readers may share one buffer given to tbs_reader_open_mem()).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TBSTATS_H
#define TBSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tbstats-fields.h"
#include "tbstats-format.h"
#include "tbstats-records.h"

/*
 * Records (and headers) larger than this are taken for corruption rather
 * than truncation when they extend past the end of the file (a TB record is
 * at most 88 + 65535 * 12 bytes plus its guest code; a STATS record as QEMU
 * writes it 176 + TBS_MAX_SUCC * 8 bytes).
 */
#define TBS_RECORD_SIZE_PLAUSIBLE (1u << 26)

/*
 * The sizes of a TBS_REC_END: TBS_END_SIZE (64) with the TLB flush counts,
 * as QEMU writes it since they were added, and TBS_END_SIZE_NO_TLB (40) as
 * QEMU wrote it before (version 1.3 and the first 1.4 writers).  The reader
 * takes either, and anything above TBS_END_SIZE (a newer writer's trailing
 * fields); a size between the two is corrupt.
 */
#define TBS_END_SIZE         sizeof(struct tbs_end)
#define TBS_END_SIZE_NO_TLB  offsetof(struct tbs_end, tlb_flush_full)

struct tbs_reader;

/* The file header, decoded.  The strings are NUL-terminated copies. */
struct tbs_header {
    uint16_t version_major;
    uint16_t version_minor;
    uint32_t header_size;      /* >= sizeof(struct tbs_file_header) */
    uint32_t pid;
    uint64_t timestamp;
    uint16_t guest_machine;    /* ELF e_machine: 62 x86-64, 183 AArch64, 3 i386 */
    uint16_t host_machine;
    uint32_t flags;            /* TBS_FLAG_* */
    uint32_t guest_page_size;
    uint32_t guest_addr_bits;
    char guest_arch[sizeof(((struct tbs_file_header *)0)->guest_arch) + 1];
    char qemu_version[sizeof(((struct tbs_file_header *)0)->qemu_version) + 1];
    bool big_endian;           /* the file's byte order */
    bool swapped;              /* the file's byte order is not the host's */
};

/*
 * The views below (all but END's, whose exit_code is signed) begin with
 * the fixed numeric fields of their record in tbstats-format.h, decoded,
 * under the same names; the lists of tbstats-records.h declare them
 * (timestamp to kind of a MAPPING, ...), as they decode and encode them in
 * the reader and the writer.
 */

/*
 * TBS_REC_MAPPING.  path is NUL-terminated (path[path_len] == '\0');
 * build_id points to build_id_size (<= 20) bytes.  kind says what path is:
 * an ELF file (TBS_MAPPING_ELF, and always before 1.4), or
 * (TBS_MAPPING_SYMBOL_LIST, system emulation) a System.map-style symbol
 * list whose addresses play the part of ELF virtual addresses.  Other
 * values are passed on as found.
 */
struct tbs_mapping_view {
    TBS_MAPPING_FIELDS(TBS_FIELD_MEMBER, )
    uint8_t build_id_size;
    const uint8_t *build_id;
    const char *path;
    size_t path_len;
};

/* TBS_REC_UNMAP */
struct tbs_unmap_view {
    TBS_UNMAP_FIELDS(TBS_FIELD_MEMBER, )
};

/*
 * TBS_REC_TB.  The arrays stay in the file's byte order: read them with
 * tbs_tb_insn_pc() and tbs_tb_host_end().  guest_code points to
 * guest_code_size bytes (guest_code_size <= guest_size).  The reader has
 * checked that all of them lie inside the record; it has not checked what
 * the values mean (ascending PCs, host_end <= host_size): a consumer must
 * not trust them for memory accesses.  privilege is 0 (TBS_PRIV_NONE)
 * before 1.4.
 */
struct tbs_tb_view {
    TBS_TB_FIELDS(TBS_FIELD_MEMBER, )
    const uint8_t *insn_pc;    /* uint64_t[icount], file byte order, any alignment */
    const uint8_t *host_end;   /* uint32_t[icount], file byte order, any alignment */
    const uint8_t *guest_code;
    bool swapped;              /* copied from the header */
};

/* TBS_REC_FLUSH */
struct tbs_flush_view {
    TBS_FLUSH_FIELDS(TBS_FIELD_MEMBER, )
};

/*
 * TBS_REC_STATS (version 1.1): the statistics of one key, every field in
 * host byte order.  The successor array stays in the file's byte order:
 * read it with tbs_stats_succ_pc().  The reader has checked that
 * succ_pc[nr_succ] lies inside the record (bytes after it, a newer
 * writer's, are ignored); it has not checked what the
 * values mean (a stats_id that is 0 or repeated, exec_atomic > exec_count,
 * nr_succ > TBS_MAX_SUCC, ...).  Fields of a group whose TBS_FLAG_STATS_*
 * bit is clear in the header are zero.
 */
struct tbs_stats_view {
    TBS_STATS_KEY_FIELDS(TBS_FIELD_MEMBER, )
    /* the counters, as the record has them (tbstats-fields.h) */
#define X(name, bits, level) uint##bits##_t name;
    TBS_STATS_COUNTERS(X)
#undef X
    TBS_STATS_SUCC_FIELDS(TBS_FIELD_MEMBER, )
    const uint8_t *succ_pc;    /* uint64_t[nr_succ], file byte order, any alignment */
    bool swapped;              /* copied from the header */
};

/*
 * TBS_REC_SHADOW_STACK (version 1.2): from timestamp on, host thread tid
 * keeps its shadow call stack (struct tbs_shadow_stack, room for capacity
 * frames after the sentinel) at host address addr.  Nothing is checked
 * here: gstack.h validates the block a sample holds against addr and
 * capacity.
 */
struct tbs_shadow_stack_loc_view {
    TBS_SHADOW_STACK_FIELDS(TBS_FIELD_MEMBER, )
};

/*
 * TBS_REC_TB_IR (version 1.3): the TCG ops of one translation, as -d op and
 * -d op_opt print them.  ops and ops_opt point to ops_len and ops_opt_len
 * bytes of text in the record (not NUL-terminated; the reader has checked
 * that they lie inside the record and hold no NUL).  code_index is
 * TBS_IR_RETRANSLATED for a translation made at exit for this record.
 */
struct tbs_tb_ir_view {
    TBS_TB_IR_FIELDS(TBS_FIELD_MEMBER, )
    const char *ops;
    const char *ops_opt;
};

/*
 * TBS_REC_END.  no_tlb says the record has TBS_END_SIZE_NO_TLB bytes, as
 * older writers wrote it: end_flags and the TLB flush counts are 0 then
 * (tbs_writer_write_end() writes such a record for a view with no_tlb set,
 * so a record read can be written back).  The counts are those of a system
 * emulator, 0 in user mode.
 */
struct tbs_end_view {
    uint64_t timestamp;
    int32_t exit_code;         /* 128+N for fatal signal N; 0 in a snapshot */
    uint32_t end_flags;        /* TBS_END_SNAPSHOT: written by tb-stats write */
    uint64_t nr_tbs;
    uint64_t nr_flushes;
    uint64_t tlb_flush_full;
    uint64_t tlb_flush_part;
    uint64_t tlb_flush_elided;
    bool no_tlb;               /* a 40-byte record: no end_flags, no TLB counts */
};

/*
 * One record.  type is any value found in the file: types this reader does
 * not know are returned with only the common fields set (a newer writer's
 * records; the caller skips them).  The union member matching type is
 * filled for known types.
 *
 * Lifetime: every pointer points into the reader's buffer and stays valid
 * until tbs_reader_close() (for tbs_reader_open_mem(): as long as the
 * caller's buffer).
 */
struct tbs_record_view {
    uint32_t type;             /* enum tbs_record_type, or an unknown value */
    uint32_t size;             /* prefix included; a multiple of 8 */
    uint64_t offset;           /* byte offset of the record in the file */
    const uint8_t *raw;        /* the whole record as stored (file byte order) */
    union {
        struct tbs_mapping_view mapping;
        struct tbs_unmap_view unmap;
        struct tbs_tb_view tb;
        struct tbs_flush_view flush;
        struct tbs_end_view end;
        struct tbs_stats_view stats;
        struct tbs_shadow_stack_loc_view shadow_stack;
        struct tbs_tb_ir_view tb_ir;
    } u;
};

/*
 * tbs_reader_open - open the side file at path and check its header.
 * @path: file to read; mapped read-only (regular files) or read whole
 *        (pipes and other non-seekable files).
 * @readerp: receives the reader.
 *
 * Returns 0, or a negative errno (see the top of this file).  Except on
 * -ENOMEM, *readerp receives a reader even on failure so that
 * tbs_reader_strerror() can say what went wrong; on -ENOMEM *readerp is NULL.
 * The caller always releases *readerp with tbs_reader_close().
 */
int tbs_reader_open(const char *path, struct tbs_reader **readerp);

/*
 * tbs_reader_open_mem - as tbs_reader_open(), on a buffer in memory.
 * @buf, @len: the file's contents; not copied: the buffer must outlive the
 *             reader and every record obtained from it.  Any alignment.
 * @name: used in error messages (copied); NULL means "<memory>".
 * @readerp: receives the reader, with the same rules as tbs_reader_open().
 */
int tbs_reader_open_mem(const void *buf, size_t len, const char *name,
                        struct tbs_reader **readerp);

/*
 * tbs_reader_close - release a reader, its mapping or buffer, and its name.
 * Accepts NULL.  Invalidates every pointer obtained from the reader.
 */
void tbs_reader_close(struct tbs_reader *reader);

/*
 * tbs_reader_header - the decoded file header of a successfully opened
 * reader (zeroed if the open failed).  Valid until tbs_reader_close().
 */
const struct tbs_header *tbs_reader_header(const struct tbs_reader *reader);

/*
 * tbs_reader_next - read the next record into *out.
 *
 * Returns 1 when *out holds a record, 0 at the clean end of the file (the
 * last record ended exactly at end of file), or a negative errno; -ENODATA
 * means the file ends inside a record (see the top of this file).  After 0
 * or an error, later calls return the same value again.
 */
int tbs_reader_next(struct tbs_reader *reader, struct tbs_record_view *out);

/*
 * tbs_reader_strerror - the last error as one line without a newline,
 * "NAME: WHAT at byte offset N (DETAIL)", or "NAME: no error".
 * The string belongs to the reader and is valid until the next call on it.
 */
const char *tbs_reader_strerror(const struct tbs_reader *reader);

/*
 * tbs_reader_error_offset - byte offset in the file of the last error (the
 * bad field or the truncated record), 0 if there was none.
 */
uint64_t tbs_reader_error_offset(const struct tbs_reader *reader);

/*
 * tbs_reader_offset - byte offset of the next record to be read (the size of
 * the valid prefix of the file once tbs_reader_next() returned an error).
 */
uint64_t tbs_reader_offset(const struct tbs_reader *reader);

/*
 * tbs_record_name - "MAPPING", "TB", "STATS", "SHADOW_STACK", "TB_IR", ... for a
 * record type; NULL if unknown.
 */
const char *tbs_record_name(uint32_t type);

/*
 * tbs_tb_insn_pc - guest address of instruction i (< tb->icount) of a TB
 * record, in host byte order.  No bounds check: i must be below icount.
 */
static inline uint64_t tbs_tb_insn_pc(const struct tbs_tb_view *tb, unsigned i)
{
    uint64_t v;

    memcpy(&v, tb->insn_pc + (size_t)i * sizeof(v), sizeof(v));
    return tb->swapped ? __builtin_bswap64(v) : v;
}

/*
 * tbs_tb_host_end - end of instruction i's host code as an offset from
 * tb->host_addr, in host byte order.  i must be below icount.
 */
static inline uint32_t tbs_tb_host_end(const struct tbs_tb_view *tb, unsigned i)
{
    uint32_t v;

    memcpy(&v, tb->host_end + (size_t)i * sizeof(v), sizeof(v));
    return tb->swapped ? __builtin_bswap32(v) : v;
}

/*
 * tbs_stats_succ_pc - successor i (< stats->nr_succ) of a STATS record: a
 * guest PC, in host byte order.  No bounds check: i must be below nr_succ.
 */
static inline uint64_t tbs_stats_succ_pc(const struct tbs_stats_view *stats, uint32_t i)
{
    uint64_t v;

    memcpy(&v, stats->succ_pc + (size_t)i * sizeof(v), sizeof(v));
    return stats->swapped ? __builtin_bswap64(v) : v;
}

#endif /* TBSTATS_H */
