/*
 * jitdump_writer.h: write jitdump files, to memory or to a stream.
 *
 * For tests, fuzz seeds and synthetic benchmarks: it writes exactly what it
 * is given (in either byte order), including records a reader must reject,
 * so it checks its arguments only as far as the output can represent them.
 * The records use the decoded structs of jitdump.h, so a record read by
 * jd_reader_next() can be written back unchanged.
 *
 * Errors are negative errno values: -EINVAL for an argument the format cannot
 * represent, -ENOMEM, or the errno of a failed write.
 * Thread safety: a writer is not synchronised.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef JITDUMP_WRITER_H
#define JITDUMP_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jitdump.h"

/* Flags of jd_writer_open_mem() and jd_writer_open_file(). */
#define JD_WRITER_SWAP 0x1u   /* write in the byte order opposite to the host's */

struct jd_writer;

/*
 * jd_writer_open_mem - a writer that appends to a growable buffer in memory
 * (see jd_writer_data()).
 * @flags: JD_WRITER_* flags.
 * @writerp: receives the writer, NULL on error.
 * Returns 0 or -ENOMEM / -EINVAL (unknown flags).
 */
int jd_writer_open_mem(unsigned flags, struct jd_writer **writerp);

/*
 * jd_writer_open_file - a writer that appends every record to stream as it
 * is written.  The stream stays the caller's: jd_writer_close() neither
 * flushes nor closes it.
 */
int jd_writer_open_file(FILE *stream, unsigned flags, struct jd_writer **writerp);

/* jd_writer_close - release a writer and its buffer.  Accepts NULL. */
void jd_writer_close(struct jd_writer *writer);

/*
 * jd_writer_data - the bytes written so far by a memory writer (NULL and 0
 * for a stream writer).  Owned by the writer; valid until the next write or
 * jd_writer_close().
 */
const uint8_t *jd_writer_data(const struct jd_writer *writer, size_t *len);

/*
 * jd_writer_write_header - the file header.  Uses version (0 means
 * JITDUMP_VERSION), total_size (0 means sizeof(struct jitdump_header); more
 * is padded with zero bytes), elf_mach, pid, timestamp and flags; ignores
 * big_endian and swapped (the byte order is the writer's).
 */
int jd_writer_write_header(struct jd_writer *writer, const struct jd_header *header);

/*
 * jd_writer_write_load - a CODE_LOAD record: the fixed fields, name
 * (name_len bytes, which must not contain NUL, then a NUL) and code_size
 * bytes from code (zero bytes if code is NULL).
 */
int jd_writer_write_load(struct jd_writer *writer, uint64_t timestamp,
                         const struct jd_code_load *load);

/* jd_writer_write_move - a CODE_MOVE record. */
int jd_writer_write_move(struct jd_writer *writer, uint64_t timestamp,
                         const struct jd_code_move *move);

/*
 * jd_writer_write_debug_info - a CODE_DEBUG_INFO record for code_addr with
 * nr entries.  An entry with name_repeated set is written with the "\xff"
 * name ("same file as the previous entry") and its name is ignored.
 */
int jd_writer_write_debug_info(struct jd_writer *writer, uint64_t timestamp,
                               uint64_t code_addr,
                               const struct jd_debug_entry *entries, size_t nr);

/*
 * jd_writer_write_unwinding_info - a CODE_UNWINDING_INFO record with
 * unwinding_size bytes from data (zero bytes if data is NULL); the sizes are
 * written as given, so they may be inconsistent on purpose.
 */
int jd_writer_write_unwinding_info(struct jd_writer *writer, uint64_t timestamp,
                                   const struct jd_unwinding_info *info);

/* jd_writer_write_close - a CODE_CLOSE record. */
int jd_writer_write_close(struct jd_writer *writer, uint64_t timestamp);

/*
 * jd_writer_write_raw - a record with any id and payload: the prefix
 * (total_size = 16 + len) then len bytes from payload as they are.
 */
int jd_writer_write_raw(struct jd_writer *writer, uint32_t id, uint64_t timestamp,
                        const void *payload, size_t len);

#endif /* JITDUMP_WRITER_H */
