/*
 * cmd_listing.c: "tbsym listing", write the guest listing jit-PID.s that
 * QEMU's jitdump debug info refers to.
 *
 * QEMU's -perf gives every TB a block of lines in jit-PID.s (the TB record's
 * listing_line) and maps the host code of guest instruction i to line
 * listing_line + 1 + i, its out-of-line code to the line after the last
 * instruction.  This command writes those lines from the side file
 * jit-PID.tbstats, so that perf annotate shows each guest instruction above
 * its host code:
 *
 *   line listing_line           ;; TB 0x4011a0 fib_recursive+0x10 (4 insns, 96 host bytes)
 *   line listing_line + 1 + i   0x4011a0: cmpl $1, %edi   ; demo.c:21
 *   line listing_line + 1 + n   ;; out-of-line code (slow paths, constants)
 *
 * every other line empty.  Line numbers are the contract, so a TB whose lines
 * would overlap an earlier TB's is an error, not something to paper over.
 * Guest instructions are disassembled with capstone; symbols and source lines
 * come from the guest's ELF files named by the MAPPING records, through
 * lib/guestsym (libdwfl: symtab, else dynsym; DWARF line tables), when they
 * can be opened.
 *
 * The listing is written to a temporary file in the same directory and
 * renamed into place, so perf never sees half a listing.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "disasm.h"
#include "guestsym.h"
#include "outfile.h"
#include "profile_opts.h"
#include "run_arg.h"
#include "runfiles.h"
#include "tbstats.h"
#include "tbsym.h"

const char cmd_listing_usage[] =
    "usage: tbsym listing [-o OUT] [RUN]\n"
    "\n"
    "Write the guest listing jit-PID.s that the jitdump's debug info refers\n"
    "to, so that perf annotate shows the guest instructions of a TB above\n"
    "their host code.  Run it before perf annotate or perf report.\n"
    "\n"
    "  RUN            a directory: every jit-PID.tbstats (or jit-PID.tbstats.part,\n"
    "                 the side file of a QEMU that did not exit) in it gets its\n"
    "                 jit-PID.s next to it; default: the current directory;\n"
    "                 a perf.data: the same for its directory;\n"
    "                 a side file (recognised by content, any name): only it\n"
    "  -o OUT         write the listing of the one FILE to OUT instead\n"
    "                 (\"-\": stdout)\n"
    "\n"
    "Per TB: a header line \";; TB PC SYMBOL+OFF (N insns, M host bytes)\", one\n"
    "line per guest instruction \"0xPC: MNEMONIC OPERANDS   ; FILE.c:LINE\"\n"
    "(symbol and source line when the guest's ELF file is readable and has\n"
    "them), then \";; out-of-line code (slow paths, constants)\".  A side file\n"
    "cut short inside a record (QEMU killed) is listed up to that record,\n"
    "with a note on stderr.\n"
    "\n"
    RUN_ARG_USAGE_EXIT;

/* Gaps between TBs larger than this are corruption, not lost records. */
#define MAX_LINE_GAP (1u << 24)
/* Longest guest instruction we disassemble (x86: 15 bytes). */
#define MAX_INSN_BYTES 16

struct listing {
    const char *name;           /* the side file, for messages */
    const struct tbs_header *header;
    csh cs;
    bool have_cs;
    struct guestsym *syms;      /* guest mappings, symbols, source lines */
    FILE *out;
    uint64_t next_line;         /* number of the next line to write */
    uint64_t nr_tb_records;
};

/* --- writing lines -------------------------------------------------------------- */

/* Write s with control characters replaced: a line must stay one line. */
static void put_clean(FILE *f, const char *s)
{
    for (; *s; s++)
        putc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* "0xPC: MNEMONIC OPERANDS" of the n bytes of one instruction at code. */
static void put_insn(struct listing *l, uint64_t pc, const uint8_t *code, size_t n)
{
    cs_insn *insn = NULL;

    fprintf(l->out, "0x%" PRIx64 ": ", pc);
    if (l->have_cs && cs_disasm(l->cs, code, n, pc, 1, &insn) == 1) {
        put_clean(l->out, insn->mnemonic);
        if (insn->op_str[0]) {
            putc(' ', l->out);
            put_clean(l->out, insn->op_str);
        }
        cs_free(insn, 1);
        return;
    }
    fputs(".byte", l->out);
    for (size_t i = 0; i < n; i++)
        fprintf(l->out, "%s0x%02x", i ? ", " : " ", code[i]);
}

/* "   ; FILE:LINE" when the DWARF line table knows the instruction. */
static void put_source(const struct guestsym_loc *loc, FILE *f)
{
    const char *base;

    if (!loc->src_file || loc->src_line <= 0)
        return;
    base = strrchr(loc->src_file, '/');
    fputs("   ; ", f);
    put_clean(f, base ? base + 1 : loc->src_file);
    fprintf(f, ":%d", loc->src_line);
}

/*
 * Instruction i: its bytes are at offset insn_pc[i] - insn_pc[0] of
 * guest_code and run to the next instruction (the last one: to guest_size).
 * Missing or nonsensical bytes are said to be unavailable.
 */
static int put_tb_insn(struct listing *l, const struct tbs_tb_view *tb, unsigned i)
{
    const struct guestsym_loc *loc;
    uint64_t pc = tbs_tb_insn_pc(tb, i);
    uint64_t off = pc - tbs_tb_insn_pc(tb, 0);
    uint64_t len;
    int err;

    if (i + 1 < tb->icount) {
        uint64_t next = tbs_tb_insn_pc(tb, i + 1);

        len = next > pc ? next - pc : 0;
    } else {
        len = off < tb->guest_size ? tb->guest_size - off : 0;
    }
    if (len == 0 || off >= tb->guest_code_size || len > tb->guest_code_size - off) {
        fprintf(l->out, "0x%" PRIx64 ": <bytes unavailable>", pc);
    } else {
        put_insn(l, pc, tb->guest_code + off, len > MAX_INSN_BYTES ? MAX_INSN_BYTES : len);
    }
    err = guestsym_lookup_flags(l->syms, pc, 0, &loc);
    if (err)
        return err;
    put_source(loc, l->out);
    putc('\n', l->out);
    return 0;
}

/*
 * ";; TB PC SYMBOL+OFF (N insns, M host bytes)", with the symbol libdwfl
 * knows: also a debug file's, where QEMU's name only has "object+0xoff".
 */
static int put_tb_header(struct listing *l, const struct tbs_tb_view *tb)
{
    const struct guestsym_loc *loc;
    int err = guestsym_lookup_flags(l->syms, tb->guest_pc, GUESTSYM_DWFL_SYMBOL, &loc);

    if (err)
        return err;
    fprintf(l->out, ";; TB 0x%" PRIx64, tb->guest_pc);
    if (loc->dwfl_symbol) {
        putc(' ', l->out);
        put_clean(l->out, loc->dwfl_symbol);
        if (loc->dwfl_offset)
            fprintf(l->out, "+0x%" PRIx64, loc->dwfl_offset);
    }
    fprintf(l->out, " (%u insn%s, %u host bytes)\n", tb->icount, tb->icount == 1 ? "" : "s",
            tb->host_size);
    return 0;
}

/*
 * The lines of one TB record at offset; returns 0, or TBSYM_EXIT_INPUT after
 * a message if its lines cannot be where the record says.
 */
static int put_tb(struct listing *l, const struct tbs_tb_view *tb, uint64_t offset)
{
    uint64_t line = tb->listing_line;
    int err;

    if (line == 0)
        return 0;
    if (l->have_cs)
        view_disasm_guest_mode(l->cs, l->header, tb->flags);
    if (line < l->next_line || line - l->next_line > MAX_LINE_GAP) {
        fprintf(stderr, "tbsym: %s: TB listing_line %" PRIu64 " at byte offset %" PRIu64
                " %s (next free line %" PRIu64 ")\n", l->name, line,
                offset + offsetof(struct tbs_tb, listing_line),
                line < l->next_line ? "overlaps an earlier TB's lines"
                                    : "leaves an implausible gap", l->next_line);
        return TBSYM_EXIT_INPUT;
    }
    for (; l->next_line < line; l->next_line++)
        putc('\n', l->out);
    err = put_tb_header(l, tb);
    for (unsigned i = 0; i < tb->icount && !err; i++)
        err = put_tb_insn(l, tb, i);
    if (err) {
        fprintf(stderr, "tbsym: %s: %s\n", l->name, strerror(-err));
        return TBSYM_EXIT_IO;
    }
    fputs(";; out-of-line code (slow paths, constants)\n", l->out);
    l->next_line = line + tb->icount + 2;
    l->nr_tb_records++;
    return 0;
}

/* --- one side file ---------------------------------------------------------------- */

/* Exit code for a reader error: bad input or an I/O problem. */
static int reader_exit_code(int err)
{
    return err == -ENODATA || err == -EBADMSG || err == -ENOTSUP ? TBSYM_EXIT_INPUT
                                                                 : TBSYM_EXIT_IO;
}

/* Write the listing of reader r to out; returns a TBSYM_EXIT_* code after any message. */
static int write_listing(struct tbs_reader *r, const char *name, FILE *out)
{
    struct listing l = { .name = name, .header = tbs_reader_header(r), .out = out,
                         .next_line = 1 };
    struct tbs_record_view rec;
    int ret, rc = TBSYM_EXIT_OK;

    if (guestsym_new(NULL, &l.syms) < 0) {
        fprintf(stderr, "tbsym: %s\n", strerror(ENOMEM));
        return TBSYM_EXIT_IO;
    }
    l.have_cs = view_disasm_open(l.header->guest_machine, &l.cs);
    while ((ret = tbs_reader_next(r, &rec)) == 1) {
        switch (rec.type) {
        case TBS_REC_MAPPING:
            ret = guestsym_add_mapping(l.syms, &rec.u.mapping);
            break;
        case TBS_REC_UNMAP:
            ret = guestsym_remove(l.syms, rec.u.unmap.start, rec.u.unmap.end);
            break;
        case TBS_REC_TB:
            rc = put_tb(&l, &rec.u.tb, rec.offset);
            break;
        default:
            break;  /* FLUSH changes no guest address; END; newer types */
        }
        if (ret < 0) {
            fprintf(stderr, "tbsym: %s: %s\n", name, strerror(-ret));
            rc = TBSYM_EXIT_IO;
        }
        if (rc != TBSYM_EXIT_OK)
            break;
    }
    if (rc == TBSYM_EXIT_OK && ret == -ENODATA) {
        /* QEMU was killed mid-write: what precedes the cut is whole. */
        fprintf(stderr, "tbsym: %s; listing the %" PRIu64 " TBs before it\n",
                tbs_reader_strerror(r), l.nr_tb_records);
    } else if (rc == TBSYM_EXIT_OK && ret < 0) {
        fprintf(stderr, "tbsym: %s\n", tbs_reader_strerror(r));
        rc = reader_exit_code(ret);
    }
    if (l.have_cs)
        cs_close(&l.cs);
    guestsym_free(l.syms);
    return rc;
}

/* Copy all of f to dst; 0, or -EIO when reading or writing failed. */
static int copy_stream(FILE *f, FILE *dst)
{
    char buf[65536];
    size_t n;

    rewind(f);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (fwrite(buf, 1, n, dst) != n)
            return -EIO;
    return ferror(f) || fflush(dst) ? -EIO : 0;
}

/*
 * Does out_path name something that must be written into, never replaced by
 * a rename: standard output ("-"), or an existing device, pipe or socket
 * (/dev/null, /dev/stdout, a FIFO)?
 */
static bool output_is_stream(const char *out_path)
{
    struct stat st;

    if (strcmp(out_path, "-") == 0)
        return true;
    return stat(out_path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/*
 * The listing of the side file at path into out_path; NULL means jit-PID.s
 * in the side file's directory, "-" stdout.  Returns a TBSYM_EXIT_* code.
 */
static int list_file(const char *path, const char *out_path)
{
    struct tbs_reader *r = NULL;
    char *dest = NULL;
    const char *slash;
    struct outfile of;
    FILE *out = NULL;
    int err, rc;

    err = tbs_reader_open(path, &r);
    if (err) {
        if (!r) {
            fprintf(stderr, "tbsym: %s: %s\n", path, strerror(-err));
            return TBSYM_EXIT_IO;
        }
        fprintf(stderr, "tbsym: %s\n", tbs_reader_strerror(r));
        rc = reader_exit_code(err);
        goto out;
    }

    if (out_path) {
        dest = strdup(out_path);
    } else {
        enum run_file kind;
        uint32_t pid;
        char *dir;

        /*
         * QEMU names the side file and the listing after the same PID; the
         * header's pid only for a side file someone renamed.
         */
        slash = strrchr(path, '/');
        kind = run_file_kind(slash ? slash + 1 : path, &pid);
        if (kind != RUN_FILE_SIDE && kind != RUN_FILE_SIDE_PART)
            pid = tbs_reader_header(r)->pid;
        dir = slash ? strndup(path, (size_t)(slash - path + 1)) : NULL;
        if (!slash || dir)
            dest = run_file_path(dir, RUN_FILE_LISTING, pid);
        free(dir);
    }
    if (!dest) {
        fprintf(stderr, "tbsym: %s\n", strerror(ENOMEM));
        rc = TBSYM_EXIT_IO;
        goto out;
    }

    /* Also for jit-PID.s itself: a device or FIFO there is written into. */
    if (output_is_stream(dest)) {
        /* Write nothing unless the whole listing can be written. */
        bool is_stdout = strcmp(dest, "-") == 0;
        FILE *dst;

        out = tmpfile();
        if (!out) {
            fprintf(stderr, "tbsym: temporary file: %s\n", strerror(errno));
            rc = TBSYM_EXIT_IO;
            goto out;
        }
        rc = write_listing(r, path, out);
        if (rc == TBSYM_EXIT_OK && fflush(out)) {
            fprintf(stderr, "tbsym: temporary file: %s\n", strerror(errno));
            rc = TBSYM_EXIT_IO;
        }
        if (rc == TBSYM_EXIT_OK) {
            int werr = 0;

            dst = is_stdout ? stdout : fopen(dest, "w");
            if (!dst) {
                werr = errno;
            } else {
                errno = 0;
                if (copy_stream(out, dst))
                    werr = errno ? errno : EIO;
                /* Closed also after a failed copy, but its error reported once. */
                if (!is_stdout && fclose(dst) != 0 && !werr)
                    werr = errno ? errno : EIO;
            }
            if (werr) {
                fprintf(stderr, "tbsym: %s: %s\n", is_stdout ? "standard output" : dest,
                        strerror(werr));
                rc = TBSYM_EXIT_IO;
            }
        }
        fclose(out);
        goto out;
    }

    rc = outfile_open(&of, dest);
    if (rc != TBSYM_EXIT_OK)
        goto out;
    rc = write_listing(r, path, of.f);
    if (outfile_close(&of, rc == TBSYM_EXIT_OK) != TBSYM_EXIT_OK && rc == TBSYM_EXIT_OK)
        rc = TBSYM_EXIT_IO;

out:
    free(dest);
    tbs_reader_close(r);
    return rc;
}

/* --- the side files of a directory ------------------------------------------------ */

static int list_dir(const char *dir)
{
    struct run_side *sides;
    int nr, rc = TBSYM_EXIT_OK;

    nr = run_side_files(dir, &sides);
    if (nr < 0) {
        fprintf(stderr, "tbsym: %s: %s\n", dir, strerror(-nr));
        return TBSYM_EXIT_IO;
    }
    if (nr == 0) {
        fprintf(stderr, "tbsym: %s: no jit-PID.tbstats or jit-PID.tbstats.part files "
                "(run QEMU with -perf)\n", dir);
        return TBSYM_EXIT_INPUT;
    }
    for (int i = 0; i < nr; i++) {
        char *path;
        int one;

        if (asprintf(&path, "%s/%s", dir, sides[i].name) < 0) {
            fprintf(stderr, "tbsym: %s\n", strerror(ENOMEM));
            one = TBSYM_EXIT_IO;
        } else {
            one = list_file(path, NULL);
            free(path);
        }
        /* Go on with the others; the worst outcome decides the exit code. */
        if (one > rc)
            rc = one;
    }
    run_sides_free(sides, nr);
    return rc;
}

/* listing's own argument (struct view_cmdline's own()): RUN into the const char * at ctx. */
static int listing_option(const struct view_opts *vo, void *ctx, const char *a, const char *val)
{
    const char **run = ctx;

    (void)vo;
    (void)val;
    if ((a[0] == '-' && a[1]) || *run)
        return 0;
    *run = a;
    return 1;
}

int cmd_listing(int argc, char **argv)
{
    const char *out_path = NULL, *arg = NULL;
    struct view_cmdline cl = {
        .v = { .cmd = "listing", .usage = cmd_listing_usage },
        .output = &out_path,
        .own = listing_option,
        .ctx = &arg,
    };
    struct run_arg ra;
    int rc;

    rc = view_parse_cmdline(&cl, argc, argv);
    if (rc)
        return rc;
    if (!arg)
        arg = ".";
    rc = run_arg_classify(&ra, arg);
    if (rc)
        return rc;
    if (ra.kind != RUN_ARG_SIDE_FILE) {
        if (out_path)
            return view_usage_error(&cl.v, "%s needs one side file, not a directory or "
                                    "perf.data", "-o");
        return list_dir(ra.dir);
    }
    return tbsym_finish_stdout(list_file(arg, out_path));
}
