/*
 * run_arg.c: recognising a RUN argument (see run_arg.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_arg.h"
#include "runfiles.h"
#include "tbstats-format.h"
#include "tbsym.h"

/* The directory part of path ("." for a bare name), into buf. */
static int dir_of(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    int n;

    if (!slash)
        n = snprintf(buf, size, ".");
    else if (slash == path)
        n = snprintf(buf, size, "/");
    else
        n = snprintf(buf, size, "%.*s", (int)(slash - path), path);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int too_long(const char *path)
{
    fprintf(stderr, "tbsym: %s: %s\n", path, strerror(ENAMETOOLONG));
    return TBSYM_EXIT_INPUT;
}

int run_arg_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* Missing or not ours is the user's input (2); anything else is I/O (3). */
static int errno_exit(const char *path, int err)
{
    fprintf(stderr, "tbsym: %s: %s\n", path, strerror(err));
    return err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG || err == ELOOP
           ? TBSYM_EXIT_INPUT : TBSYM_EXIT_IO;
}

int run_arg_classify(struct run_arg *ra, const char *path)
{
    static const unsigned char jd_le[4] = { 0x44, 0x54, 0x69, 0x4A };
    static const unsigned char jd_be[4] = { 0x4A, 0x69, 0x54, 0x44 };
    unsigned char head[16];
    struct stat st;
    ssize_t len;
    int fd;

    memset(ra, 0, sizeof(*ra));
    ra->path = path;
    if (stat(path, &st) < 0)
        return errno_exit(path, errno);
    if (S_ISDIR(st.st_mode)) {
        ra->kind = RUN_ARG_DIR;
        if ((size_t)snprintf(ra->dir, sizeof(ra->dir), "%s", path) >= sizeof(ra->dir) ||
            (size_t)snprintf(ra->perf_data, sizeof(ra->perf_data), "%s/perf.data", path) >=
                sizeof(ra->perf_data))
            return too_long(path);
        return 0;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno_exit(path, errno);
    do
        len = read(fd, head, sizeof(head));
    while (len < 0 && errno == EINTR);
    if (len < 0) {
        int err = errno;

        close(fd);
        return errno_exit(path, err);
    }
    close(fd);
    if (dir_of(path, ra->dir, sizeof(ra->dir)) < 0)
        return too_long(path);
    if (len >= 8 && (!memcmp(head, "PERFILE2", 8) || !memcmp(head, "2ELIFREP", 8))) {
        ra->kind = RUN_ARG_PERF_DATA;
        return 0;
    }
    if ((size_t)len >= offsetof(struct tbs_file_header, pid) + sizeof(uint32_t) &&
        (!memcmp(head, "QTBS", 4) || !memcmp(head, "SBTQ", 4))) {
        uint32_t pid;
        int n;

        ra->kind = RUN_ARG_SIDE_FILE;
        memcpy(&pid, head + offsetof(struct tbs_file_header, pid), sizeof(pid));
        /* "QTBS": a little-endian writer's file. */
        if ((memcmp(head, "QTBS", 4) == 0) != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__))
            pid = __builtin_bswap32(pid);
        ra->pid = pid;
        if ((size_t)snprintf(ra->perf_data, sizeof(ra->perf_data), "%s/perf.data", ra->dir) >=
            sizeof(ra->perf_data))
            return too_long(path);
        n = run_file_name(ra->jitdump, sizeof(ra->jitdump), ra->dir, RUN_FILE_JITDUMP, ra->pid);
        if (n < 0 || (size_t)n >= sizeof(ra->jitdump) || stat(ra->jitdump, &st) < 0 ||
            !S_ISREG(st.st_mode))
            ra->jitdump[0] = '\0';
        return 0;
    }
    if (len >= 4 && (!memcmp(head, jd_le, 4) || !memcmp(head, jd_be, 4))) {
        fprintf(stderr, "tbsym: %s: a jitdump, not a run: give its directory or its side "
                "file jit-PID.tbstats\n", path);
        return TBSYM_EXIT_INPUT;
    }
    if (len < 16)
        fprintf(stderr, "tbsym: %s: not a run directory, perf.data or side file "
                "(%zd bytes, too short to recognise)\n", path, len);
    else
        fprintf(stderr, "tbsym: %s: not a run directory, perf.data or side file "
                "(first bytes %02x %02x %02x %02x)\n", path, head[0], head[1], head[2],
                head[3]);
    return TBSYM_EXIT_INPUT;
}

int run_arg_profile(struct run_arg *ra, const char *cmd, struct profile_opts *po)
{
    struct stat st;

    if (po->perf_data) {
        fprintf(stderr, "tbsym %s: RUN '%s' and -i both given: give one\n", cmd, ra->path);
        return TBSYM_EXIT_INPUT;
    }
    switch (ra->kind) {
    case RUN_ARG_PERF_DATA:
        po->perf_data = ra->path;
        return 0;
    case RUN_ARG_SIDE_FILE:
        if (!po->tbstats)
            po->tbstats = ra->path;
        if (!po->jitdump && ra->jitdump[0])
            po->jitdump = ra->jitdump;
        break;
    case RUN_ARG_DIR:
        break;
    }
    if (stat(ra->perf_data, &st) < 0) {
        fprintf(stderr, "tbsym: %s: no perf.data %s (tbsym %s reads samples: record with "
                "qemu-perf record, or give it with -i)\n", ra->path,
                ra->kind == RUN_ARG_DIR ? "in this directory" : "next to this side file", cmd);
        return TBSYM_EXIT_INPUT;
    }
    po->perf_data = ra->perf_data;
    return 0;
}
