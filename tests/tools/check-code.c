/*
 * check-code.c: is the host code in a run's jitdump the code its TBs had?
 *
 *   check-code DIR [--pid PID] [--shift]
 *
 * QEMU copies a TB's host code into its CODE_LOAD after translation (in the
 * flusher thread), and must do so before a code-buffer flush lets the next
 * TBs overwrite it.  This checks every TB of the run in DIR that has a
 * CODE_LOAD: disassembled from its first byte (capstone, x86-64 hosts), the
 * code must have an instruction boundary at the end of each guest
 * instruction's host code, as the side file records it from the code
 * generator (host_end[]).  Code that another TB overwrote almost never does.
 *
 * --shift checks each TB's host_end[] against the code of the next TB
 * instead: the negative control, which must find mismatches.
 *
 * Prints "checked N TBs, M mismatched" and exits 0 when M is 0, 1 when not,
 * 2 on bad input.  Used by tests/integration/test_flush.sh.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "tbdb.h"

/*
 * 1 when every host_end[i] of t is an instruction boundary of code[0, n),
 * decoding from offset 0 (host_end[] never decreases).
 */
static int boundaries_match(csh cs, cs_insn *insn, const struct tbdb_tb *t,
                            const uint8_t *code, size_t n)
{
    uint32_t last = t->host_end[t->icount - 1];
    const uint8_t *p = code;
    size_t left = last;
    uint64_t addr = 0;          /* the end of the instruction decoded last */
    uint32_t want = 0;          /* the next host_end[] to meet */

    if (last > n) {
        return 0;
    }
    while (want < t->icount && t->host_end[want] == 0) {
        want++;
    }
    while (left && cs_disasm_iter(cs, &p, &left, &addr, insn)) {
        if (want < t->icount && t->host_end[want] < addr) {
            return 0;           /* an end falls inside this instruction */
        }
        while (want < t->icount && t->host_end[want] == addr) {
            want++;
        }
    }
    return left == 0 && want == t->icount;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    uint32_t pid = 0;
    bool shift = false;
    char *tbs_path = NULL, *jd_path = NULL;
    struct tbdb *db = NULL;
    csh cs;
    cs_insn *insn;
    size_t checked = 0, bad = 0;
    const struct tbdb_tb *prev = NULL;
    int err;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--shift")) {
            shift = true;
        } else if (!strcmp(argv[i], "--pid") && i + 1 < argc) {
            pid = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (!dir && argv[i][0] != '-') {
            dir = argv[i];
        } else {
            fprintf(stderr, "usage: check-code DIR [--pid PID] [--shift]\n");
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "usage: check-code DIR [--pid PID] [--shift]\n");
        return 2;
    }
    err = tbdb_find_files(dir, pid, &tbs_path, &jd_path);
    if (err || !jd_path) {
        fprintf(stderr, "check-code: %s: no run with a jitdump: %s\n", dir,
                err ? strerror(-err) : "no jit-PID.dump");
        return 2;
    }
    err = tbdb_open(tbs_path, jd_path, &db);
    if (err) {
        fprintf(stderr, "check-code: %s\n", db ? tbdb_strerror(db) : strerror(-err));
        tbdb_close(db);
        return 2;
    }
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
        fprintf(stderr, "check-code: capstone has no x86-64\n");
        tbdb_close(db);
        return 2;
    }
    insn = cs_malloc(cs);
    for (size_t i = 0; i < db->nr_tb_records; i++) {
        const struct tbdb_tb *t = &db->tb_records[i];

        if (!t->have_load || !t->icount) {
            continue;
        }
        if (shift) {
            /* this TB's ends against the previous TB's code */
            if (prev && memcmp(prev->code, t->code,
                               prev->code_size < t->code_size ?
                               prev->code_size : t->code_size)) {
                checked++;
                bad += !boundaries_match(cs, insn, t, prev->code,
                                         prev->code_size);
            }
            prev = t;
            continue;
        }
        checked++;
        if (t->code_addr != t->host_addr || t->code_size != t->host_size ||
            !boundaries_match(cs, insn, t, t->code, t->code_size)) {
            if (bad < 5) {
                fprintf(stderr, "check-code: TB code_index %llu at 0x%llx: "
                        "its host code does not match its instruction ends\n",
                        (unsigned long long)t->code_index,
                        (unsigned long long)t->host_addr);
            }
            bad++;
        }
    }
    printf("checked %zu TBs, %zu mismatched%s\n", checked, bad,
           shift ? " (each against the previous TB's code)" : "");
    cs_free(insn, 1);
    cs_close(&cs);
    tbdb_close(db);
    free(tbs_path);
    free(jd_path);
    return bad ? 1 : 0;
}
