/*
 * dump.c: what tbsym dump's dumpers share: the exit code and message of a
 * reader's result, the document's frame around the records (see dump.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "tbsym.h"

/* Is err about the input (exit 2) rather than about reading it (exit 3)? */
static bool input_error(int err)
{
    return err == -ENODATA || err == -EBADMSG || err == -ENOTSUP;
}

/* A reader could not even be opened: nothing usable, not even with --partial. */
int dump_open_failed(int err, const char *msg)
{
    fprintf(stderr, "tbsym: %s\n", msg ? msg : strerror(-err));
    return input_error(err) ? TBSYM_EXIT_INPUT : TBSYM_EXIT_IO;
}

/* The summary's last fields: the bytes read and how the file ended. */
static void summary_end(struct out *o, int ret, const struct dump_opts *opts,
                        uint64_t valid_bytes, const char *errmsg)
{
    out_u64(o, "valid_bytes", valid_bytes);
    out_word(o, "end", ret == 0 ? "clean" : ret == -ENODATA && opts->partial ? "truncated"
                                                                              : "error");
    if (ret < 0)
        out_str(o, "error", errmsg, strlen(errmsg));
}

/*
 * After the document: the exit code for the reader's final result ret (0 or
 * a negative errno) and its message; total is the number of records printed.
 */
static int finish(int ret, const struct dump_opts *opts, const char *errmsg, uint64_t total)
{
    /* stdout complete before the diagnostic, so the two never interleave. */
    int out_rc = tbsym_finish_stdout(TBSYM_EXIT_OK);

    if (ret == -ENODATA && opts->partial) {
        fprintf(stderr, "tbsym: note: %s; printed the %llu records before it (--partial)\n",
                errmsg, (unsigned long long)total);
        ret = TBSYM_EXIT_OK;
    } else if (ret < 0) {
        fprintf(stderr, "tbsym: %s\n", errmsg);
        ret = input_error(ret) ? TBSYM_EXIT_INPUT : TBSYM_EXIT_IO;
    } else {
        ret = TBSYM_EXIT_OK;
    }
    return out_rc != TBSYM_EXIT_OK ? out_rc : ret;
}

int dump_run(const struct dump_reader *rd, void *arg, const struct dump_opts *opts)
{
    uint64_t total = 0;
    struct out o;
    int ret;

    out_init(&o, stdout, opts->format);
    rd->header(&o, arg);
    out_array_begin(&o, "records");
    while ((ret = rd->record(&o, arg)) == 1)
        total++;
    out_array_end(&o);

    out_object_begin(&o, "summary", "summary");
    out_u64(&o, "records", total);
    rd->summary(&o, arg);
    summary_end(&o, ret, opts, rd->offset(arg), rd->strerror(arg));
    out_object_end(&o);
    out_finish(&o);
    return finish(ret, opts, rd->strerror(arg), total);
}

void dump_record_begin(struct out *o, uint64_t offset, const char *name, uint32_t id,
                       uint64_t size)
{
    out_object_begin(o, NULL, NULL);
    out_u64(o, "offset", offset);
    out_word(o, "type", name ? name : "UNKNOWN");
    if (!name)
        out_u64(o, "id", id);
    out_u64(o, "size", size);
}

const char *dump_elf_machine_name(uint32_t mach)
{
    switch (mach) {
    case 3:   return "i386";
    case 8:   return "mips";
    case 20:  return "ppc";
    case 21:  return "ppc64";
    case 22:  return "s390";
    case 40:  return "arm";
    case 62:  return "x86_64";
    case 183: return "aarch64";
    case 243: return "riscv";
    case 258: return "loongarch";
    default:  return "unknown";
    }
}
