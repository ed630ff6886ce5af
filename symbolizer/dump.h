/*
 * dump.h: the dumpers of tbsym dump (cmd_dump.c), one per file type: a
 * jitdump (dump_jitdump.c), a side file (dump_tbstats.c) and a perf.data
 * (dump_perfdata.c), and what they share (dump.c).
 *
 * A dumper prints the file through struct out, so text and JSON come from
 * the same code:
 *
 *   header   the file header
 *   records  one per record, in file order, with its byte offset and type
 *   summary  the number of records of each type, totals of the type's
 *            contents, and how the file ended: "clean", "truncated"
 *            (--partial) or "error"
 *
 * When the file is bad, the records before the bad spot are printed, the
 * summary says so, stdout stays a complete document, and one line
 * "tbsym: FILE: WHAT at byte offset N (DETAIL)" goes to stderr.
 */
#ifndef TBSYM_DUMP_H
#define TBSYM_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"

struct dump_opts {
    enum out_format format;
    bool partial;
    bool ordered;       /* perf.data: by time within rounds (--ordered) */
};

/*
 * dump_TYPE_probe - does a file starting with head[0..len) (len <= 16)
 * have this type?
 * dump_TYPE - print path, or when buf is not NULL its len bytes already
 * read from path (a pipe cannot be opened a second time); returns a
 * TBSYM_EXIT_* code after any message.
 */
bool dump_jitdump_probe(const unsigned char *head, size_t len);
int dump_jitdump(const char *path, const uint8_t *buf, size_t len, const struct dump_opts *opts);
bool dump_tbstats_probe(const unsigned char *head, size_t len);
int dump_tbstats(const char *path, const uint8_t *buf, size_t len, const struct dump_opts *opts);
bool dump_perfdata_probe(const unsigned char *head, size_t len);
int dump_perfdata(const char *path, const uint8_t *buf, size_t len,
                  const struct dump_opts *opts);

/* --- what the dumpers share ------------------------------------------------------ */

/*
 * dump_open_failed - a reader could not even be opened (err, a negative
 * errno; msg its message or NULL for strerror): "tbsym: MSG" on stderr and
 * the exit code.  Nothing is usable, not even with --partial.
 */
int dump_open_failed(int err, const char *msg);

/*
 * struct dump_reader - one file type's opened reader as dump_run() drives
 * it; every callback gets arg, the dumper's state (its reader and counts).
 *   header   print the file header
 *   record   read the next record and print it: 1, 0 at the end, or the
 *            reader's negative errno
 *   summary  the summary's fields of this type (after "records")
 *   offset   the bytes read and valid so far
 *   strerror the reader's message when it failed
 */
struct dump_reader {
    void (*header)(struct out *o, void *arg);
    int (*record)(struct out *o, void *arg);
    void (*summary)(struct out *o, void *arg);
    uint64_t (*offset)(void *arg);
    const char *(*strerror)(void *arg);
};

/*
 * dump_run - the document (header, records, summary) of the file rd reads
 * on stdout, then the exit code for how the file ended and its message
 * on stderr (see the top of this file).
 */
int dump_run(const struct dump_reader *rd, void *arg, const struct dump_opts *opts);

/*
 * DUMP_DEFINE - define dump_NAME(), the dumper of one file type, whose
 * reader's functions are RDR_open(), RDR_open_mem(), RDR_offset(),
 * RDR_strerror() and RDR_close().  The dumper's state is a struct NAME_dump
 * with members r (the reader) and opts, both set before its callbacks
 * NAME_header(), NAME_record() and NAME_summary() run under dump_run().
 * A reader that cannot be opened gives dump_open_failed().
 */
#define DUMP_DEFINE(NAME, RDR)                                                          \
static uint64_t NAME##_offset(void *arg)                                                \
{                                                                                       \
    return RDR##_offset(((const struct NAME##_dump *)arg)->r);                          \
}                                                                                       \
                                                                                        \
static const char *NAME##_strerror(void *arg)                                           \
{                                                                                       \
    return RDR##_strerror(((const struct NAME##_dump *)arg)->r);                        \
}                                                                                       \
                                                                                        \
int dump_##NAME(const char *path, const uint8_t *buf, size_t len,                       \
                const struct dump_opts *opts)                                           \
{                                                                                       \
    static const struct dump_reader rd = {                                              \
        NAME##_header, NAME##_record, NAME##_summary, NAME##_offset, NAME##_strerror,   \
    };                                                                                  \
    struct NAME##_dump d = { .r = NULL, .opts = opts };                                 \
    int ret = buf ? RDR##_open_mem(buf, len, path, &d.r) : RDR##_open(path, &d.r);      \
                                                                                        \
    if (ret < 0)                                                                        \
        ret = dump_open_failed(ret, d.r ? RDR##_strerror(d.r) : NULL);                  \
    else                                                                                \
        ret = dump_run(&rd, &d, opts);                                                  \
    RDR##_close(d.r);                                                                   \
    return ret;                                                                         \
}

/*
 * dump_record_begin - open a record's object with what every record has:
 * its byte offset, its type's name (name NULL: "UNKNOWN", then the type's
 * number id) and its size.  The caller adds the type's fields and closes it.
 */
void dump_record_begin(struct out *o, uint64_t offset, const char *name, uint32_t id,
                       uint64_t size);

/* dump_elf_machine_name - a name for an ELF e_machine ("x86_64"), "unknown" if unknown. */
const char *dump_elf_machine_name(uint32_t mach);

#endif /* TBSYM_DUMP_H */
