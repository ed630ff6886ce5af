/*
 * perfdata_writer.h: write perf.data files, to memory or to a file.
 *
 * For tests, fuzz seeds and synthetic benchmarks: it writes what it is
 * given (in either byte order, optionally zstd-compressed like
 * `perf record -z`), so a test can build exactly the file it needs.  Events
 * use the decoded structs of perfdata.h, so what pd_reader_next() returns
 * can be written back.  Output is buffered; the header is written last, by
 * pd_writer_finish(), with the feature sections after the data.
 *
 * Layout: header, the attrs' id arrays, the attrs, the data, the features.
 * Attrs must be added before the first event.
 *
 * Errors are negative errno values: -EINVAL for an argument the format
 * cannot represent (an event over 65535 bytes, an attr added late), -ENOMEM,
 * or the errno of a failed write.  Thread safety: none.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PERFDATA_WRITER_H
#define PERFDATA_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "perfdata.h"

/* Flags of pd_writer_open*(). */
#define PD_WRITER_SWAP         0x1u  /* the byte order opposite to the host's */
#define PD_WRITER_COMPRESSED2  0x2u  /* compress into COMPRESSED2 (83), not COMPRESSED (81) */

struct pd_writer;

/*
 * pd_writer_open_mem - a writer into a growable buffer (pd_writer_data()).
 * pd_writer_open - a writer into a new file at path (created or truncated).
 * pd_writer_open_stream - a writer into stream, which must be seekable (the
 *   header is rewritten at the end); the stream stays the caller's.
 * @flags: PD_WRITER_* flags.  @writerp receives the writer, NULL on error.
 * Returns 0, -EINVAL (unknown flags), -ENOMEM or open()'s errno.
 */
int pd_writer_open_mem(unsigned flags, struct pd_writer **writerp);
int pd_writer_open(const char *path, unsigned flags, struct pd_writer **writerp);
int pd_writer_open_stream(FILE *stream, unsigned flags, struct pd_writer **writerp);

/*
 * pd_writer_set_compression - compress every event from now on into one
 * zstd stream cut into COMPRESSED records.  @level: zstd level (0:
 * default).  @chunk: bytes of events per compressed record, 1..32768 (0:
 * 32768); the cut is made after exactly chunk bytes, so an event can be
 * split across two records.  Before the first event.  Adds the COMPRESSED
 * feature.
 */
int pd_writer_set_compression(struct pd_writer *writer, int level, size_t chunk);

/*
 * pd_writer_add_attr - one attr (event).  attr is written as given with its
 * size set to sizeof(struct perf_event_attr) when 0; name goes to
 * EVENT_DESC (NULL: none); ids (nr_ids of them, copied) are the sample ids.
 * Returns the attr's index (>= 0) for the event functions, or -errno.
 */
int pd_writer_add_attr(struct pd_writer *writer, const struct perf_event_attr *attr,
                       const char *name, const uint64_t *ids, size_t nr_ids);

/*
 * pd_writer_sample - a SAMPLE record of attr @attr: every field of *s that
 * the attr's sample_type selects, in kernel order (read values per its
 * read_format, user/intr regs per the popcount of its masks: s->user_regs
 * must hold that many, stack_user and raw bytes as given).
 */
int pd_writer_sample(struct pd_writer *writer, int attr, const struct pd_sample *s);

/*
 * The other records of attr @attr (its sample_id_all decides whether *sid
 * is appended as the trailer; NULL writes zeros).  misc is header.misc:
 * for MMAP2 with PERF_RECORD_MISC_MMAP_BUILD_ID the build id is written
 * instead of maj/min/ino.
 */
int pd_writer_mmap(struct pd_writer *writer, int attr, uint16_t misc,
                   const struct pd_mmap *m, const struct pd_sample_id *sid);
int pd_writer_mmap2(struct pd_writer *writer, int attr, uint16_t misc,
                    const struct pd_mmap *m, const struct pd_sample_id *sid);
int pd_writer_comm(struct pd_writer *writer, int attr, uint16_t misc, uint32_t pid,
                   uint32_t tid, const char *comm, const struct pd_sample_id *sid);
int pd_writer_fork(struct pd_writer *writer, int attr, const struct pd_task *t,
                   const struct pd_sample_id *sid);
int pd_writer_exit(struct pd_writer *writer, int attr, const struct pd_task *t,
                   const struct pd_sample_id *sid);
int pd_writer_lost(struct pd_writer *writer, int attr, const struct pd_lost *l,
                   const struct pd_sample_id *sid);

/*
 * pd_writer_finished_round - a FINISHED_ROUND record.  With compression the
 * events staged so far are compressed first and the barrier itself is
 * written uncompressed, as perf does.
 */
int pd_writer_finished_round(struct pd_writer *writer);

/*
 * pd_writer_raw - a record of any type: header then len bytes of payload
 * as given (already in the writer's byte order), compressed if enabled.
 */
int pd_writer_raw(struct pd_writer *writer, uint32_t type, uint16_t misc,
                  const void *payload, size_t len);

/* Features, written by pd_writer_finish(); each call replaces the last. */
int pd_writer_set_cmdline(struct pd_writer *writer, size_t argc, const char *const *argv);
/* CLOCKID (res_ns) and CLOCK_DATA (clockid, the two reference times). */
int pd_writer_set_clockid(struct pd_writer *writer, uint64_t res_ns, int32_t clockid,
                          uint64_t wall_clock_ns, uint64_t clockid_time_ns);
int pd_writer_set_build_ids(struct pd_writer *writer, const struct pd_build_id *ids, size_t nr);
/*
 * A string feature (copied): HEADER_HOSTNAME, HEADER_OSRELEASE,
 * HEADER_VERSION, HEADER_ARCH (uname -m of the machine the samples are
 * of: perf picks its annotation and objdump by it), HEADER_CPUDESC or
 * HEADER_CPUID; -EINVAL for another id.  NULL removes it.
 */
int pd_writer_set_string(struct pd_writer *writer, unsigned id, const char *s);
/* NRCPUS: CPUs available and online. */
int pd_writer_set_nrcpus(struct pd_writer *writer, uint32_t available, uint32_t online);
/* SAMPLE_TIME: the times of the first and the last sample. */
int pd_writer_set_sample_time(struct pd_writer *writer, uint64_t first, uint64_t last);

/*
 * pd_writer_finish - end the data (flush compression), write the
 * features, rewrite the header and flush.  Later writes fail.  Returns 0
 * or -errno.
 */
int pd_writer_finish(struct pd_writer *writer);

/*
 * pd_writer_data - a memory writer's bytes (NULL and 0 for others); valid
 * until the next call on the writer.
 */
const uint8_t *pd_writer_data(const struct pd_writer *writer, size_t *len);

/*
 * pd_writer_close - pd_writer_finish() unless done, then release the writer
 * (closing a file it opened).  Returns finish's result; accepts NULL.
 */
int pd_writer_close(struct pd_writer *writer);

#endif /* PERFDATA_WRITER_H */
