/*
 * runfiles.c - the names of a run's files (see runfiles.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "runfiles.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "array.h"

static const char *const exts[] = {
    [RUN_FILE_NONE] = "",
    [RUN_FILE_JITDUMP] = ".dump",
    [RUN_FILE_SIDE] = ".tbstats",
    [RUN_FILE_SIDE_PART] = ".tbstats.part",
    [RUN_FILE_LISTING] = ".s",
};

const char *run_file_ext(enum run_file kind)
{
    return (unsigned)kind < sizeof(exts) / sizeof(exts[0]) ? exts[kind] : "";
}

/*
 * A PID at *s as QEMU prints it: decimal, 1 to UINT32_MAX, no leading zero;
 * *s moves past it.
 */
static bool parse_pid(const char **s, uint32_t *pid)
{
    const char *p = *s;
    uint64_t v = 0;

    if (*p < '1' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return false;
    }
    *pid = (uint32_t)v;
    *s = p;
    return true;
}

enum run_file run_file_kind(const char *base, uint32_t *pid)
{
    const char *s = base;
    uint32_t v;

    if (strncmp(s, "jit-", 4) != 0)
        return RUN_FILE_NONE;
    s += 4;
    if (!parse_pid(&s, &v))
        return RUN_FILE_NONE;
    for (unsigned k = RUN_FILE_JITDUMP; k <= RUN_FILE_LISTING; k++)
        if (!strcmp(s, exts[k])) {
            *pid = v;
            return (enum run_file)k;
        }
    return RUN_FILE_NONE;
}

bool run_file_jitted(const char *base, uint32_t *pid, uint64_t *index)
{
    const char *s = base;
    uint64_t n = 0;
    uint32_t v;

    if (strncmp(s, "jitted-", 7) != 0)
        return false;
    s += 7;
    if (!parse_pid(&s, &v) || *s++ != '-' || *s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        uint64_t digit = (uint64_t)(*s - '0');

        if (n > UINT64_MAX / 10 || (n == UINT64_MAX / 10 && digit > UINT64_MAX % 10))
            return false;
        n = n * 10 + digit;
    }
    if (strcmp(s, ".so") != 0)
        return false;
    *pid = v;
    *index = n;
    return true;
}

int run_file_name(char *buf, size_t size, const char *dir, enum run_file kind, uint32_t pid)
{
    bool d = dir && dir[0], slash = d && dir[strlen(dir) - 1] == '/';

    return snprintf(buf, size, "%s%sjit-%" PRIu32 "%s", d ? dir : "", d && !slash ? "/" : "",
                    pid, run_file_ext(kind));
}

char *run_file_path(const char *dir, enum run_file kind, uint32_t pid)
{
    int n = run_file_name(NULL, 0, dir, kind, pid);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;

    if (p)
        run_file_name(p, (size_t)n + 1, dir, kind, pid);
    return p;
}

static int compare_sides(const void *a, const void *b)
{
    return strcmp(((const struct run_side *)a)->name, ((const struct run_side *)b)->name);
}

/* Append base to *sides if it is a side file and a regular file: 1, 0 or -errno. */
static int add_side(int dfd, const char *base, struct run_side **sides, size_t nr,
                    size_t *cap)
{
    enum run_file kind;
    struct run_side *s;
    struct stat st;
    uint32_t pid;

    kind = run_file_kind(base, &pid);
    if (kind != RUN_FILE_SIDE && kind != RUN_FILE_SIDE_PART)
        return 0;
    if (fstatat(dfd, base, &st, 0) < 0 || !S_ISREG(st.st_mode))
        return 0;
    s = array_reserve(*sides, nr, cap, sizeof(**sides), 8);
    if (!s)
        return -ENOMEM;
    *sides = s;
    s[nr] = (struct run_side){ .name = strdup(base), .pid = pid,
                               .part = kind == RUN_FILE_SIDE_PART, .mtime = st.st_mtim };
    return s[nr].name ? 1 : -ENOMEM;
}

int run_side_files(const char *dir, struct run_side **sidesp)
{
    struct run_side *sides = NULL;
    size_t nr = 0, cap = 0, keep = 0;
    struct dirent *de;
    DIR *d;
    int err = 0;

    *sidesp = NULL;
    d = opendir(dir);
    if (!d)
        return -errno;
    while ((de = readdir(d))) {
        int added = add_side(dirfd(d), de->d_name, &sides, nr, &cap);

        if (added < 0) {
            err = added;
            break;
        }
        nr += (size_t)added;
    }
    closedir(d);
    if (nr > (size_t)INT32_MAX)
        err = -EOVERFLOW;
    if (nr)
        qsort(sides, nr, sizeof(*sides), compare_sides);
    /* Sorted, jit-1.tbstats comes right before jit-1.tbstats.part. */
    for (size_t i = 0; i < nr; i++) {
        if (keep > 0 && sides[i].part && !sides[keep - 1].part &&
            sides[keep - 1].pid == sides[i].pid) {
            free(sides[i].name);
            continue;
        }
        sides[keep++] = sides[i];
    }
    if (err) {
        run_sides_free(sides, (int)keep);
        return err;
    }
    *sidesp = sides;
    return (int)keep;
}

void run_sides_free(struct run_side *sides, int nr)
{
    for (int i = 0; i < nr; i++)
        free(sides[i].name);
    free(sides);
}
