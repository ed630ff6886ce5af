/*
 * jitdump.h: a reader for perf's jitdump files (jit-PID.dump).
 *
 * The reader maps (or reads) a whole file and hands out its records one at a
 * time, decoded into host byte order.  It accepts versions 1 and 2 in either
 * byte order and validates every size against the record that holds it, so a
 * corrupt or hostile file yields an error, never an out-of-bounds access,
 * an allocation proportional to a count in the file, or an endless loop.
 *
 * Errors are negative errno values; the ones that describe the input are:
 *   -ENODATA     the file ends inside the header or inside a record: it is
 *                truncated, typically because it is still being written.
 *                The records returned before are valid; a caller may use them
 *                and report the file as partial.
 *   -EBADMSG     corrupt input: bad magic, a size that contradicts the record
 *                holding it, a name that is not NUL-terminated, ...  A record
 *                cut by the end of file is corrupt rather than truncated when
 *                its id is unknown, its size exceeds JD_RECORD_SIZE_PLAUSIBLE
 *                or the fields present contradict its size: a writer caught
 *                mid-record does not produce those.
 *   -ENOTSUP     a jitdump version other than 1 or 2.
 * plus -ENOMEM and the errno of open(), fstat(), mmap() and read().
 * jd_reader_strerror() says what was wrong and at which byte offset, e.g.
 *   "jit-123.dump: truncated record at byte offset 4096 (record needs 200 bytes, 50 left)"
 *
 * Thread safety: a reader is not synchronised; use one reader per thread (any
 * number of readers may share one buffer given to jd_reader_open_mem()).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef JITDUMP_H
#define JITDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jitdump-format.h"
#include "jitdump-records.h"

/*
 * Records larger than this are taken for corruption rather than truncation
 * when they extend past the end of the file (a TB's host code is a few KiB).
 */
#define JD_RECORD_SIZE_PLAUSIBLE (1u << 30)

struct jd_reader;

/* The file header, decoded. */
struct jd_header {
    uint32_t version;     /* 1 or 2 */
    uint32_t total_size;  /* header size in the file, >= sizeof(struct jitdump_header) */
    uint32_t elf_mach;    /* ELF e_machine of the code (62 = x86-64, 183 = AArch64) */
    uint32_t pid;
    uint64_t timestamp;
    uint64_t flags;       /* JITDUMP_FLAGS_* */
    bool big_endian;      /* the file's byte order */
    bool swapped;         /* the file's byte order is not the host's */
};

/*
 * The records below begin with the fixed fields of their struct in
 * jitdump-format.h after the prefix, decoded, under the same names; the
 * lists of jitdump-records.h declare them (pid to code_index of a LOAD,
 * ...), as they decode and encode them in the reader and the writer.
 */

/*
 * JITDUMP_CODE_LOAD.  name is NUL-terminated (name[name_len] == '\0') and
 * may contain any other byte; code points to code_size bytes.
 */
struct jd_code_load {
    JD_CODE_LOAD_FIELDS(JD_FIELD_MEMBER, )
    const char *name;
    size_t name_len;
    const uint8_t *code;
};

/* JITDUMP_CODE_MOVE */
struct jd_code_move {
    JD_CODE_MOVE_FIELDS(JD_FIELD_MEMBER, )
};

/*
 * JITDUMP_CODE_DEBUG_INFO.  The entries are iterated with jd_debug_iter_*();
 * jd_reader_next() has already checked that all nr_entry of them fit in the
 * record, so iterating a record it returned cannot fail.
 */
struct jd_debug_info {
    uint64_t code_addr;
    uint64_t nr_entry;
    const uint8_t *entries;  /* raw entries, in the file's byte order */
    size_t entries_size;     /* bytes from entries to the end of the record */
    bool swapped;            /* copied from the header */
};

/*
 * One debug entry: host code from addr on comes from line lineno of file
 * name.  An entry whose name in the file is "\xff" ("same file as the
 * previous entry") is returned with the previous entry's name and
 * name_repeated set.  name is NUL-terminated at name[name_len].
 */
struct jd_debug_entry {
    uint64_t addr;
    int32_t lineno;
    int32_t discrim;
    const char *name;
    size_t name_len;
    bool name_repeated;
};

/* Iteration state over the entries of one struct jd_debug_info. */
struct jd_debug_iter {
    const uint8_t *pos;
    const uint8_t *end;
    uint64_t left;          /* entries not yet returned */
    bool swapped;
    const char *prev_name;
    size_t prev_name_len;
};

/*
 * JITDUMP_CODE_UNWINDING_INFO.  data points to unwinding_size bytes:
 * .eh_frame, then .eh_frame_hdr (its last eh_frame_hdr_size bytes).
 */
struct jd_unwinding_info {
    JD_CODE_UNWINDING_INFO_FIELDS(JD_FIELD_MEMBER, )
    const uint8_t *data;
};

/*
 * One record.  id is any value found in the file: ids this reader does not
 * know (>= JITDUMP_CODE_MAX) are returned with only the common fields set,
 * the caller decides whether to skip them.  The union member matching id is
 * filled for known ids; JITDUMP_CODE_CLOSE has no fields.
 *
 * Lifetime: every pointer points into the reader's buffer and stays valid
 * until jd_reader_close() (for jd_reader_open_mem(): as long as the caller's
 * buffer).
 */
struct jd_record {
    uint32_t id;            /* enum jitdump_record_id, or an unknown value */
    uint32_t size;          /* total_size, prefix included */
    uint64_t offset;        /* byte offset of the record in the file */
    uint64_t timestamp;
    const uint8_t *raw;     /* the whole record as stored (file byte order) */
    union {
        struct jd_code_load load;
        struct jd_code_move move;
        struct jd_debug_info debug_info;
        struct jd_unwinding_info unwinding;
    } u;
};

/*
 * jd_reader_open - open the jitdump file at path and check its header.
 * @path: file to read; mapped read-only (regular files) or read whole
 *        (pipes and other non-seekable files).
 * @readerp: receives the reader.
 *
 * Returns 0, or a negative errno (see the top of this file).  Except on
 * -ENOMEM, *readerp receives a reader even on failure so that
 * jd_reader_strerror() can say what went wrong; on -ENOMEM *readerp is NULL.
 * The caller always releases *readerp with jd_reader_close().
 */
int jd_reader_open(const char *path, struct jd_reader **readerp);

/*
 * jd_reader_open_mem - as jd_reader_open(), on a buffer in memory.
 * @buf, @len: the file's contents; not copied: the buffer must outlive the
 *             reader and every record obtained from it.  Any alignment.
 * @name: used in error messages (copied); NULL means "<memory>".
 * @readerp: receives the reader, with the same rules as jd_reader_open().
 */
int jd_reader_open_mem(const void *buf, size_t len, const char *name,
                       struct jd_reader **readerp);

/*
 * jd_reader_close - release a reader, its mapping or buffer, and its name.
 * Accepts NULL.  Invalidates every pointer obtained from the reader.
 */
void jd_reader_close(struct jd_reader *reader);

/*
 * jd_reader_header - the decoded file header of a successfully opened reader
 * (zeroed if the open failed).  Valid until jd_reader_close().
 */
const struct jd_header *jd_reader_header(const struct jd_reader *reader);

/*
 * jd_reader_next - read the next record into *out.
 *
 * Returns 1 when *out holds a record, 0 at the clean end of the file (the
 * last record ended exactly at end of file), or a negative errno; -ENODATA
 * means the file ends inside a record (see the top of this file).  After 0
 * or an error, later calls return the same value again.  *out is only
 * meaningful when 1 is returned.
 */
int jd_reader_next(struct jd_reader *reader, struct jd_record *out);

/*
 * jd_reader_strerror - the last error as one line without a newline,
 * "NAME: WHAT at byte offset N (DETAIL)", or "NAME: no error".
 * The string belongs to the reader and is valid until the next call on it.
 */
const char *jd_reader_strerror(const struct jd_reader *reader);

/*
 * jd_reader_error_offset - byte offset in the file of the last error (the
 * bad field or the truncated record), 0 if there was none.
 */
uint64_t jd_reader_error_offset(const struct jd_reader *reader);

/*
 * jd_reader_offset - byte offset of the next record to be read (the size of
 * the valid prefix of the file once jd_reader_next() returned an error).
 */
uint64_t jd_reader_offset(const struct jd_reader *reader);

/* jd_record_name - "CODE_LOAD", ... for a record id; NULL for unknown ids. */
const char *jd_record_name(uint32_t id);

/*
 * jd_debug_iter_init - start iterating the entries of a DEBUG_INFO record.
 * @it: iteration state, owned by the caller.
 * @info: the record's u.debug_info; must outlive the iteration.
 */
void jd_debug_iter_init(struct jd_debug_iter *it, const struct jd_debug_info *info);

/*
 * jd_debug_iter_next - the next entry into *out.
 *
 * Returns 1 with an entry, 0 after the last one, or -EBADMSG if the entries
 * do not fit in the record (impossible for a record jd_reader_next()
 * returned, possible for a hand-made struct jd_debug_info).
 */
int jd_debug_iter_next(struct jd_debug_iter *it, struct jd_debug_entry *out);

#endif /* JITDUMP_H */
