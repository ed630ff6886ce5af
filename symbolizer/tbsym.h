/*
 * tbsym.h: what tbsym's subcommands share: exit codes and the command table.
 *
 * A subcommand is one file, symbolizer/cmd_NAME.c, defining
 * "int cmd_NAME(int argc, char **argv)" (argv[0] is NAME) and its usage text;
 * it is listed once in tbsym.c's table.  A subcommand prints its results to
 * stdout and every diagnostic to stderr as one line "tbsym: FILE: WHAT at
 * byte offset N", and returns one of the exit codes below.
 */
#ifndef TBSYM_H
#define TBSYM_H

/*
 * tbsym's exit codes.  1 never means a failed tbsym: only tbsym diff
 * --fail-above returns it, for a result (a regression), not an error.
 */
enum tbsym_exit {
    TBSYM_EXIT_OK = 0,      /* success */
    TBSYM_EXIT_ABOVE = 1,   /* tbsym diff: a row above --fail-above */
    TBSYM_EXIT_INPUT = 2,   /* bad usage or bad input: corrupt or truncated file */
    TBSYM_EXIT_IO = 3,      /* I/O or internal error: unreadable file, out of memory */
};

/* One subcommand. */
struct tbsym_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;    /* one line, for "tbsym help" */
    const char *usage;      /* "tbsym NAME ..." and its options, for "tbsym help NAME" */
};

/*
 * tbsym_finish_stdout - flush stdout and check that everything written to
 * it arrived; returns rc, or TBSYM_EXIT_IO (after a message) if not.
 */
int tbsym_finish_stdout(int rc);

/*
 * tbsym_usage_error - "tbsym CMD: MESSAGE" (fmt with one string argument
 * arg) and the command's usage text on stderr; returns TBSYM_EXIT_INPUT.
 */
int tbsym_usage_error(const char *cmd, const char *usage, const char *fmt, const char *arg);

/* tbsym_out_of_memory - "tbsym: out of memory" on stderr; returns TBSYM_EXIT_IO. */
int tbsym_out_of_memory(void);

/* The subcommands. */
int cmd_dump(int argc, char **argv);
extern const char cmd_dump_usage[];
int cmd_report(int argc, char **argv);
extern const char cmd_report_usage[];
int cmd_diff(int argc, char **argv);
extern const char cmd_diff_usage[];
int cmd_listing(int argc, char **argv);
extern const char cmd_listing_usage[];
int cmd_annotate(int argc, char **argv);
extern const char cmd_annotate_usage[];
int cmd_flame(int argc, char **argv);
extern const char cmd_flame_usage[];
int cmd_callgraph(int argc, char **argv);
extern const char cmd_callgraph_usage[];
int cmd_html(int argc, char **argv);
extern const char cmd_html_usage[];
int cmd_export(int argc, char **argv);
extern const char cmd_export_usage[];

int cmd_tb_list(int argc, char **argv);
extern const char cmd_tb_list_usage[];
int cmd_tb(int argc, char **argv);
extern const char cmd_tb_usage[];
int cmd_coverset(int argc, char **argv);
extern const char cmd_coverset_usage[];
int cmd_cfg(int argc, char **argv);
extern const char cmd_cfg_usage[];

#endif /* TBSYM_H */
