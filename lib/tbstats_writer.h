/*
 * tbstats_writer.h: write tbstats side files (tbstats-format.h) into memory.
 *
 * For tests, fuzz seeds and synthetic data: it writes exactly what it is
 * given (in either byte order), including records a reader must reject, so
 * it checks its arguments only as far as the output can represent them.  The
 * records use the decoded views of tbstats.h, so a record read by
 * tbs_reader_next() can be written back (TB arrays are passed separately, in
 * host byte order).  Every record is padded with zero bytes to a multiple of
 * 8, except by tbs_writer_write_raw().
 *
 * Errors are negative errno values: -EINVAL for an argument the format cannot
 * represent, -ENOMEM.  A failed call writes nothing.
 * Thread safety: a writer is not synchronised.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TBSTATS_WRITER_H
#define TBSTATS_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "tbstats.h"

/* Flags of tbs_writer_open_mem(). */
#define TBS_WRITER_SWAP 0x1u   /* write in the byte order opposite to the host's */

struct tbs_writer;

/*
 * tbs_writer_open_mem - a writer that appends to a growable buffer in memory
 * (see tbs_writer_data()).
 * @flags: TBS_WRITER_* flags.
 * @writerp: receives the writer, NULL on error.
 * Returns 0 or -ENOMEM / -EINVAL (unknown flags).
 */
int tbs_writer_open_mem(unsigned flags, struct tbs_writer **writerp);

/* tbs_writer_close - release a writer and its buffer.  Accepts NULL. */
void tbs_writer_close(struct tbs_writer *writer);

/*
 * tbs_writer_data - the bytes written so far.  Owned by the writer; valid
 * until the next write or tbs_writer_close().  *len receives their number.
 */
const uint8_t *tbs_writer_data(const struct tbs_writer *writer, size_t *len);

/*
 * tbs_writer_write_header - the file header.  version_major 0 means
 * TBS_VERSION_MAJOR (version_minor is written as given); header_size 0
 * means sizeof(struct tbs_file_header), more is padded with zero bytes, less
 * is -EINVAL.  The strings are cut to their field sizes.  big_endian and
 * swapped are ignored (the byte order is the writer's).
 */
int tbs_writer_write_header(struct tbs_writer *writer, const struct tbs_header *header);

/*
 * tbs_writer_write_mapping - a MAPPING record: the fixed fields, the first
 * build_id_size bytes of build_id (at most 20, else -EINVAL; build_id may be
 * NULL when build_id_size is 0) and path (path_len bytes without NUL, else
 * -EINVAL, then a NUL).
 */
int tbs_writer_write_mapping(struct tbs_writer *writer, const struct tbs_mapping_view *mapping);

/* tbs_writer_write_unmap - an UNMAP record. */
int tbs_writer_write_unmap(struct tbs_writer *writer, const struct tbs_unmap_view *unmap);

/*
 * tbs_writer_write_tb - a TB record: the fixed fields of tb (all of them as
 * given, guest_code_size and stats_id included; a 1.0 file has stats_id 0),
 * insn_pc[tb->icount] and host_end[tb->icount] in host byte order, then
 * guest_code_size bytes from tb->guest_code (zero bytes if it is NULL).
 * tb->insn_pc, tb->host_end and tb->swapped are ignored.
 */
int tbs_writer_write_tb(struct tbs_writer *writer, const struct tbs_tb_view *tb,
                        const uint64_t *insn_pc, const uint32_t *host_end);

/* tbs_writer_write_flush - a FLUSH record. */
int tbs_writer_write_flush(struct tbs_writer *writer, uint64_t timestamp);

/*
 * tbs_writer_write_stats - a STATS record (version 1.1): the fixed fields of
 * stats (all of them as given), then succ_pc[stats->nr_succ] in host byte
 * order (succ_pc may be NULL when nr_succ is 0, else -EINVAL; an nr_succ
 * whose record would exceed 4 GiB is -EINVAL).  stats->succ_pc and
 * stats->swapped are ignored.  QEMU writes at most TBS_MAX_SUCC successors;
 * the writer does not enforce it.
 */
int tbs_writer_write_stats(struct tbs_writer *writer, const struct tbs_stats_view *stats,
                           const uint64_t *succ_pc);

/* tbs_writer_write_shadow_stack - a SHADOW_STACK record (version 1.2). */
int tbs_writer_write_shadow_stack(struct tbs_writer *writer,
                                  const struct tbs_shadow_stack_loc_view *loc);

/*
 * tbs_writer_write_tb_ir - a TB_IR record (version 1.3): the fixed fields
 * of ir (ops_len and ops_opt_len as given), then ir->ops_len bytes from
 * ir->ops and ir->ops_opt_len from ir->ops_opt (as they are, NULs
 * included), then zero padding.  -EINVAL when a text pointer is NULL with
 * a length, or the record would exceed 4 GiB.
 */
int tbs_writer_write_tb_ir(struct tbs_writer *writer, const struct tbs_tb_ir_view *ir);

/*
 * tbs_writer_write_end - an END record of TBS_END_SIZE bytes, with
 * end_flags and the TLB flush counts as given; with end->no_tlb, the
 * TBS_END_SIZE_NO_TLB bytes older writers wrote (no end_flags, no counts).
 */
int tbs_writer_write_end(struct tbs_writer *writer, const struct tbs_end_view *end);

/*
 * tbs_writer_write_raw - a record of any type: the prefix with
 * size = 8 + len (not rounded up: a len that is not a multiple of 8 makes a
 * record a reader must reject), then len bytes from payload as they are.
 */
int tbs_writer_write_raw(struct tbs_writer *writer, uint32_t type,
                         const void *payload, size_t len);

#endif /* TBSTATS_WRITER_H */
