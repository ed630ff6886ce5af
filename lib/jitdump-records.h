/*
 * jitdump-records.h - the fixed fields of the jitdump records after the
 * prefix, listed once: the record's struct in jitdump.h is made of them
 * (JD_FIELD_MEMBER), the library's reader (jitdump.c) decodes them and its
 * writer (jitdump_writer.c) encodes them.
 *
 * Each list names, in the order of the record in jitdump-format.h, the
 * fields that the record's struct in jitdump.h holds under the same name:
 *
 *   X(V, TYPE, NAME, BITS)   V the struct pointer passed to the list, TYPE
 *                            the format struct (without "struct"), NAME the
 *                            field, BITS 32 or 64
 *
 * The writer appends the fields in this order, so the order is the format's.
 * What follows the fixed part (LOAD's name and code, DEBUG_INFO's entries,
 * UNWINDING_INFO's data) stays with the code that reads or writes it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef JITDUMP_RECORDS_H
#define JITDUMP_RECORDS_H

/* A field of a list as a member of the struct that holds it decoded. */
#define JD_FIELD_MEMBER(V, TYPE, NAME, BITS) uint##BITS##_t NAME;

/* Then the name, NUL-terminated, and code_size bytes of code. */
#define JD_CODE_LOAD_FIELDS(X, V) \
    X(V, jitdump_code_load, pid, 32) \
    X(V, jitdump_code_load, tid, 32) \
    X(V, jitdump_code_load, vma, 64) \
    X(V, jitdump_code_load, code_addr, 64) \
    X(V, jitdump_code_load, code_size, 64) \
    X(V, jitdump_code_load, code_index, 64)

#define JD_CODE_MOVE_FIELDS(X, V) \
    X(V, jitdump_code_move, pid, 32) \
    X(V, jitdump_code_move, tid, 32) \
    X(V, jitdump_code_move, vma, 64) \
    X(V, jitdump_code_move, old_code_addr, 64) \
    X(V, jitdump_code_move, new_code_addr, 64) \
    X(V, jitdump_code_move, code_size, 64) \
    X(V, jitdump_code_move, code_index, 64)

/* Then unwinding_size bytes of data. */
#define JD_CODE_UNWINDING_INFO_FIELDS(X, V) \
    X(V, jitdump_code_unwinding_info, unwinding_size, 64) \
    X(V, jitdump_code_unwinding_info, eh_frame_hdr_size, 64) \
    X(V, jitdump_code_unwinding_info, mapped_size, 64)

#endif /* JITDUMP_RECORDS_H */
