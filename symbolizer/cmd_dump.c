/*
 * cmd_dump.c: "tbsym dump", print every record of a file as text or JSON.
 *
 * The file type is recognised by its first bytes; each type is one entry
 * of dump_formats[]: a probe and a function that prints the file through
 * struct out (so text and JSON come from the same code).  The output is
 *
 *   header   the file header
 *   records  one per record, in file order, with its byte offset and type
 *   summary  the number of records of each type and how the file ended:
 *            "clean", "truncated" (--partial) or "error"
 *
 * in JSON one object {"header":{...},"records":[...],"summary":{...}}.
 * When the file is bad, the records before the bad spot are printed, the
 * summary says so, stdout stays a complete document, and one line
 * "tbsym: FILE: WHAT at byte offset N (DETAIL)" goes to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitdump.h"
#include "out.h"
#include "tbsym.h"

const char cmd_dump_usage[] =
    "usage: tbsym dump [--format text|json] [--partial] FILE\n"
    "\n"
    "Print the header, every record and a summary of FILE (a jitdump).\n"
    "  --format text   one line per record, key=value fields (default)\n"
    "  --format json   one JSON object {\"header\", \"records\", \"summary\"}\n"
    "  --partial       accept a file whose last record is cut short (a file\n"
    "                  still being written): print what precedes it, note it\n"
    "                  on stderr and exit 0 instead of 2\n"
    "\n"
    "exit status: 0 success, 2 bad usage or bad input, 3 I/O error\n";

struct dump_opts {
    enum out_format format;
    bool partial;
};

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

/* --- jitdump ----------------------------------------------------------------- */

static bool probe_jitdump(const unsigned char *head, size_t len)
{
    static const unsigned char le[4] = { 0x44, 0x54, 0x69, 0x4A };
    static const unsigned char be[4] = { 0x4A, 0x69, 0x54, 0x44 };

    return len >= 4 && (!memcmp(head, le, 4) || !memcmp(head, be, 4));
}

static const char *elf_machine_name(uint32_t mach)
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

static void dump_jitdump_header(struct out *o, const struct jd_header *h)
{
    out_object_begin(o, "header", "header");
    out_word(o, "format", "jitdump");
    out_u64(o, "version", h->version);
    out_word(o, "byte_order", h->big_endian ? "big" : "little");
    out_u64(o, "size", h->total_size);
    out_u64(o, "elf_mach", h->elf_mach);
    out_word(o, "machine", elf_machine_name(h->elf_mach));
    out_u64(o, "pid", h->pid);
    out_u64(o, "timestamp", h->timestamp);
    out_hex(o, "flags", h->flags);
    out_object_end(o);
}

static void dump_jitdump_record(struct out *o, const struct jd_record *rec,
                                uint64_t *nr_entries)
{
    const char *type = jd_record_name(rec->id);

    out_object_begin(o, NULL, NULL);
    out_u64(o, "offset", rec->offset);
    out_word(o, "type", type ? type : "UNKNOWN");
    if (!type)
        out_u64(o, "id", rec->id);
    out_u64(o, "size", rec->size);
    out_u64(o, "timestamp", rec->timestamp);

    switch (rec->id) {
    case JITDUMP_CODE_LOAD: {
        const struct jd_code_load *l = &rec->u.load;

        out_u64(o, "pid", l->pid);
        out_u64(o, "tid", l->tid);
        out_hex(o, "vma", l->vma);
        out_hex(o, "code_addr", l->code_addr);
        out_u64(o, "code_size", l->code_size);
        out_u64(o, "code_index", l->code_index);
        out_str(o, "name", l->name, l->name_len);
        break;
    }
    case JITDUMP_CODE_MOVE: {
        const struct jd_code_move *m = &rec->u.move;

        out_u64(o, "pid", m->pid);
        out_u64(o, "tid", m->tid);
        out_hex(o, "vma", m->vma);
        out_hex(o, "old_code_addr", m->old_code_addr);
        out_hex(o, "new_code_addr", m->new_code_addr);
        out_u64(o, "code_size", m->code_size);
        out_u64(o, "code_index", m->code_index);
        break;
    }
    case JITDUMP_CODE_DEBUG_INFO: {
        const struct jd_debug_info *d = &rec->u.debug_info;
        struct jd_debug_iter it;
        struct jd_debug_entry e;

        out_hex(o, "code_addr", d->code_addr);
        out_u64(o, "nr_entry", d->nr_entry);
        out_array_begin(o, "entries");
        jd_debug_iter_init(&it, d);
        /* Cannot fail: jd_reader_next() checked every entry. */
        while (jd_debug_iter_next(&it, &e) == 1) {
            out_object_begin(o, NULL, "entry");
            out_hex(o, "addr", e.addr);
            out_i64(o, "lineno", e.lineno);
            out_i64(o, "discrim", e.discrim);
            out_str(o, "name", e.name, e.name_len);
            out_flag(o, "name_repeated", e.name_repeated);
            out_object_end(o);
            (*nr_entries)++;
        }
        out_array_end(o);
        break;
    }
    case JITDUMP_CODE_UNWINDING_INFO: {
        const struct jd_unwinding_info *u = &rec->u.unwinding;

        out_u64(o, "unwinding_size", u->unwinding_size);
        out_u64(o, "eh_frame_hdr_size", u->eh_frame_hdr_size);
        out_u64(o, "mapped_size", u->mapped_size);
        break;
    }
    default:
        break;
    }
    out_object_end(o);
}

/* Is err about the input (exit 2) rather than about reading it (exit 3)? */
static bool jitdump_input_error(int err)
{
    return err == -ENODATA || err == -EBADMSG || err == -ENOTSUP;
}

static int dump_jitdump(const char *path, const uint8_t *buf, size_t len,
                        const struct dump_opts *opts)
{
    uint64_t counts[JITDUMP_CODE_MAX] = { 0 }, unknown = 0, total = 0, nr_entries = 0;
    struct jd_reader *r;
    struct jd_record rec;
    struct out o;
    int ret, out_rc;

    ret = buf ? jd_reader_open_mem(buf, len, path, &r) : jd_reader_open(path, &r);
    if (ret < 0) {
        /* Nothing usable, not even with --partial: there is no header. */
        fprintf(stderr, "tbsym: %s\n", r ? jd_reader_strerror(r) : strerror(-ret));
        jd_reader_close(r);
        return jitdump_input_error(ret) ? TBSYM_EXIT_INPUT : TBSYM_EXIT_IO;
    }

    out_init(&o, stdout, opts->format);
    dump_jitdump_header(&o, jd_reader_header(r));
    out_array_begin(&o, "records");
    while ((ret = jd_reader_next(r, &rec)) == 1) {
        dump_jitdump_record(&o, &rec, &nr_entries);
        if (rec.id < JITDUMP_CODE_MAX)
            counts[rec.id]++;
        else
            unknown++;
        total++;
    }
    out_array_end(&o);

    out_object_begin(&o, "summary", "summary");
    out_u64(&o, "records", total);
    for (uint32_t id = 0; id < JITDUMP_CODE_MAX; id++)
        out_u64(&o, jd_record_name(id), counts[id]);
    out_u64(&o, "unknown", unknown);
    out_u64(&o, "debug_entries", nr_entries);
    out_u64(&o, "valid_bytes", jd_reader_offset(r));
    out_word(&o, "end", ret == 0 ? "clean" : ret == -ENODATA && opts->partial ? "truncated"
                                                                               : "error");
    if (ret < 0)
        out_str(&o, "error", jd_reader_strerror(r), strlen(jd_reader_strerror(r)));
    out_object_end(&o);
    out_finish(&o);

    /* stdout complete before the diagnostic, so the two never interleave. */
    out_rc = tbsym_finish_stdout(TBSYM_EXIT_OK);
    if (ret == -ENODATA && opts->partial) {
        fprintf(stderr, "tbsym: note: %s; printed the %llu records before it (--partial)\n",
                jd_reader_strerror(r), (unsigned long long)total);
        ret = TBSYM_EXIT_OK;
    } else if (ret < 0) {
        fprintf(stderr, "tbsym: %s\n", jd_reader_strerror(r));
        ret = jitdump_input_error(ret) ? TBSYM_EXIT_INPUT : TBSYM_EXIT_IO;
    } else {
        ret = TBSYM_EXIT_OK;
    }
    jd_reader_close(r);
    return out_rc != TBSYM_EXIT_OK ? out_rc : ret;
}

static const struct dump_format dump_formats[] = {
    { "jitdump", probe_jitdump, dump_jitdump },
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

static int dump_usage_error(const char *fmt, const char *arg)
{
    fputs("tbsym dump: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(cmd_dump_usage, stderr);
    return TBSYM_EXIT_INPUT;
}

int cmd_dump(int argc, char **argv)
{
    struct dump_opts opts = { .format = OUT_TEXT };
    const char *path = NULL, *format = NULL;
    unsigned char head[16];
    uint8_t *data = NULL;
    size_t data_len = 0;
    struct stat st;
    ssize_t len;
    int fd, rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(cmd_dump_usage, stdout);
            return tbsym_finish_stdout(TBSYM_EXIT_OK);
        } else if (!strcmp(a, "--partial")) {
            opts.partial = true;
        } else if (!strcmp(a, "--format")) {
            if (++i == argc)
                return dump_usage_error("%s needs an argument", a);
            format = argv[i];
        } else if (!strncmp(a, "--format=", 9)) {
            format = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return dump_usage_error("unknown option '%s'", a);
        } else if (path) {
            return dump_usage_error("more than one file given ('%s')", a);
        } else {
            path = a;
        }
    }
    if (format) {
        if (!strcmp(format, "json"))
            opts.format = OUT_JSON;
        else if (strcmp(format, "text"))
            return dump_usage_error("unknown format '%s' (text or json)", format);
    }
    if (!path)
        return dump_usage_error("%s", "no FILE given");

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "tbsym: %s: %s\n", path, strerror(errno));
        return TBSYM_EXIT_IO;
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
                "not a jitdump) at byte offset 0\n", path, head[0], head[1], head[2], head[3]);
    return TBSYM_EXIT_INPUT;
}
