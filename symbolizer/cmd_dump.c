/*
 * cmd_dump.c: "tbsym dump", print every record of a file as text or JSON.
 *
 * The file type is recognised by its first bytes; each type is one entry
 * of dump_formats[]: a probe and the dumper that prints the file (dump.h:
 * a jitdump, jit-PID.dump; the side file, jit-PID.tbstats; perf's
 * perf.data).  Here: the options, reading a pipe, and choosing the dumper.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump.h"
#include "profile_opts.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_dump_usage[] =
    "usage: tbsym dump [--format text|json] [--partial] [--ordered] FILE\n"
    "\n"
    "Print the header, every record and a summary of FILE: a jitdump\n"
    "(jit-PID.dump), a side file (jit-PID.tbstats, jit-PID.tbstats.part) or\n"
    "a perf.data (zstd-compressed records included), recognised by its first\n"
    "bytes.  For a side file the summary adds the totals of its STATS records\n"
    "and the exit code of its END record; for a perf.data the counts per event\n"
    "type.\n"
    "  --format text   one line per record, key=value fields (default)\n"
    "  --format json   one JSON object {\"header\", \"records\", \"summary\"}\n"
    "  --partial       accept a file whose last record is cut short (a file\n"
    "                  still being written): print what precedes it, note it\n"
    "                  on stderr and exit 0 instead of 2\n"
    "  --ordered       perf.data: events sorted by time between FINISHED_ROUND\n"
    "                  records, as perf report sees them (default: file order)\n"
    "\n"
    "exit status: 0 success, 2 bad usage or bad input (FILE missing, a directory,\n"
    "of another type, corrupt or truncated), 3 I/O error\n";

/* One file type that tbsym dump understands. */
struct dump_format {
    const char *name;
    /* Does a file starting with head[0..len) (len <= 16) have this type? */
    bool (*probe)(const unsigned char *head, size_t len);
    /*
     * Print path, or when buf is not NULL its len bytes already read from
     * path (a pipe cannot be opened a second time); returns a TBSYM_EXIT_*
     * code after any message.
     */
    int (*dump)(const char *path, const uint8_t *buf, size_t len,
                const struct dump_opts *opts);
};

static const struct dump_format dump_formats[] = {
    { "jitdump", dump_jitdump_probe, dump_jitdump },
    { "tbstats", dump_tbstats_probe, dump_tbstats },
    { "perf.data", dump_perfdata_probe, dump_perfdata },
};

/* --- the command ---------------------------------------------------------------- */

/*
 * The rest of a stream (pipe, FIFO, terminal) whose first len bytes are in
 * head: all of it in *bufp (malloc()ed), its size in *lenp.  0 or -errno.
 */
static int read_stream(int fd, const unsigned char *head, size_t len,
                       uint8_t **bufp, size_t *lenp)
{
    size_t cap = 65536;
    uint8_t *buf = malloc(cap);

    if (!buf)
        return -ENOMEM;
    memcpy(buf, head, len);
    for (;;) {
        ssize_t n;

        if (len == cap) {
            uint8_t *nbuf = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;

            if (!nbuf) {
                free(buf);
                return -ENOMEM;
            }
            buf = nbuf;
            cap *= 2;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = -errno;

            free(buf);
            return err;
        }
        if (n == 0)
            break;
        len += n;
    }
    *bufp = buf;
    *lenp = len;
    return 0;
}

/* What dump's command line sets besides --format. */
struct dump_args {
    struct dump_opts *opts;
    const char *path;           /* FILE; "-": standard input */
};

/* dump's own arguments (struct view_cmdline's own()): into the dump_args at ctx. */
static int dump_option(const struct view_opts *vo, void *ctx, const char *a, const char *val)
{
    struct dump_args *args = ctx;

    (void)vo;
    (void)val;
    if (!strcmp(a, "--partial")) {
        args->opts->partial = true;
        return 1;
    }
    if (!strcmp(a, "--ordered")) {
        args->opts->ordered = true;
        return 1;
    }
    if ((a[0] == '-' && a[1]) || args->path)
        return 0;
    args->path = a;
    return 1;
}

int cmd_dump(int argc, char **argv)
{
    struct dump_opts opts = { .format = OUT_TEXT };
    struct dump_args args = { .opts = &opts };
    enum view_format format = VIEW_TEXT;
    struct view_cmdline cl = {
        .v = { .cmd = "dump", .usage = cmd_dump_usage },
        .format = &format,
        .own = dump_option,
        .ctx = &args,
    };
    const char *path;
    unsigned char head[16];
    uint8_t *data = NULL;
    size_t data_len = 0;
    struct stat st;
    ssize_t len;
    int fd, rc;

    rc = view_parse_cmdline(&cl, argc, argv);
    if (rc)
        return rc;
    opts.format = view_out_format(format);
    path = args.path;
    if (!path)
        return view_usage_error(&cl.v, "%s", "no FILE given");

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "tbsym: %s: %s\n", path, strerror(errno));
        return errno == ENOENT || errno == ENOTDIR ? TBSYM_EXIT_INPUT : TBSYM_EXIT_IO;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "tbsym: %s: a directory: dump one of its files (perf.data, "
                "jit-PID.dump, jit-PID.tbstats)\n", path);
        close(fd);
        return TBSYM_EXIT_INPUT;
    }
    len = read(fd, head, sizeof(head));
    if (len < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "tbsym: %s: %s\n", path, strerror(errno));
        close(fd);
        return TBSYM_EXIT_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        /*
         * What was read from a pipe is gone, and one read() may return
         * fewer bytes than the probe needs: read it all now, once.
         */
        int err = read_stream(fd, head, len, &data, &data_len);

        if (err) {
            fprintf(stderr, "tbsym: %s: %s\n", path, strerror(-err));
            close(fd);
            return TBSYM_EXIT_IO;
        }
        len = data_len < sizeof(head) ? data_len : sizeof(head);
        memcpy(head, data, len);
    }
    close(fd);

    for (size_t i = 0; i < sizeof(dump_formats) / sizeof(dump_formats[0]); i++)
        if (dump_formats[i].probe(head, len)) {
            rc = dump_formats[i].dump(path, data, data_len, &opts);
            free(data);
            return rc;
        }
    free(data);

    if (len < 4)
        fprintf(stderr, "tbsym: %s: file too short to recognise (%zd bytes) at byte offset 0\n",
                path, len);
    else
        fprintf(stderr, "tbsym: %s: unknown file type (first bytes %02x %02x %02x %02x, "
                "not a jitdump, tbstats or perf.data file) at byte offset 0\n", path, head[0], head[1], head[2], head[3]);
    return TBSYM_EXIT_INPUT;
}
