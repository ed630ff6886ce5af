/*
 * perfdata.h: a reader for linux perf's perf.data files ("PERFILE2").
 *
 * The reader maps (or reads) a whole file, decodes its header, its attrs
 * and its features, and hands out the records of the data section one at a
 * time, decoded into host byte order.  It reads files of either byte order,
 * attrs of older and newer sizes than <linux/perf_event.h>'s, and
 * `perf record -z` files: the payloads of all COMPRESSED (81) and
 * COMPRESSED2 (83) records form one zstd stream, decompressed with one
 * persistent stream; an event may be split across two compressed records.
 * Every size is checked against the real input, so a corrupt or hostile
 * file yields an error, never an out-of-bounds access, an allocation larger
 * than the input justifies, or an endless loop.
 *
 * Errors are negative errno values; the ones that describe the input are:
 *   -ENODATA   the file ends inside the header, the attrs, or a record (or
 *              its zstd stream ends inside an event): it is truncated.  The
 *              events returned before are valid.
 *   -EBADMSG   corrupt input: bad magic, a section outside the file, a
 *              record size smaller than its header or than its fields, a
 *              zstd error (at the compressed record's offset), ...
 *   -ENOTSUP   a "PERFILE" version 1 file or a pipe-mode ("PERFILE2" with
 *              a 16-byte header) stream.
 * plus -ENOMEM and the errno of open(), fstat(), mmap() and read().
 * pd_reader_strerror() says what and where, e.g.
 *   "perf.data: bad record size at byte offset 4096 (size 4 < 8)"
 *
 * Thread safety: a reader is not synchronised; use one reader per thread
 * (any number of readers may share a buffer given to pd_reader_open_mem()).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PERFDATA_H
#define PERFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "perfdata-format.h"

struct pd_reader;

/* The most memory ordered mode queues before it cuts a round (see below). */
#define PD_ORDERED_MAX_BYTES (256u << 20)

/* The file header, decoded. */
struct pd_header {
    uint64_t header_size;       /* 104 */
    uint64_t attr_size;         /* bytes per entry of the attrs section */
    uint64_t attrs_offset, attrs_size;
    uint64_t data_offset, data_size;   /* data_size as used (see below) */
    uint64_t features[PERF_HEADER_FEAT_BITS / 64];  /* bit N = feature N present */
    bool big_endian;            /* the file's byte order */
    bool swapped;               /* ... is not the host's */
    bool data_size_unset;       /* header said 0 (perf killed): data to end of file */
    bool features_truncated;    /* the feature table lies past the end of the file */
};

/*
 * One attr (event) of the file.  attr is the file's perf_event_attr in host
 * byte order, its first min(attr.size, sizeof(attr)) bytes; the rest zero.
 * name is EVENT_DESC's name for this attr (the same index), or NULL.
 * ids are the sample ids of the attr (the kernel's, one per CPU/thread).
 * Everything is owned by the reader and valid until pd_reader_close().
 */
struct pd_attr {
    struct perf_event_attr attr;
    uint32_t file_attr_size;    /* attr.size as found in the file */
    const char *name;
    const uint64_t *ids;
    size_t nr_ids;
};

/* PERF_SAMPLE_READ values: one per group member, or one. */
struct pd_read_value {
    uint64_t value;
    uint64_t id;                /* with PERF_FORMAT_ID */
    uint64_t lost;              /* with PERF_FORMAT_LOST */
};

/* One PERF_SAMPLE_BRANCH_STACK entry; flags is the raw u64 (bitfields). */
struct pd_branch_entry {
    uint64_t from, to, flags;
};

/*
 * PERF_RECORD_SAMPLE, every field perf can request, in kernel order.  A
 * field is meaningful only when its bit is in sample_type.  Arrays (ips,
 * regs, branch entries, read values) are copies in host byte order owned by
 * the reader; raw, stack_user and aux point at the record's bytes as stored
 * (the file's byte order: they are opaque).
 */
struct pd_sample {
    uint64_t sample_type;       /* of the attr this sample belongs to */
    uint64_t id;                /* IDENTIFIER or ID */
    uint64_t ip;
    uint32_t pid, tid;
    uint64_t time;
    uint64_t addr;
    uint64_t stream_id;
    uint32_t cpu, cpu_res;
    uint64_t period;
    struct {
        uint64_t time_enabled, time_running;
        uint64_t nr;            /* values: 1 without PERF_FORMAT_GROUP */
        const struct pd_read_value *values;
    } read;
    uint64_t callchain_nr;
    const uint64_t *callchain;
    uint32_t raw_size;
    const uint8_t *raw;
    uint64_t branch_nr;
    uint64_t branch_hw_idx;     /* with PERF_SAMPLE_BRANCH_HW_INDEX */
    bool branch_has_hw_idx;
    const struct pd_branch_entry *branches;
    uint64_t user_regs_abi;     /* 0: no regs */
    uint64_t user_regs_nr;
    const uint64_t *user_regs;
    uint64_t stack_user_size;
    const uint8_t *stack_user;
    uint64_t stack_user_dyn_size;
    uint64_t weight;            /* WEIGHT or WEIGHT_STRUCT, as a u64 */
    uint64_t data_src;
    uint64_t transaction;
    uint64_t intr_regs_abi;
    uint64_t intr_regs_nr;
    const uint64_t *intr_regs;
    uint64_t phys_addr;
    uint64_t cgroup;
    uint64_t data_page_size;
    uint64_t code_page_size;
    uint64_t aux_size;
    const uint8_t *aux;
};

/*
 * The sample_id_all trailer of a non-sample record (present when the
 * record's attr has sample_id_all): fields as selected by sample_type.
 */
struct pd_sample_id {
    bool present;
    uint32_t pid, tid;
    uint64_t time;
    uint64_t id;
    uint64_t stream_id;
    uint32_t cpu;
};

/* PERF_RECORD_MMAP and PERF_RECORD_MMAP2 (MMAP leaves the MMAP2-only fields 0). */
struct pd_mmap {
    uint32_t pid, tid;
    uint64_t start, len, pgoff;
    uint32_t maj, min;          /* MMAP2 without PERF_RECORD_MISC_MMAP_BUILD_ID */
    uint64_t ino, ino_generation;
    uint8_t build_id_size;      /* MMAP2 with PERF_RECORD_MISC_MMAP_BUILD_ID */
    uint8_t build_id[20];
    uint32_t prot, flags;       /* MMAP2 */
    const char *filename;       /* NUL-terminated inside the record */
};

struct pd_comm {
    uint32_t pid, tid;
    const char *comm;           /* NUL-terminated inside the record */
};

/* FORK and EXIT */
struct pd_task {
    uint32_t pid, ppid, tid, ptid;
    uint64_t time;
};

struct pd_lost {
    uint64_t id, lost;
};

/* THROTTLE and UNTHROTTLE */
struct pd_throttle {
    uint64_t time, id, stream_id;
};

/* pd_event.flags */
#define PD_EVENT_COMPRESSED 0x1u  /* decompressed from the record at offset */

/*
 * One record.  type is any value found in the file; the union member for
 * it is filled for SAMPLE, MMAP, MMAP2, COMM, FORK, EXIT, LOST, THROTTLE
 * and UNTHROTTLE; other types (FINISHED_ROUND, unknown ones) carry only the
 * common fields and raw.  attr is the attr the record belongs to (by its id,
 * or the only attr), NULL when it cannot be told.  time is the sample's
 * time, the sample_id_all trailer's, or (uint64_t)-1 when it has none.
 *
 * Lifetime: every pointer in the event (raw, strings, arrays) is valid
 * until the next pd_reader_next() or pd_reader_close(), whichever is first.
 * COMPRESSED records themselves are never returned: their events are, with
 * PD_EVENT_COMPRESSED in flags and offset the compressed record's.
 */
struct pd_event {
    uint32_t type;              /* PERF_RECORD_* */
    uint16_t misc;
    uint16_t size;              /* header.size */
    uint32_t flags;             /* PD_EVENT_* */
    uint64_t offset;            /* file offset of the record (see flags) */
    uint64_t time;
    const uint8_t *raw;         /* size bytes as stored (file byte order) */
    const struct pd_attr *attr;
    struct pd_sample_id sample_id;  /* non-sample records */
    union {
        struct pd_sample sample;
        struct pd_mmap mmap;    /* MMAP and MMAP2 */
        struct pd_comm comm;
        struct pd_task task;    /* FORK and EXIT */
        struct pd_lost lost;
        struct pd_throttle throttle;
    } u;
};

/* One BUILD_ID feature entry. */
struct pd_build_id {
    int32_t pid;
    uint16_t misc;              /* cpumode bits of header.misc */
    uint8_t size;               /* bytes of build_id that are meaningful */
    uint8_t build_id[20];
    const char *filename;       /* NUL-terminated, in the reader's buffer */
};

/* The COMPRESSED feature. */
struct pd_compressed {
    uint32_t version, type, level, ratio, mmap_len;
};

/*
 * pd_reader_open - open the perf.data file at path, check its header and
 * read its attrs and features.
 * @path: file to read; mapped read-only (regular files) or read whole.
 * @readerp: receives the reader.
 *
 * Returns 0 or a negative errno (see the top of this file).  Except on
 * -ENOMEM, *readerp receives a reader even on failure, for
 * pd_reader_strerror(); the caller always releases it with pd_reader_close().
 */
int pd_reader_open(const char *path, struct pd_reader **readerp);

/*
 * pd_reader_open_mem - as pd_reader_open(), on len bytes at buf (not copied:
 * the buffer must outlive the reader; any alignment).  name is used in
 * messages (copied); NULL means "<memory>".
 */
int pd_reader_open_mem(const void *buf, size_t len, const char *name,
                       struct pd_reader **readerp);

/* pd_reader_close - release a reader and all it owns.  Accepts NULL. */
void pd_reader_close(struct pd_reader *reader);

/*
 * pd_reader_strerror - the last error as one line without a newline,
 * "NAME: WHAT at byte offset N (DETAIL)", or "NAME: no error".  Owned by
 * the reader, valid until the next call on it.
 */
const char *pd_reader_strerror(const struct pd_reader *reader);

/* pd_reader_error_offset - file offset of the last error, 0 if none. */
uint64_t pd_reader_error_offset(const struct pd_reader *reader);

/*
 * pd_reader_offset - file offset of the next record to be read from the
 * data section (the valid prefix once pd_reader_next() failed).
 */
uint64_t pd_reader_offset(const struct pd_reader *reader);

/* pd_reader_header - the decoded header; valid until pd_reader_close(). */
const struct pd_header *pd_reader_header(const struct pd_reader *reader);

/* pd_reader_nr_attrs / pd_reader_attr - the attrs, i < nr (else NULL). */
size_t pd_reader_nr_attrs(const struct pd_reader *reader);
const struct pd_attr *pd_reader_attr(const struct pd_reader *reader, size_t i);

/*
 * pd_reader_feature - the raw bytes of feature id (HEADER_*), in the file's
 * byte order.  Returns 1 with *ptr and *size set, 0 when the file lacks it.
 * The bytes belong to the reader (valid until pd_reader_close()).
 */
int pd_reader_feature(const struct pd_reader *reader, unsigned id,
                      const uint8_t **ptr, size_t *size);

/*
 * pd_reader_cmdline - the CMDLINE feature: *argcp strings in *argvp
 * (owned by the reader, valid until pd_reader_close()).  Returns 1, 0 when
 * absent, -EBADMSG when malformed.
 */
int pd_reader_cmdline(struct pd_reader *reader, size_t *argcp, const char *const **argvp);

/*
 * pd_reader_clockid - the CLOCKID feature (clock resolution in ns) into
 * *res_ns; and, when the file has CLOCK_DATA, its clockid into *clockid
 * (else -1).  Returns 1, 0 when absent, -EBADMSG when malformed.
 */
int pd_reader_clockid(struct pd_reader *reader, uint64_t *res_ns, int32_t *clockid);

/*
 * pd_reader_build_ids - the BUILD_ID feature as an array owned by the
 * reader.  Returns the number of entries (>= 0), -EBADMSG when malformed.
 */
ssize_t pd_reader_build_ids(struct pd_reader *reader, const struct pd_build_id **idsp);

/*
 * pd_reader_compressed - the COMPRESSED feature into *out.  Returns 1, 0
 * when absent, -EBADMSG when malformed.
 */
int pd_reader_compressed(struct pd_reader *reader, struct pd_compressed *out);

/*
 * pd_reader_event_desc - whether EVENT_DESC parsed (names in
 * pd_attr.name come from it): 1 parsed, 0 absent, -EBADMSG malformed.
 */
int pd_reader_event_desc(const struct pd_reader *reader);

/*
 * pd_reader_set_ordered - deliver events sorted by time.  Call before the
 * first pd_reader_next().  Like perf's ordered_events, the reader queues
 * the events up to each FINISHED_ROUND record (or the end of the data),
 * sorts them by time, stably, and delivers them followed by the
 * FINISHED_ROUND itself; memory is bounded by the largest round.  A file
 * with no FINISHED_ROUND is one round (the whole file is queued).  An event
 * without a time sorts as if it had the time of the event before it in the
 * file (0 for the first), so it stays right after that event.  An error
 * inside a round is returned after the events of the round before it.
 */
void pd_reader_set_ordered(struct pd_reader *reader, bool ordered);

/*
 * pd_reader_next - the next record into *ev.  Returns 1 with a record, 0
 * at the end of the data section, or a negative errno (-ENODATA: truncated).
 * After 0 or an error, later calls return the same again.
 */
int pd_reader_next(struct pd_reader *reader, struct pd_event *ev);

/* pd_record_name - "SAMPLE", "MMAP2", "FINISHED_ROUND", ...; NULL if unknown. */
const char *pd_record_name(uint32_t type);

/* pd_feature_name - "BUILD_ID", "CMDLINE", ...; NULL if unknown. */
const char *pd_feature_name(unsigned id);

#endif /* PERFDATA_H */
