/*
 * Unit tests for runfiles.h: the one rule for the names of a run's files.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "runfiles.h"
#include "unit.h"

static void test_kinds(void)
{
    uint32_t pid = 0;

    CHECK_EQ_I64(run_file_kind("jit-42.dump", &pid), RUN_FILE_JITDUMP);
    CHECK_EQ_U64(pid, 42);
    CHECK_EQ_I64(run_file_kind("jit-7.tbstats", &pid), RUN_FILE_SIDE);
    CHECK_EQ_U64(pid, 7);
    CHECK_EQ_I64(run_file_kind("jit-7.tbstats.part", &pid), RUN_FILE_SIDE_PART);
    CHECK_EQ_I64(run_file_kind("jit-4294967295.s", &pid), RUN_FILE_LISTING);
    CHECK_EQ_U64(pid, 4294967295u);

    /* Not QEMU's names: every command ignores them alike. */
    pid = 99;
    CHECK_EQ_I64(run_file_kind("jit-0042.tbstats", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("jit-0.dump", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("jit-4294967296.dump", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("jit-12.dump.old", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("jit-12.tbstats.", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("jit-.dump", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("jit--1.dump", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("jit- 1.dump", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("jit-1x.dump", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("jitted-1-2.so", &pid), RUN_FILE_NONE);
    CHECK_EQ_I64(run_file_kind("", &pid), RUN_FILE_NONE);
    CHECK_EQ_U64(pid, 99);
}

static void test_jitted(void)
{
    uint32_t pid = 0;
    uint64_t index = 0;

    CHECK(run_file_jitted("jitted-123-45.so", &pid, &index));
    CHECK_EQ_U64(pid, 123);
    CHECK_EQ_U64(index, 45);
    CHECK(run_file_jitted("jitted-1-18446744073709551615.so", &pid, &index));
    CHECK_EQ_U64(index, UINT64_MAX);
    CHECK(!run_file_jitted("jitted-1-18446744073709551616.so", &pid, &index));
    CHECK(!run_file_jitted("jitted-1-.so", &pid, &index));
    CHECK(!run_file_jitted("jitted-01-2.so", &pid, &index));
    CHECK(!run_file_jitted("jitted-1-2.so.1", &pid, &index));
    CHECK(!run_file_jitted("jit-1.dump", &pid, &index));
}

static void test_names(void)
{
    char buf[64];
    char *p;

    CHECK_EQ_I64(run_file_name(buf, sizeof(buf), NULL, RUN_FILE_JITDUMP, 42), 11);
    CHECK_STR_EQ(buf, "jit-42.dump");
    run_file_name(buf, sizeof(buf), "", RUN_FILE_LISTING, 42);
    CHECK_STR_EQ(buf, "jit-42.s");
    run_file_name(buf, sizeof(buf), "/tmp/run", RUN_FILE_SIDE, 42);
    CHECK_STR_EQ(buf, "/tmp/run/jit-42.tbstats");
    run_file_name(buf, sizeof(buf), "/", RUN_FILE_SIDE_PART, 42);
    CHECK_STR_EQ(buf, "/jit-42.tbstats.part");
    p = run_file_path("dir/", RUN_FILE_JITDUMP, 4294967295u);
    CHECK(p != NULL);
    if (p)
        CHECK_STR_EQ(p, "dir/jit-4294967295.dump");
    free(p);

    /* Every name written is read back as what it was written for. */
    for (int k = RUN_FILE_JITDUMP; k <= RUN_FILE_LISTING; k++) {
        uint32_t pid = 0;

        run_file_name(buf, sizeof(buf), NULL, (enum run_file)k, 31337);
        CHECK_EQ_I64(run_file_kind(buf, &pid), k);
        CHECK_EQ_U64(pid, 31337);
    }
    CHECK_STR_EQ(run_file_ext(RUN_FILE_NONE), "");
}

/* The side files of a directory: regular files with QEMU's names, a leftover .part dropped. */
static void test_side_files(void)
{
    static const char *const files[] = {
        "jit-5.tbstats", "jit-5.tbstats.part", "jit-12.tbstats.part", "jit-0042.tbstats",
        "jit-3.dump", "jit-3.s", "notes.tbstats",
    };
    char dir[] = "/tmp/test_runfiles.XXXXXX", path[256];
    struct timeval tv[2] = { { 1000, 0 }, { 1000, 0 } };
    struct run_side *s;
    int nr;

    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        return;
    }
    CHECK_EQ_I64(run_side_files(dir, &s), 0);
    CHECK(s == NULL);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unit_write_file(path, "x", 1);
        utimes(path, tv);
    }
    /* A directory with a side file's name is not one. */
    snprintf(path, sizeof(path), "%s/jit-9.tbstats", dir);
    CHECK_EQ_I64(mkdir(path, 0700), 0);
    nr = run_side_files(dir, &s);
    CHECK_EQ_I64(nr, 2);
    if (nr == 2) {
        CHECK_STR_EQ(s[0].name, "jit-12.tbstats.part");
        CHECK_EQ_U64(s[0].pid, 12);
        CHECK(s[0].part);
        CHECK_STR_EQ(s[1].name, "jit-5.tbstats");
        CHECK_EQ_U64(s[1].pid, 5);
        CHECK(!s[1].part);
        CHECK_EQ_I64(s[1].mtime.tv_sec, 1000);
    }
    run_sides_free(s, nr);
    rmdir(path);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    CHECK_EQ_I64(run_side_files(dir, &s), -ENOENT);
}

int main(void)
{
    RUN_TEST(test_kinds);
    RUN_TEST(test_jitted);
    RUN_TEST(test_names);
    RUN_TEST(test_side_files);
    return unit_finish("test_runfiles");
}
