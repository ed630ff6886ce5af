/*
 * replay.c: runs a libFuzzer target over saved inputs, without libFuzzer.
 *
 * usage: replay_fuzz_NAME [FILE|DIR]...
 * Calls LLVMFuzzerTestOneInput() once per file (directories are read one
 * level deep, in name order), each input in a malloc()ed buffer of its exact
 * size so sanitizers see overruns.  Without arguments it replays
 * tests/fuzz/corpus/NAME/ (NAME from the program's own name), relative to
 * the current directory.  Prints one summary line; exits 0 when every input
 * ran (a crash is a crash), 2 on bad usage or an unreadable input.
 * Built with gcc by the Makefile, so "make check" needs no clang.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long nr_inputs;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;

    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (len == cap) {
            uint8_t *nbuf;

            cap = cap ? cap * 2 : 4096;
            nbuf = realloc(buf, cap);
            if (!nbuf) {
                fprintf(stderr, "replay: %s: out of memory\n", path);
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nbuf;
        }
        size_t n = fread(buf + len, 1, cap - len, f);

        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    /* Exact size, so a read one past the end is caught. */
    uint8_t *exact = malloc(len ? len : 1);

    if (!exact) {
        free(buf);
        return -1;
    }
    if (len)
        memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    nr_inputs++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
    struct stat st;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int err = 0;
    DIR *d;

    if (stat(path, &st) < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((de = readdir(d))) {
        char *full;

        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

            if (!nn) {
                err = -1;
                break;
            }
            names = nn;
        }
        if (asprintf(&full, "%s/%s", path, de->d_name) < 0) {
            err = -1;
            break;
        }
        names[n++] = full;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (!err && stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && run_file(names[i]) < 0)
            err = -1;
        free(names[i]);
    }
    free(names);
    return err;
}

int main(int argc, char **argv)
{
    char defdir[4096];
    int err = 0;

    if (argc < 2) {
        const char *self = strrchr(argv[0], '/');
        const char *target;

        self = self ? self + 1 : argv[0];
        target = strncmp(self, "replay_fuzz_", 12) == 0 ? self + 12 : NULL;
        if (!target) {
            fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
            return 2;
        }
        snprintf(defdir, sizeof(defdir), "tests/fuzz/corpus/%s", target);
        err = run_path(defdir);
    }
    for (int i = 1; i < argc; i++)
        if (run_path(argv[i]) < 0)
            err = -1;
    printf("replay: %lu inputs run%s\n", nr_inputs, err ? ", some could not be read" : "");
    return err ? 2 : 0;
}
