/*
 * jitdump-format.h: the on-disk layout of perf's jitdump format.
 *
 * The one definition of these structs, shared by the QEMU patch series
 * (which adds this file as include/tcg/jitdump-format.h; a test checks that
 * the two are identical), the library's reader (lib/jitdump.c) and the
 * tests.  It follows perf's tools/perf/Documentation/jitdump-specification.txt;
 * all fields are in the writer's byte order, which the reader recognises
 * from the magic.
 *
 * Only C99 fixed-width types: no QEMU or library headers are needed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef JITDUMP_FORMAT_H
#define JITDUMP_FORMAT_H

#include <stdint.h>

#define JITDUMP_MAGIC        0x4A695444u   /* "JiTD" in the writer's order */
#define JITDUMP_MAGIC_SWAPPED 0x4454694Au
#define JITDUMP_VERSION      1u            /* perf accepts 1 and 2 */
#define JITDUMP_FLAGS_ARCH_TIMESTAMP (1ull << 0)

/* File header, at offset 0. */
struct jitdump_header {
    uint32_t magic;       /* JITDUMP_MAGIC */
    uint32_t version;     /* JITDUMP_VERSION */
    uint32_t total_size;  /* of this header: >= sizeof(jitdump_header) */
    uint32_t elf_mach;    /* ELF e_machine of the host code (EM_X86_64, ...) */
    uint32_t pad1;
    uint32_t pid;
    uint64_t timestamp;   /* CLOCK_MONOTONIC ns at creation */
    uint64_t flags;       /* JITDUMP_FLAGS_* */
};

enum jitdump_record_id {
    JITDUMP_CODE_LOAD = 0,
    JITDUMP_CODE_MOVE = 1,
    JITDUMP_CODE_DEBUG_INFO = 2,
    JITDUMP_CODE_CLOSE = 3,
    JITDUMP_CODE_UNWINDING_INFO = 4,
    JITDUMP_CODE_MAX,
};

/* Every record starts with this prefix; total_size includes it. */
struct jitdump_prefix {
    uint32_t id;          /* enum jitdump_record_id */
    uint32_t total_size;
    uint64_t timestamp;   /* CLOCK_MONOTONIC ns */
};

/* JITDUMP_CODE_LOAD: followed by a NUL-terminated name, then the code. */
struct jitdump_code_load {
    struct jitdump_prefix p;
    uint32_t pid;
    uint32_t tid;
    uint64_t vma;         /* virtual address of the code */
    uint64_t code_addr;   /* address of the code: == vma here */
    uint64_t code_size;
    uint64_t code_index;  /* unique per LOAD: perf's jitted-PID-INDEX.so */
};

/* JITDUMP_CODE_MOVE */
struct jitdump_code_move {
    struct jitdump_prefix p;
    uint32_t pid;
    uint32_t tid;
    uint64_t vma;
    uint64_t old_code_addr;
    uint64_t new_code_addr;
    uint64_t code_size;
    uint64_t code_index;
};

/*
 * One entry of JITDUMP_CODE_DEBUG_INFO: host code from addr on comes from
 * source line `lineno` of file `name` (NUL-terminated, follows the struct).
 * A name consisting of the single byte 0xff followed by NUL is meant as
 * "same file as the previous entry" by some writers, but perf inject -j
 * (checked with perf 6.1) takes it as a file called "\xff": QEMU always
 * writes the name.  Readers here accept it and say so (name_repeated).
 */
struct jitdump_debug_entry {
    uint64_t addr;
    int32_t  lineno;
    int32_t  discrim;
    /* char name[]; */
};

/* JITDUMP_CODE_DEBUG_INFO: precedes the LOAD of code_addr it describes. */
struct jitdump_code_debug_info {
    struct jitdump_prefix p;
    uint64_t code_addr;
    uint64_t nr_entry;
    /* struct jitdump_debug_entry entries[nr_entry]; */
};

/*
 * JITDUMP_CODE_UNWINDING_INFO: precedes the LOAD it describes; followed by
 * unwinding_size bytes: .eh_frame then .eh_frame_hdr (eh_frame_hdr_size
 * bytes, the last ones), then padding up to total_size.
 */
struct jitdump_code_unwinding_info {
    struct jitdump_prefix p;
    uint64_t unwinding_size;
    uint64_t eh_frame_hdr_size;
    uint64_t mapped_size;
};

/* JITDUMP_CODE_CLOSE: the prefix alone, the last record of a complete file. */

#endif /* JITDUMP_FORMAT_H */
