/*
 * tbsym: the symbolizer's command line, a table of subcommands.
 *
 *   tbsym COMMAND [ARGS...]      run a subcommand (see "tbsym help")
 *   tbsym help [COMMAND]         usage, on stdout, exit 0
 *   tbsym --help | -h            the same
 *   tbsym COMMAND ... --help     COMMAND's usage (also -h; not after "--")
 *
 * Exit codes (tbsym.h): 0 success, 2 bad usage or bad input, 3 I/O or
 * internal error.  No subcommand or an unknown one prints the usage to
 * stderr and exits 2.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tbsym.h"

static const struct tbsym_cmd commands[] = {
    { "dump", cmd_dump, "print the records of a jitdump or side file, as text or JSON", cmd_dump_usage },
    { "report", cmd_report, "perf samples and TBStatistics per TB, function or symbol", cmd_report_usage },
    { "annotate", cmd_annotate, "samples on each guest and host instruction of a TB", cmd_annotate_usage },
    { "flame", cmd_flame, "folded stacks or an interactive flamegraph SVG of a recording", cmd_flame_usage },
    { "callgraph", cmd_callgraph, "a guest function's callers and callees over guest call stacks", cmd_callgraph_usage },
    { "export", cmd_export, "a perf.data of the guest program, as if it had run natively", cmd_export_usage },
    { "html", cmd_html, "one self-contained HTML page: report, flamegraph, annotated TBs", cmd_html_usage },
    { "diff", cmd_diff, "two recordings compared per guest function or TB: what got slower", cmd_diff_usage },
    { "listing", cmd_listing, "write jit-PID.s, the guest listing perf annotate shows", cmd_listing_usage },
    { "tb-list", cmd_tb_list, "one row per TBStatistics key: counters, ratios, name", cmd_tb_list_usage },
    { "tb", cmd_tb, "one key: counters, guest code (in_asm) and host code (out_asm)", cmd_tb_usage },
    { "coverset", cmd_coverset, "the fewest hottest keys covering PCT % of executed insns", cmd_coverset_usage },
    { "cfg", cmd_cfg, "Graphviz dot of a key's successor neighbourhood", cmd_cfg_usage },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
    fputs("usage: tbsym COMMAND [ARGS...]\n"
          "       tbsym help [COMMAND]\n"
          "\n"
          "commands:\n", f);
    for (size_t i = 0; i < NR_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "exit status: 0 success, 2 bad usage or bad input (corrupt or truncated\n"
          "file), 3 I/O or internal error; 1 only from diff --fail-above\n", f);
}

static const struct tbsym_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < NR_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int tbsym_usage_error(const char *cmd, const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "tbsym %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(usage, stderr);
    return TBSYM_EXIT_INPUT;
}

int tbsym_out_of_memory(void)
{
    fprintf(stderr, "tbsym: out of memory\n");
    return TBSYM_EXIT_IO;
}

int tbsym_finish_stdout(int rc)
{
    int err = 0;

    if (fflush(stdout) != 0)
        err = errno;
    else if (ferror(stdout))
        err = EIO;      /* an earlier write failed; its errno is gone */
    if (err) {
        fprintf(stderr, "tbsym: writing the output: %s\n", strerror(err));
        return TBSYM_EXIT_IO;
    }
    return rc;
}

int main(int argc, char **argv)
{
    const struct tbsym_cmd *cmd;

    if (argc < 2) {
        usage(stderr);
        return TBSYM_EXIT_INPUT;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        if (argc > 2 && !strcmp(argv[1], "help")) {
            cmd = find_command(argv[2]);
            if (!cmd) {
                fprintf(stderr, "tbsym: unknown command '%s'\n", argv[2]);
                usage(stderr);
                return TBSYM_EXIT_INPUT;
            }
            fputs(cmd->usage, stdout);
        } else {
            usage(stdout);
        }
        return tbsym_finish_stdout(TBSYM_EXIT_OK);
    }
    cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "tbsym: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return TBSYM_EXIT_INPUT;
    }
    /* --help or -h anywhere before "--": the command's usage, for every command. */
    for (int i = 2; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cmd->usage, stdout);
            return tbsym_finish_stdout(TBSYM_EXIT_OK);
        }
    }
    return cmd->run(argc - 1, argv + 1);
}
