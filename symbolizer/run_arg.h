/*
 * run_arg.h: the RUN argument every tbsym command that reads a run takes
 * as its positional argument.
 *
 * RUN is one of, recognised by what it is, not by its name:
 *   a directory   a run directory, as qemu-perf record -o DIR leaves it:
 *                 perf.data, jit-PID.dump, jit-PID.tbstats (tbdb_find_files()
 *                 picks the run: the only or newest one);
 *   a perf.data   a file starting "PERFILE2" (either byte order): the
 *                 recording, the side file and jitdump looked for next to it
 *                 (and where QEMU wrote them, lib/profile.h);
 *   a side file   a file starting with TBS_MAGIC (either byte order):
 *                 jit-PID.tbstats or .part under any name, its jitdump
 *                 jit-PID.dump next to it (PID from its header) and, for the
 *                 commands that read samples, perf.data next to it.
 * Anything else is refused with one line "tbsym: RUN: WHAT" on stderr:
 * exit TBSYM_EXIT_INPUT for a missing path, a jitdump (not a run: its side
 * file or directory is) or a file of another type, TBSYM_EXIT_IO for one
 * that cannot be read.
 *
 * Commands taking another positional argument (tb ID, cfg ID, coverset
 * PCT, annotate TARGET, callgraph FUNC) take RUN first: with two
 * positional arguments the first is RUN, with one it is the other
 * argument and the run comes from the options (default: . or ./perf.data).
 * The order never depends on which paths exist.
 */
#ifndef TBSYM_RUN_ARG_H
#define TBSYM_RUN_ARG_H

#include <stdint.h>

#include "profile.h"

enum run_arg_kind {
    RUN_ARG_DIR,
    RUN_ARG_PERF_DATA,
    RUN_ARG_SIDE_FILE,
};

#define RUN_ARG_PATH_MAX 4096

/* A classified RUN; the strings live in the struct (no allocation). */
struct run_arg {
    enum run_arg_kind kind;
    const char *path;                  /* as given */
    uint32_t pid;                      /* RUN_ARG_SIDE_FILE: its header's pid */
    char dir[RUN_ARG_PATH_MAX];        /* path itself, or the file's directory */
    char perf_data[RUN_ARG_PATH_MAX];  /* RUN_ARG_DIR, RUN_ARG_SIDE_FILE: DIR/perf.data */
    char jitdump[RUN_ARG_PATH_MAX];    /* RUN_ARG_SIDE_FILE: DIR/jit-PID.dump, "" if absent */
};

/*
 * run_arg_classify - what path is (see the top of this file).  Returns 0,
 * or a TBSYM_EXIT_* code after printing the one-line message.
 */
int run_arg_classify(struct run_arg *ra, const char *path);

/*
 * run_arg_profile - a classified RUN as the inputs of a command that reads
 * samples: po->perf_data (and po->tbstats, po->jitdump for a side file,
 * unless given as options).  cmd names the command in messages.  Refuses
 * RUN together with -i (usage error), and a directory or side file
 * without perf.data (TBSYM_EXIT_INPUT).  0 or an exit code after a message.
 * po keeps pointers into ra.
 */
int run_arg_profile(struct run_arg *ra, const char *cmd, struct profile_opts *po);

/*
 * run_arg_exists - whether path names anything (for the message of a RUN
 * given after the other argument).
 */
int run_arg_exists(const char *path);

/*
 * What a command's usage text says of RUN (RUN_ARG_USAGE, one option line)
 * and, as its last line, of the exit codes when RUN is refused
 * (RUN_ARG_USAGE_EXIT).
 */
#define RUN_ARG_USAGE \
    "  RUN           a run directory (qemu-perf record -o DIR), a perf.data (the\n" \
    "                run in its directory) or a side file jit-PID.tbstats (with\n" \
    "                jit-PID.dump next to it), recognised by content\n"
#define RUN_ARG_USAGE_EXIT \
    "exit status: 0 success, 2 bad usage or bad input (RUN missing, or not a run\n" \
    "directory, perf.data or side file), 3 I/O error\n"

#endif /* TBSYM_RUN_ARG_H */
