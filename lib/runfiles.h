/*
 * runfiles.h - the names of a run's files, one rule for every reader.
 *
 * A QEMU run under -perf leaves in its directory (-perf-dir):
 *   jit-PID.dump          the jitdump (perf's name: perf inject -j looks for
 *                         the mmap of a file called so)
 *   jit-PID.tbstats       the side file (jit-PID.tbstats.part while QEMU
 *                         writes it; it keeps that name when QEMU dies)
 * tbsym listing writes   jit-PID.s, the guest listing perf annotate reads
 * and perf inject -j     jitted-PID-N.so, one ELF file per code load.
 *
 * PID is written as QEMU prints it: decimal, 1 to UINT32_MAX, without a
 * leading zero.  A name with one ("jit-0042.tbstats") is none of these
 * files, for every command alike: the jitdump that goes with a side file
 * is found by its name, and the two would not agree.
 *
 * Thread safety: all functions are pure but run_side_files(), which reads
 * a directory.
 */
#ifndef RUNFILES_H
#define RUNFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum run_file {
    RUN_FILE_NONE = 0,         /* none of the names below */
    RUN_FILE_JITDUMP,          /* jit-PID.dump */
    RUN_FILE_SIDE,             /* jit-PID.tbstats */
    RUN_FILE_SIDE_PART,        /* jit-PID.tbstats.part */
    RUN_FILE_LISTING,          /* jit-PID.s */
};

/*
 * run_file_kind - which of a run's files base (a name without directory)
 * is, with its PID in *pid (when not RUN_FILE_NONE).
 */
enum run_file run_file_kind(const char *base, uint32_t *pid);

/* run_file_jitted - whether base is perf inject's "jitted-PID-N.so". */
bool run_file_jitted(const char *base, uint32_t *pid, uint64_t *index);

/*
 * run_file_name - "DIR/jit-PID.EXT" of kind (not RUN_FILE_NONE) into buf;
 * dir NULL or "": no directory; dir may end in '/'.  Returns what
 * snprintf() returns.
 */
int run_file_name(char *buf, size_t size, const char *dir, enum run_file kind, uint32_t pid);

/* run_file_path - run_file_name() in memory to free(); NULL when out of it. */
char *run_file_path(const char *dir, enum run_file kind, uint32_t pid);

/* run_file_ext - ".dump", ".tbstats", ".tbstats.part" or ".s"; "" for RUN_FILE_NONE. */
const char *run_file_ext(enum run_file kind);

/* One side file of a directory (run_side_files()). */
struct run_side {
    char *name;                /* jit-PID.tbstats or jit-PID.tbstats.part, no directory */
    uint32_t pid;
    bool part;                 /* the .part: QEMU had not completed it */
    struct timespec mtime;
};

/*
 * run_side_files - the side files in dir: regular files named
 * jit-PID.tbstats or jit-PID.tbstats.part, sorted by name, and of a PID
 * with both only the finished file (QEMU renames the .part when it has
 * completed it; a .part left beside it is a leftover).  *sidesp is an
 * array to release with run_sides_free(), NULL when there is none.
 * Returns their number, or -errno (the directory cannot be read, or out
 * of memory).
 */
int run_side_files(const char *dir, struct run_side **sidesp);

/* run_sides_free - release what run_side_files() gave. */
void run_sides_free(struct run_side *sides, int nr);

#endif /* RUNFILES_H */
