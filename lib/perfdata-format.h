/*
 * perfdata-format.h: the perf.data file layout, what <linux/perf_event.h>
 * does not define (that header gives struct perf_event_attr, struct
 * perf_event_header, PERF_SAMPLE_*, PERF_RECORD_* kernel record types).
 * Taken from linux tools/perf/util/header.h and lib/perf/include/perf/event.h.
 *
 * Layout of a perf.data file ("PERFILE2"):
 *   struct perf_file_header at 0
 *   attrs section: nr entries of header.attr_size bytes, each a
 *       struct perf_event_attr (attr_size - 16 bytes) followed by a
 *       struct perf_file_section pointing to that attr's u64 ids
 *   data section: records, each starting with struct perf_event_header
 *   feature sections: at data.offset + data.size, one struct
 *       perf_file_section per bit set in adds_features, in bit order,
 *       each pointing to that feature's contents
 * Every field is in the writer's byte order; the magic tells which.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PERFDATA_FORMAT_H
#define PERFDATA_FORMAT_H

#include <stdint.h>
#include <linux/perf_event.h>

/* "PERFILE2" read as a little-endian u64. */
#define PERF_FILE_MAGIC2          0x32454c4946524550ULL
#define PERF_FILE_MAGIC2_SWAPPED  0x50455246494c4532ULL

#define PERF_HEADER_FEAT_BITS 256

struct perf_file_section {
    uint64_t offset;
    uint64_t size;
};

struct perf_file_header {
    uint64_t magic;
    uint64_t size;              /* sizeof(struct perf_file_header) */
    uint64_t attr_size;         /* one entry of the attrs section */
    struct perf_file_section attrs;
    struct perf_file_section data;
    struct perf_file_section event_types;   /* unused since perf 3.x */
    uint64_t adds_features[PERF_HEADER_FEAT_BITS / 64];
};

/* Record types perf itself writes into the data section (above the kernel's). */
enum perf_user_event_type {
    PERF_RECORD_USER_TYPE_START   = 64,
    PERF_RECORD_HEADER_ATTR       = 64,
    PERF_RECORD_HEADER_EVENT_TYPE = 65,
    PERF_RECORD_HEADER_TRACING_DATA = 66,
    PERF_RECORD_HEADER_BUILD_ID   = 67,
    PERF_RECORD_FINISHED_ROUND    = 68,
    PERF_RECORD_ID_INDEX          = 69,
    PERF_RECORD_AUXTRACE_INFO     = 70,
    PERF_RECORD_AUXTRACE          = 71,  /* followed by u64 size bytes not in header.size */
    PERF_RECORD_AUXTRACE_ERROR    = 72,
    PERF_RECORD_THREAD_MAP        = 73,
    PERF_RECORD_CPU_MAP           = 74,
    PERF_RECORD_STAT_CONFIG       = 75,
    PERF_RECORD_STAT              = 76,
    PERF_RECORD_STAT_ROUND        = 77,
    PERF_RECORD_EVENT_UPDATE      = 78,
    PERF_RECORD_TIME_CONV         = 79,
    PERF_RECORD_HEADER_FEATURE    = 80,
    PERF_RECORD_COMPRESSED        = 81,  /* header, then zstd bytes to header.size */
    PERF_RECORD_FINISHED_INIT     = 82,
    PERF_RECORD_COMPRESSED2       = 83,  /* header, u64 data_size, zstd bytes, padding */
    PERF_RECORD_HEADER_MAX
};

/* Feature ids: bit numbers of perf_file_header.adds_features. */
enum perf_header_feature {
    HEADER_RESERVED     = 0,
    HEADER_TRACING_DATA = 1,
    HEADER_BUILD_ID     = 2,
    HEADER_HOSTNAME     = 3,
    HEADER_OSRELEASE    = 4,
    HEADER_VERSION      = 5,
    HEADER_ARCH         = 6,
    HEADER_NRCPUS       = 7,
    HEADER_CPUDESC      = 8,
    HEADER_CPUID        = 9,
    HEADER_TOTAL_MEM    = 10,
    HEADER_CMDLINE      = 11,
    HEADER_EVENT_DESC   = 12,
    HEADER_CPU_TOPOLOGY = 13,
    HEADER_NUMA_TOPOLOGY = 14,
    HEADER_BRANCH_STACK = 15,
    HEADER_PMU_MAPPINGS = 16,
    HEADER_GROUP_DESC   = 17,
    HEADER_AUXTRACE     = 18,
    HEADER_STAT         = 19,
    HEADER_CACHE        = 20,
    HEADER_SAMPLE_TIME  = 21,
    HEADER_MEM_TOPOLOGY = 22,
    HEADER_CLOCKID      = 23,
    HEADER_DIR_FORMAT   = 24,
    HEADER_BPF_PROG_INFO = 25,
    HEADER_BPF_BTF      = 26,
    HEADER_COMPRESSED   = 27,
    HEADER_CPU_PMU_CAPS = 28,
    HEADER_CLOCK_DATA   = 29,
    HEADER_HYBRID_TOPOLOGY = 30,
    HEADER_PMU_CAPS     = 31,
    HEADER_LAST_FEATURE,
};

/*
 * Strings in features: u32 len (a multiple of PERF_NAME_ALIGN, NUL
 * included) then len bytes.  CMDLINE: u32 nr, nr strings.  EVENT_DESC:
 * u32 nr, u32 attr_size, then per event: attr, u32 nr_ids, string name,
 * u64 ids[nr_ids].  CLOCKID: u64 resolution in ns.  CLOCK_DATA: u32
 * version, u32 clockid, u64 wall_clock_ns, u64 clockid_time_ns.
 * COMPRESSED: struct perf_feat_compressed.  BUILD_ID: a sequence of
 * struct perf_record_build_id, each header.size long (filename padded).
 */
#define PERF_NAME_ALIGN 64

struct perf_feat_compressed {
    uint32_t version;
    uint32_t type;              /* PERF_COMP_ZSTD */
    uint32_t level;
    uint32_t ratio;
    uint32_t mmap_len;
};
#define PERF_COMP_NONE 0
#define PERF_COMP_ZSTD 1

/* header.misc of a BUILD_ID entry: build_id[20] holds the size when set. */
#define PERF_RECORD_MISC_BUILD_ID_SIZE (1 << 15)

struct perf_record_build_id {
    struct perf_event_header header;
    int32_t pid;
    uint8_t build_id[20];
    uint8_t size;
    uint8_t reserved1;
    uint16_t reserved2;
    /* char filename[], NUL-terminated, padded to PERF_NAME_ALIGN */
};

#endif /* PERFDATA_FORMAT_H */
