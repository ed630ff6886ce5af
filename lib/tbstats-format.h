/*
 * tbstats-format.h: the on-disk layout of the qemu-jitdump side file,
 * jit-PID.tbstats, written by QEMU's -perf next to jit-PID.dump.
 *
 * It carries what the jitdump format has no place for: the guest's executable
 * mappings (to symbolize guest code with its ELF files and DWARF) and, per
 * translation, the guest PC, flags, cs_base and every guest instruction's
 * address and bytes, keyed to the jitdump LOAD by code_index and timestamp.
 *
 * The one definition of these structs, shared by the QEMU patch series
 * (which adds this file as include/tcg/tbstats-format.h; a test checks that
 * the two are identical), the library's reader and the tests.  Only C99
 * fixed-width types.
 *
 * Layout
 *   struct tbs_file_header, then records until end of file.  Every record
 *   starts with struct tbs_record (type, size); size includes that prefix and
 *   is a multiple of 8, so a reader can skip types it does not know.  All
 *   fields are in the writer's (host's) byte order, which the reader
 *   recognises from the magic.
 *
 *   While QEMU runs the file is named jit-PID.tbstats.part and grows by whole
 *   records; at exit QEMU appends TBS_REC_END and renames it jit-PID.tbstats.
 *   A .part file (the guest was killed) is valid up to its last whole record.
 *
 * TBStatistics (version 1.1)
 *   With -tb-stats (or -perf, which implies the level "jit") QEMU keeps one
 *   statistics entry per key (phys_pc, guest_pc, cs_base, flags), surviving
 *   code-buffer flushes and re-translation, and at exit writes one
 *   TBS_REC_STATS per entry just before TBS_REC_END.  The header's
 *   TBS_FLAG_STATS_* bits say which groups of fields were collected; fields
 *   of a group that was off are zero.  Each TBS_REC_TB carries the stats_id
 *   of its key, which joins a jitdump LOAD (and so a perf sample) to it.
 *
 * Shadow call stacks (version 1.2)
 *   With TBS_FLAG_SHADOW_STACK, translated code keeps for every vCPU thread a
 *   stack of the guest calls in progress: struct tbs_shadow_stack below.  It
 *   lives in the thread's host stack, a little above QEMU's execution loop,
 *   so that the user stack perf copies with every sample (`perf record
 *   --call-graph dwarf`: 8192 bytes up from the sampled stack pointer by
 *   default) holds it, and a profiler recovers the guest call stack of each
 *   sample with no extra I/O.  A TBS_REC_SHADOW_STACK says where each
 *   thread's shadow stack is.
 *
 * TCG IR (version 1.3)
 *   For the translations the user asks for (QEMU's -perf-ir 0xPC,
 *   qemu-perf record --ir 0xPC), a TBS_REC_TB_IR carries the TCG ops as
 *   -d op and -d op_opt print them, before and after optimisation, so that
 *   a profile's hot TB can be read at the IR level without a second run.
 *   It is written before the TBS_REC_TB of the same translation, or at exit
 *   for a key translated again for it (TBS_IR_RETRANSLATED).
 *
 * System emulation (version 1.4)
 *   qemu-system-* sets TBS_FLAG_SYSTEM.  Guest PCs are then virtual
 *   addresses in whatever address space the guest CPU was in, each
 *   TBS_REC_TB says at which privilege level it was translated, and the
 *   MAPPING records describe the symbol files given to QEMU (an ELF file,
 *   or a System.map-style list of "ADDRESS TYPE NAME" lines) rather than
 *   mmap calls.  TBS_REC_END counts the run's TLB flushes, and the
 *   monitor's tb-stats write makes a complete copy of the file while the
 *   guest runs (TBS_END_SNAPSHOT).
 *
 * Versioning
 *   version_major changes when an existing struct changes meaning; readers
 *   reject a major they do not know.  version_minor grows when record types
 *   or trailing fields are added; readers ignore what they do not know.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TBSTATS_FORMAT_H
#define TBSTATS_FORMAT_H

#include <stdint.h>

#define TBS_MAGIC          0x53425451u  /* "QTBS" in little-endian byte order */
#define TBS_MAGIC_SWAPPED  0x51544253u
#define TBS_VERSION_MAJOR  1
#define TBS_VERSION_MINOR  4

/* tbs_file_header.flags */
#define TBS_FLAG_GUEST_BIG_ENDIAN  (1u << 0)
/* the jitdump's debug info refers to lines of jit-PID.s */
#define TBS_FLAG_GUEST_LISTING     (1u << 1)
/* statistics entries exist: TBS_REC_STATS at exit */
#define TBS_FLAG_STATS             (1u << 2)
/* translation counts, insns, ops, spills, bytes */
#define TBS_FLAG_STATS_JIT         (1u << 3)
/* execution counts */
#define TBS_FLAG_STATS_EXEC        (1u << 4)
/* translation times */
#define TBS_FLAG_STATS_TIME        (1u << 5)
/* no jitdump (-tb-stats without -perf), so no TBS_REC_TB */
#define TBS_FLAG_NO_TB_RECORDS     (1u << 6)
/* vCPU threads keep shadow call stacks: TBS_REC_SHADOW_STACK (version 1.2) */
#define TBS_FLAG_SHADOW_STACK      (1u << 7)
/*
 * System emulation (version 1.4): guest addresses are virtual addresses of
 * whatever address space the guest CPU was in; MAPPING records come from
 * symbol files given to QEMU, and each TB record has its privilege level.
 */
#define TBS_FLAG_SYSTEM            (1u << 8)

struct tbs_file_header {
    uint32_t magic;           /* TBS_MAGIC */
    uint16_t version_major;   /* TBS_VERSION_MAJOR */
    uint16_t version_minor;   /* TBS_VERSION_MINOR */
    uint32_t header_size;     /* sizeof(struct tbs_file_header) or more */
    uint32_t pid;             /* the QEMU process: matches jit-PID.dump */
    uint64_t timestamp;       /* CLOCK_MONOTONIC ns at creation (jitdump's) */
    uint16_t guest_machine;   /* ELF e_machine of the guest (EM_X86_64, ...) */
    uint16_t host_machine;    /* ELF e_machine of the host code */
    uint32_t flags;           /* TBS_FLAG_* */
    uint32_t guest_page_size;
    uint32_t guest_addr_bits; /* 32 or 64 */
    char     guest_arch[16];  /* QEMU's target name, NUL-padded: "x86_64" */
    char     qemu_version[32];/* NUL-padded */
};

enum tbs_record_type {
    TBS_REC_MAPPING = 1,   /* struct tbs_mapping */
    TBS_REC_UNMAP   = 2,   /* struct tbs_unmap */
    TBS_REC_TB      = 3,   /* struct tbs_tb */
    TBS_REC_FLUSH   = 4,   /* struct tbs_flush */
    TBS_REC_END     = 5,   /* struct tbs_end: last record of a complete file */
    TBS_REC_STATS   = 6,   /* struct tbs_stats (version 1.1): written at exit */
    TBS_REC_SHADOW_STACK = 7, /* struct tbs_shadow_stack_loc (version 1.2) */
    TBS_REC_TB_IR   = 8,   /* struct tbs_tb_ir (version 1.3) */
};

struct tbs_record {
    uint32_t type;            /* enum tbs_record_type */
    uint32_t size;            /* whole record, prefix included; multiple of 8 */
};

/*
 * TBS_REC_MAPPING: the guest mapped [start, end) executable, from file
 * offset `offset` of an ELF file.  ELF virtual address v of that file is
 * guest address v + bias.  Followed by the file's path, NUL-terminated,
 * padded with NULs to the record size.  A later mapping or unmap that
 * overlaps replaces it from its timestamp on.  In system emulation it is a
 * symbol file given to QEMU: [start, end) is the range its code symbols
 * cover, and for a symbol list (kind TBS_MAPPING_SYMBOL_LIST) the list's
 * addresses play the part of ELF virtual addresses, offset is 0 and no
 * build ID is known.
 */
struct tbs_mapping {
    struct tbs_record r;
    uint64_t timestamp;
    uint64_t start;
    uint64_t end;
    uint64_t offset;
    uint64_t bias;
    uint32_t prot;            /* PROT_* as the guest asked */
    uint8_t  build_id_size;   /* 0 when the ELF file has no NT_GNU_BUILD_ID */
    uint8_t  kind;            /* TBS_MAPPING_*: what the file is (1.4) */
    uint8_t  pad[2];
    uint8_t  build_id[20];
    uint32_t pad2;
    /* char path[]; */
};

/* tbs_mapping.kind */
#define TBS_MAPPING_ELF         0   /* an ELF file */
#define TBS_MAPPING_SYMBOL_LIST 1   /* "ADDRESS TYPE NAME" lines (System.map) */

/* TBS_REC_UNMAP: [start, end) no longer holds a file's executable code. */
struct tbs_unmap {
    struct tbs_record r;
    uint64_t timestamp;
    uint64_t start;
    uint64_t end;
};

/*
 * TBS_REC_TB: one translation, written together with its jitdump LOAD (same
 * code_index and timestamp).  Followed by
 *     uint64_t insn_pc[icount];      guest address of each instruction
 *     uint32_t host_end[icount];     end of each instruction's host code,
 *                                    as an offset from host_addr
 *     uint8_t  guest_code[guest_size];  the guest bytes translated
 * then NUL padding to the record size.  Host code between host_end[icount-1]
 * and host_size is out-of-line code (slow paths) and constants.
 */
struct tbs_tb {
    struct tbs_record r;
    uint64_t timestamp;
    uint64_t code_index;      /* the jitdump LOAD's code_index */
    uint64_t host_addr;       /* the LOAD's code_addr */
    uint64_t guest_pc;
    uint64_t cs_base;
    uint64_t phys_pc;         /* guest "physical" address of the first byte */
                              /* (-1: none) */
    uint32_t flags;           /* TranslationBlock flags (CPU state bits) */
    uint32_t cflags;          /* TranslationBlock cflags */
    uint32_t host_size;       /* the LOAD's code_size */
    uint32_t guest_size;      /* guest code bytes; guest_code[] may be fewer */
    uint32_t guest_code_size; /* bytes of guest_code[] that follow */
    uint16_t icount;
    uint8_t  privilege;       /* TBS_PRIV_*: the guest CPU's when translated */
    uint8_t  pad;
    uint32_t listing_line;    /* this TB's header line in jit-PID.s; 0: none */
    uint32_t stats_id;        /* TBS_REC_STATS of this TB's key; 0: none */
                              /* (always 0 in version 1.0) */
};

/* tbs_tb.privilege (version 1.4; 0 before) */
#define TBS_PRIV_NONE       0   /* user-mode emulation, or not known */
#define TBS_PRIV_USER       1   /* the guest's least privileged level */
#define TBS_PRIV_SUPERVISOR 2   /* any other level: kernel, hypervisor, ... */

/* TBS_REC_FLUSH: QEMU threw all translations away; host code is reused. */
struct tbs_flush {
    struct tbs_record r;
    uint64_t timestamp;
};

/*
 * TBS_REC_STATS: the statistics of one key, accumulated over all its
 * translations (sums; divide by translations for a mean).  Followed by
 *     uint64_t succ_pc[nr_succ];    distinct guest PCs executed right after
 *                                   this key's code (direct jumps and
 *                                   returns to the execution loop; not jumps
 *                                   through helper_lookup_tb_ptr)
 *
 * Execution counts are per-vCPU counters summed at code-buffer flushes and
 * at exit: each translation has its own counter slot in every vCPU,
 * incremented by an inline non-atomic add at the start of the TB, so
 * concurrent vCPUs never share a counter and lose nothing.  A TB counts as
 * executed when it is entered (before the exit-request check): a TB left
 * early by a fault, signal or exit request still counts all of its
 * instructions in insns_executed.  Slots are reused after a flush; QEMU
 * flushes the code buffer when TBS_MAX_COUNTER_SLOTS translations were made
 * since the last one.
 */
#define TBS_MAX_COUNTER_SLOTS  (1u << 24)

struct tbs_stats {
    struct tbs_record r;
    uint32_t stats_id;        /* 1-based, in order of creation */
    uint32_t flags;           /* key: TranslationBlock flags */
    uint64_t guest_pc;        /* key */
    uint64_t cs_base;         /* key */
    uint64_t phys_pc;         /* key; -1: not in guest RAM */
    /* TBS_FLAG_STATS_EXEC */
    uint64_t exec_count;      /* executions, all paths */
    uint64_t exec_atomic;     /* of which through the atomic single-step path */
    uint64_t insns_executed;  /* sum over translations: exec x guest insns */
    /* TBS_FLAG_STATS_JIT */
    uint32_t translations;    /* all, including the ones below */
    uint32_t translations_spanning; /* guest code on two guest pages */
    uint32_t translations_uncached; /* never linked into QEMU's TB hash table */
    uint32_t restores;        /* CPU state restored from a host PC in it */
    uint64_t guest_insns;     /* sums over translations */
    uint64_t guest_bytes;
    uint64_t host_bytes;      /* host code, epilogue and constants included */
    uint64_t ops;             /* TCG ops before optimisation */
    uint64_t ops_opt;         /* TCG ops after optimisation */
    uint64_t spills;          /* registers spilled by the register allocator */
    /* TBS_FLAG_STATS_TIME: nanoseconds, sums over translations */
    uint64_t time_gen_ns;     /* guest code to TCG ops */
    uint64_t time_opt_ns;     /* TCG optimiser */
    uint64_t time_la_ns;      /* liveness analysis */
    uint64_t time_code_ns;    /* register allocation and host code generation */
    uint64_t time_restore_ns; /* CPU state restores */
    uint32_t nr_succ;         /* entries of succ_pc[] */
    uint32_t succ_dropped;    /* distinct successors beyond TBS_MAX_SUCC */
};

#define TBS_MAX_SUCC  8

/*
 * TBS_REC_SHADOW_STACK: from timestamp on, host thread tid (perf's tid) keeps
 * its shadow call stack at host address addr (a struct tbs_shadow_stack with
 * room for `capacity` frames after the sentinel).  Written when a vCPU
 * thread starts, and again in a forked child for the thread that forked.
 */
struct tbs_shadow_stack_loc {
    struct tbs_record r;
    uint64_t timestamp;
    uint64_t addr;
    uint32_t tid;
    uint32_t capacity;
};

/*
 * The shadow call stack of one vCPU thread, in that thread's host stack
 * (not in the file).  Host byte order, naturally aligned.
 *
 *   frames[0] is a sentinel {0, TBS_SHADOW_KEY_TOP} that no rule pops;
 *   frames[1 .. depth] are the calls in progress, outermost first, where
 *   depth = (top - addr - sizeof(struct tbs_shadow_stack))
 *           / sizeof(struct tbs_shadow_frame) - 1.
 *
 * Each frame holds the call's guest return address and a key: the guest
 * stack pointer the caller has once that call has returned (x86_64: RSP
 * before the call, aarch64: SP at the bl/blr).  The stack grows down, so a
 * frame whose key is <= the current guest stack pointer is over, whether
 * it returned or was left by longjmp, exception unwinding or a tail call.
 * Translated code applies two rules:
 *   call with key K:  pop while top key <= K, then push {return address, K}
 *                     (when full, count it in `lost` instead);
 *   return, leaving stack pointer S:
 *                     pop while top key <= S (while `lost` is not 0, a
 *                     return decrements it instead, unless S passes the
 *                     top frame's key: then lost is 0 and the rule applies).
 * Popping a frame sets lost to 0: the calls lost were inside it.  The
 * return rule also runs where a longjmp ends, so that the frames it left
 * do not outlive it: at every x86_64 indirect jmp (S = RSP; a live frame's
 * key is always above RSP there) and at aarch64's br x30 (glibc's
 * __longjmp ends with it).
 * A reader may therefore see frames that are over but not yet popped (for
 * the few instructions between a longjmp and the next call or return):
 * keys decrease from frames[1] to frames[depth], so a frame whose key is
 * not above the key of every frame inside it (nearer the top) is stale and
 * skipped.
 *
 * Signals: when QEMU delivers a guest signal it pushes a signal frame,
 * {the interrupted guest PC, key | TBS_SHADOW_KEY_SIGNAL} where key is the
 * guest stack pointer at the interruption, or TBS_SHADOW_KEY_TOP when the
 * handler runs on an alternate signal stack; rt_sigreturn pops down to and
 * including the innermost signal frame.  Delivery pops only frames whose
 * key is below the interrupted stack pointer, and a reader compares the
 * frame outside a signal frame with that stack pointer strictly too: the
 * interrupted function may be a leaf that never moved it (aarch64), whose
 * call's key equals it.  Guest stack pointers are even, so bit 0 of a key
 * is free for this.  A TBS_SHADOW_KEY_TOP signal frame that siglongjmp
 * leaves (instead of rt_sigreturn) stays until the thread exits.
 *
 * guest_pc is the guest PC QEMU last left translated code for: the first
 * instruction of the block it translates, the system call it emulates.  It
 * is not cleared when translated code runs again; a reader uses it only
 * for samples outside translated code and helpers.
 */
/* "QJDSHSTK" in little-endian byte order */
#define TBS_SHADOW_MAGIC       0x4b54534853444a51ull
#define TBS_SHADOW_KEY_TOP     UINT64_MAX
#define TBS_SHADOW_KEY_SIGNAL  1u

struct tbs_shadow_frame {
    uint64_t ret;             /* guest return address (signal frame: */
                              /* the interrupted guest PC) */
    uint64_t key;             /* guest SP once the call has returned */
};

struct tbs_shadow_stack {
    uint64_t magic;           /* TBS_SHADOW_MAGIC */
    uint64_t top;             /* host address of frames[depth + 1] */
    uint64_t limit;           /* host address of frames[capacity + 1] */
    uint64_t lost;            /* calls in progress beyond capacity */
    uint64_t guest_pc;        /* see above */
    uint64_t reserved;        /* 0 */
    /* struct tbs_shadow_frame frames[capacity + 1]; */
};

/*
 * TBS_REC_TB_IR: the TCG ops of one translation the user asked for
 * (-perf-ir), as -d op and -d op_opt print them.  Followed by
 *     char ops[ops_len];            before optimisation
 *     char ops_opt[ops_opt_len];    after optimisation and liveness
 * (no NULs inside, not NUL-terminated), then NUL padding to the record size.
 * code_index is the TBS_REC_TB of the same translation, written after this
 * record; TBS_IR_RETRANSLATED when the key was translated again at exit for
 * this record only (hottest keys, or no TBS_REC_TB written because of
 * TBS_FLAG_NO_TB_RECORDS): its ops are what that translation produced then.
 */
#define TBS_IR_RETRANSLATED  UINT64_MAX

struct tbs_tb_ir {
    struct tbs_record r;
    uint64_t timestamp;
    uint64_t code_index;
    uint64_t guest_pc;        /* key */
    uint64_t cs_base;         /* key */
    uint32_t flags;           /* key: TranslationBlock flags */
    uint32_t stats_id;        /* TBS_REC_STATS of the key; 0: none */
    uint32_t ops_len;
    uint32_t ops_opt_len;
};

/*
 * TBS_REC_END: QEMU exited (normal exit, exit_group or fatal signal), or,
 * with TBS_END_SNAPSHOT, the file is a copy of the running QEMU's side file
 * that the monitor asked for (tb-stats write): its TBS_REC_STATS hold the
 * statistics so far and exit_code is 0.
 *
 * The TLB flush counts (version 1.4) are those of QEMU's "info jit", summed
 * over the vCPUs: full flushes, flushes of some pages or address spaces,
 * and flushes skipped because the TLB was already empty.  They are 0 in
 * user mode.  Readers take a 40-byte record (version 1.3) as having none.
 */
#define TBS_END_SNAPSHOT     (1u << 0)

struct tbs_end {
    struct tbs_record r;
    uint64_t timestamp;
    int32_t  exit_code;       /* 128+N for fatal signal N */
    uint32_t end_flags;       /* TBS_END_* */
    uint64_t nr_tbs;          /* TBS_REC_TB records written */
    uint64_t nr_flushes;
    uint64_t tlb_flush_full;
    uint64_t tlb_flush_part;
    uint64_t tlb_flush_elided;
};

#endif /* TBSTATS_FORMAT_H */
