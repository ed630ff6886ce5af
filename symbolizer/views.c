/*
 * views.c: what tbsym's offline views share (see views.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guestsym.h"
#include "tbsym.h"
#include "views.h"

/* --- options and loading --------------------------------------------------------- */

int view_usage_error(const struct view_opts *v, const char *fmt, const char *arg)
{
    fprintf(stderr, "tbsym %s: ", v->cmd);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(v->usage, stderr);
    return TBSYM_EXIT_INPUT;
}

/* A process id: decimal, 1 to UINT32_MAX. */
static bool parse_pid(const char *s, uint32_t *pid)
{
    char *end;
    unsigned long p;

    errno = 0;
    p = strtoul(s, &end, 10);
    if (errno || !*s || *end || p == 0 || p > UINT32_MAX)
        return false;
    *pid = (uint32_t)p;
    return true;
}

int view_parse_single(struct view_opts *v, int argc, char **argv, const char **arg,
                      bool (*looks_like_arg)(const char *), const char *missing)
{
    char *pos[3];
    int n = 0;

    *arg = NULL;
    for (int i = 1; i < argc; i++) {
        int r = view_parse_option(v, argc, argv, &i);

        if (r < 0)
            return TBSYM_EXIT_INPUT;
        if (r)
            continue;
        if (argv[i][0] == '-' || n == 2)
            return view_usage_error(v, "unknown argument '%s'", argv[i]);
        pos[n++] = argv[i];
    }
    return view_take_positionals(v, n, pos, looks_like_arg, arg, missing);
}

int view_take_positionals(struct view_opts *v, int n, char **pos,
                          bool (*looks_like_arg)(const char *), const char **arg,
                          const char *missing)
{
    const char *run;
    int rc = view_split_run(v, n, pos, n == 1 && looks_like_arg(pos[0]), &run, arg, missing);

    if (rc == 0 && run)
        rc = view_take_run(v, run);
    return rc;
}

int view_split_run(const struct view_opts *v, int n, char **pos, bool is_arg,
                   const char **run, const char **arg, const char *missing)
{
    *run = NULL;
    *arg = NULL;
    if (n == 0)
        return view_usage_error(v, "%s", missing);
    if (n > 2)
        return view_usage_error(v, "unknown argument '%s'", pos[2]);
    if (n == 1) {
        if (!is_arg && run_arg_exists(pos[0])) {
            fprintf(stderr, "tbsym %s: '%s' is a path, taken as RUN, but %s: "
                    "give RUN first, then the argument\n", v->cmd, pos[0], missing);
            fputs(v->usage, stderr);
            return TBSYM_EXIT_INPUT;
        }
        *arg = pos[0];
        return 0;
    }
    if (!run_arg_exists(pos[0]) && run_arg_exists(pos[1])) {
        fprintf(stderr, "tbsym %s: RUN comes first: tbsym %s %s %s\n", v->cmd, v->cmd,
                pos[1], pos[0]);
        fputs(v->usage, stderr);
        return TBSYM_EXIT_INPUT;
    }
    *run = pos[0];
    *arg = pos[1];
    return 0;
}

int view_take_run(struct view_opts *v, const char *path)
{
    int rc;

    if (v->dir || v->tbstats)
        return view_usage_error(v, "RUN '%s' and --dir or --tbstats both given: give one", path);
    rc = run_arg_classify(&v->run, path);
    if (rc)
        return rc;
    switch (v->run.kind) {
    case RUN_ARG_DIR:
    case RUN_ARG_PERF_DATA:
        v->dir = v->run.dir;
        break;
    case RUN_ARG_SIDE_FILE:
        v->tbstats = path;
        if (!v->jitdump && v->run.jitdump[0])
            v->jitdump = v->run.jitdump;
        break;
    }
    return 0;
}

bool view_parse_count(const char *s, unsigned long long *n)
{
    char *end;
    unsigned long long x;

    errno = 0;
    x = strtoull(s, &end, 10);
    if (errno || !*s || *end || s[0] == '-')
        return false;
    *n = x;
    return true;
}

int view_parse_option(struct view_opts *v, int argc, char **argv, int *i)
{
    static const char *const with_arg[] = { "--dir", "--pid", "--tbstats", "--jitdump", "--format" };
    const char *a = argv[*i], *val = NULL, *name = NULL;
    char opt[16];

    for (size_t j = 0; j < sizeof(with_arg) / sizeof(with_arg[0]); j++) {
        size_t n = strlen(with_arg[j]);

        if (!strcmp(a, with_arg[j])) {
            if (*i + 1 >= argc) {
                view_usage_error(v, "%s needs an argument", a);
                return -1;
            }
            name = with_arg[j];
            val = argv[++*i];
            break;
        }
        if (!strncmp(a, with_arg[j], n) && a[n] == '=') {
            name = with_arg[j];
            val = a + n + 1;
            break;
        }
    }
    if (!name)
        return 0;
    snprintf(opt, sizeof(opt), "%s", name);
    if (!strcmp(opt, "--dir")) {
        v->dir = val;
    } else if (!strcmp(opt, "--tbstats")) {
        v->tbstats = val;
    } else if (!strcmp(opt, "--jitdump")) {
        v->jitdump = val;
    } else if (!strcmp(opt, "--pid")) {
        if (!parse_pid(val, &v->pid)) {
            view_usage_error(v, "bad --pid '%s'", val);
            return -1;
        }
    } else if (!view_parse_format(val, true, &v->format)) {
        view_usage_error(v, "unknown format '%s' (text, json or csv)", val);
        return -1;
    }
    return 1;
}

bool view_parse_format(const char *s, bool csv, enum view_format *f)
{
    if (!strcmp(s, "text"))
        *f = VIEW_TEXT;
    else if (!strcmp(s, "json"))
        *f = VIEW_JSON;
    else if (csv && !strcmp(s, "csv"))
        *f = VIEW_CSV;
    else
        return false;
    return true;
}

/* Missing or bad input is the user's (2); anything else is I/O (3). */
static int exit_code_of(int err)
{
    switch (err) {
    case -ENOENT:
    case -ENOTDIR:
    case -EBADMSG:
    case -ENODATA:
    case -ENOTSUP:
        return TBSYM_EXIT_INPUT;
    default:
        return TBSYM_EXIT_IO;
    }
}

int view_open(const struct view_opts *v, struct tbdb **dbp)
{
    char *tbs = NULL, *jd = NULL;
    int err;

    *dbp = NULL;
    if (v->jitdump && !v->tbstats) {
        fprintf(stderr, "tbsym %s: --jitdump needs --tbstats\n", v->cmd);
        return TBSYM_EXIT_INPUT;
    }
    if (!v->tbstats) {
        const char *dir = v->dir ? v->dir : ".";
        struct stat st;

        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
            err = stat(dir, &st) < 0 ? errno : ENOTDIR;
            fprintf(stderr, "tbsym: %s: %s\n", dir, strerror(err));
            return exit_code_of(-err);
        }
        err = tbdb_find_files(dir, v->pid, &tbs, &jd);
        if (err == -ENOENT && v->pid) {
            fprintf(stderr, "tbsym: %s: no jit-%u.tbstats or jit-%u.tbstats.part\n",
                    dir, v->pid, v->pid);
            return TBSYM_EXIT_INPUT;
        }
        if (err == -ENOENT) {
            fprintf(stderr, "tbsym: %s: no jit-PID.tbstats or jit-PID.tbstats.part\n", dir);
            return TBSYM_EXIT_INPUT;
        }
        if (err < 0) {
            fprintf(stderr, "tbsym: %s: %s\n", dir, strerror(-err));
            return exit_code_of(err);
        }
    }
    err = tbdb_open(tbs ? tbs : v->tbstats, tbs ? jd : v->jitdump, dbp);
    free(tbs);
    free(jd);
    if (err < 0) {
        fprintf(stderr, "tbsym: %s\n", *dbp ? tbdb_strerror(*dbp) : strerror(-err));
        tbdb_close(*dbp);
        *dbp = NULL;
        return exit_code_of(err);
    }
    if (tbdb_warning(*dbp))
        fprintf(stderr, "tbsym: warning: %s; using the records before it\n", tbdb_warning(*dbp));
    return 0;
}

bool view_looks_like_key(const char *s)
{
    size_t n = strspn(s, "0123456789");

    if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && s[2])
        return strspn(s + 2, "0123456789abcdefABCDEF") == strlen(s + 2);
    return n && !s[n];
}

const struct tbdb_key *view_find_key(const struct view_opts *v, const struct tbdb *db,
                                     const char *arg)
{
    const struct tbdb_key *k = NULL;
    unsigned long long n;
    char *end;

    errno = 0;
    if (!strncmp(arg, "0x", 2) || !strncmp(arg, "0X", 2)) {
        n = strtoull(arg + 2, &end, 16);
        if (arg[2] && !*end && !errno)
            k = tbdb_key_by_pc(db, n);
    } else {
        n = strtoull(arg, &end, 10);
        if (*arg && !*end && !errno && n <= UINT32_MAX)
            k = tbdb_key_by_id(db, n);
        else {
            view_usage_error(v, "'%s' is neither a stats_id nor 0xGUESTPC", arg);
            return NULL;
        }
    }
    if (!k)
        fprintf(stderr, "tbsym: %s: no key %s %s\n", db->tbstats_path,
                arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X') ? "at guest_pc" : "with stats_id",
                arg);
    return k;
}

const char *view_key_name(const struct tbdb_key *k, char *buf, size_t size, size_t *lenp)
{
    if (k->latest && k->latest->have_load) {
        *lenp = k->latest->name_len;
        return k->latest->name;
    }
    snprintf(buf, size, "guest-0x%" PRIx64, k->guest_pc);
    *lenp = strlen(buf);
    return buf;
}

/* --- tables ------------------------------------------------------------------------ */

enum cell_kind { CELL_U64, CELL_HEX, CELL_STR, CELL_RATIO, CELL_CENTS, CELL_NONE };

/* 24 bytes: a report of every key holds millions (500,000 rows of 20 columns). */
struct cell {
    uint8_t kind;              /* enum cell_kind */
    uint32_t len;              /* CELL_STR: strlen(s) */
    union {
        struct {
            uint64_t a, b;     /* the number(s) of the other kinds */
        };
        char *s;               /* CELL_STR: owned, NUL-terminated */
    };
};

struct table {
    const struct table_col *cols;
    size_t ncols;
    struct cell *cells;
    size_t nr, cap;
    bool failed;
};

struct table *table_new(const struct table_col *cols, size_t ncols)
{
    struct table *t = calloc(1, sizeof(*t));

    if (t) {
        t->cols = cols;
        t->ncols = ncols;
    }
    return t;
}

void table_free(struct table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nr; i++)
        if (t->cells[i].kind == CELL_STR)
            free(t->cells[i].s);
    free(t->cells);
    free(t);
}

bool table_ok(const struct table *t)
{
    return t && !t->failed;
}

static struct cell *table_add(struct table *t, enum cell_kind kind)
{
    if (t->nr == t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 64 * t->ncols;
        struct cell *n = realloc(t->cells, ncap * sizeof(*n));

        if (!n) {
            t->failed = true;
            return NULL;
        }
        t->cells = n;
        t->cap = ncap;
    }
    t->cells[t->nr] = (struct cell){ .kind = kind };
    return &t->cells[t->nr++];
}

void table_u64(struct table *t, uint64_t v)
{
    struct cell *c = table_add(t, CELL_U64);

    if (c)
        c->a = v;
}

void table_hex(struct table *t, uint64_t v)
{
    struct cell *c = table_add(t, CELL_HEX);

    if (c)
        c->a = v;
}

void table_str(struct table *t, const char *s, size_t len)
{
    struct cell *c = table_add(t, CELL_STR);

    if (!c)
        return;
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    c->s = malloc(len + 1);
    if (!c->s) {
        t->failed = true;
        c->kind = CELL_U64;
        return;
    }
    memcpy(c->s, s, len);
    c->s[len] = '\0';
    c->len = (uint32_t)len;
}

void table_ratio(struct table *t, uint64_t num, uint64_t den)
{
    struct cell *c = table_add(t, CELL_RATIO);

    if (c) {
        c->a = num;
        c->b = den;
    }
}

void table_none(struct table *t)
{
    table_add(t, CELL_NONE);
}

void table_cents(struct table *t, int64_t cents, bool plus)
{
    struct cell *c = table_add(t, CELL_CENTS);

    if (c) {
        c->a = (uint64_t)cents;
        c->b = plus;
    }
}

/* A cell as text: numbers formatted, strings with control bytes shown as '?'. */
static size_t cell_text(const struct cell *c, char *buf, size_t size)
{
    switch (c->kind) {
    case CELL_U64:
        return snprintf(buf, size, "%" PRIu64, c->a);
    case CELL_NONE:
        return snprintf(buf, size, "-");
    case CELL_HEX:
        return snprintf(buf, size, "0x%" PRIx64, c->a);
    case CELL_RATIO:
        if (!c->b)
            return snprintf(buf, size, "-");
        else {
            /* Two decimals, rounded half up, as out_ratio(). */
            unsigned __int128 v = ((unsigned __int128)c->a * 200 + c->b) / (2 * (unsigned __int128)c->b);

            return snprintf(buf, size, "%" PRIu64 ".%02u", (uint64_t)(v / 100), (unsigned)(v % 100));
        }
    case CELL_CENTS: {
        int64_t v = (int64_t)c->a;
        uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;

        return snprintf(buf, size, "%s%" PRIu64 ".%02" PRIu64,
                        v < 0 ? "-" : c->b && v > 0 ? "+" : "", m / 100, m % 100);
    }
    case CELL_STR:
    default: {
        size_t n = c->len < size - 1 ? c->len : size - 1;

        for (size_t i = 0; i < n; i++)
            buf[i] = (unsigned char)c->s[i] < 0x20 || c->s[i] == 0x7f ? '?' : c->s[i];
        buf[n] = '\0';
        return n;
    }
    }
}

char *view_percent_str(char *buf, size_t size, uint64_t a, uint64_t b)
{
    struct cell c = { .kind = CELL_RATIO, .a = a <= UINT64_MAX / 100 ? a * 100 : a,
                      .b = a <= UINT64_MAX / 100 ? b : b / 100 };

    cell_text(&c, buf, size);
    return buf;
}

void table_print_text(const struct table *t, FILE *f)
{
    size_t rows = t->nr / t->ncols, *width = calloc(t->ncols, sizeof(*width));
    char buf[512];

    if (!width)
        return;
    for (size_t j = 0; j < t->ncols; j++)
        width[j] = strlen(t->cols[j].name);
    for (size_t i = 0; i < rows * t->ncols; i++) {
        size_t n = cell_text(&t->cells[i], buf, sizeof(buf));

        if (n >= sizeof(buf))
            n = sizeof(buf) - 1;
        if (n > width[i % t->ncols])
            width[i % t->ncols] = n;
    }
    for (size_t j = 0; j < t->ncols; j++) {
        bool last = j + 1 == t->ncols;

        if (t->cols[j].left)
            fprintf(f, "%s%-*s", j ? "  " : "", last ? 0 : (int)width[j], t->cols[j].name);
        else
            fprintf(f, "%s%*s", j ? "  " : "", (int)width[j], t->cols[j].name);
    }
    putc('\n', f);
    for (size_t r = 0; r < rows; r++) {
        for (size_t j = 0; j < t->ncols; j++) {
            bool last = j + 1 == t->ncols;

            cell_text(&t->cells[r * t->ncols + j], buf, sizeof(buf));
            if (t->cols[j].left)
                fprintf(f, "%s%-*s", j ? "  " : "", last ? 0 : (int)width[j], buf);
            else
                fprintf(f, "%s%*s", j ? "  " : "", (int)width[j], buf);
        }
        putc('\n', f);
    }
    free(width);
}

static void csv_field(FILE *f, const char *s, size_t len)
{
    bool quote = false;

    for (size_t i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            quote = true;
    if (!quote) {
        fwrite(s, 1, len, f);
        return;
    }
    putc('"', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc('"', f);
        putc(s[i], f);
    }
    putc('"', f);
}

void table_print_csv(const struct table *t, FILE *f)
{
    size_t rows = t->nr / t->ncols;
    char buf[512];

    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            putc(',', f);
        csv_field(f, t->cols[j].name, strlen(t->cols[j].name));
    }
    putc('\n', f);
    for (size_t r = 0; r < rows; r++) {
        for (size_t j = 0; j < t->ncols; j++) {
            const struct cell *c = &t->cells[r * t->ncols + j];

            if (j)
                putc(',', f);
            if (c->kind == CELL_STR) {
                csv_field(f, c->s, c->len);     /* bytes as they are, quoted as needed */
            } else if ((c->kind == CELL_RATIO && !c->b) || c->kind == CELL_NONE) {
                /* empty: no value */
            } else {
                size_t n = cell_text(c, buf, sizeof(buf));

                fwrite(buf, 1, n, f);
            }
        }
        putc('\n', f);
    }
}

void table_print_json(const struct table *t, struct out *o, const char *key)
{
    size_t rows = t->nr / t->ncols;

    out_array_begin(o, key);
    for (size_t r = 0; r < rows; r++) {
        out_object_begin(o, NULL, NULL);
        for (size_t j = 0; j < t->ncols; j++) {
            const struct cell *c = &t->cells[r * t->ncols + j];
            const char *name = t->cols[j].name;

            switch (c->kind) {
            case CELL_U64:
                out_u64(o, name, c->a);
                break;
            case CELL_HEX:
                out_hex(o, name, c->a);
                break;
            case CELL_STR:
                out_str(o, name, c->s, c->len);
                break;
            case CELL_RATIO:
                if (c->b)
                    out_ratio(o, name, c->a, c->b);
                break;
            case CELL_CENTS:
                out_cents(o, name, (int64_t)c->a);
                break;
            case CELL_NONE:
                break;      /* no value: the member is left out */
            }
        }
        out_object_end(o);
    }
    out_array_end(o);
}

void view_print_table(const struct table *t, enum view_format format, const char *rows_key,
                      const struct view_doc *doc, void *arg)
{
    struct out o;

    switch (format) {
    case VIEW_TEXT:
        if (doc->text_before)
            doc->text_before(arg, stdout);
        table_print_text(t, stdout);
        if (doc->text_after)
            doc->text_after(arg, stdout);
        break;
    case VIEW_CSV:
        table_print_csv(t, stdout);
        break;
    case VIEW_JSON:
        out_init(&o, stdout, OUT_JSON);
        if (doc->json_before)
            doc->json_before(arg, &o);
        table_print_json(t, &o, rows_key);
        if (doc->json_after)
            doc->json_after(arg, &o);
        out_finish(&o);
        break;
    }
}

size_t table_nr_rows(const struct table *t)
{
    return t->nr / t->ncols;
}

void table_print_html_head(const struct table *t, FILE *f, int sorted_col)
{
    for (size_t j = 0; j < t->ncols; j++) {
        const char *name = t->cols[j].name;

        fprintf(f, "<th class=\"%s\" data-col=\"", t->cols[j].left ? "str" : "num");
        out_xml_text(f, name, strlen(name), true);
        fputs("\"", f);
        if ((int)j == sorted_col)
            fputs(" data-dir=\"desc\"", f);
        fputs(">", f);
        out_xml_text(f, name, strlen(name), true);
        fputs("</th>", f);
    }
}

void table_print_html_row(const struct table *t, size_t row, FILE *f)
{
    char buf[512];

    for (size_t j = 0; j < t->ncols; j++) {
        const struct cell *c = &t->cells[row * t->ncols + j];
        size_t n;

        switch (c->kind) {
        case CELL_STR:
            fputs("<td>", f);
            out_xml_text(f, c->s, c->len, true);
            fputs("</td>", f);
            break;
        case CELL_U64:
        case CELL_HEX:
            cell_text(c, buf, sizeof(buf));
            fprintf(f, "<td class=\"num\" data-v=\"%" PRIu64 "\">%s</td>", c->a, buf);
            break;
        default:
            n = cell_text(c, buf, sizeof(buf));
            fputs("<td class=\"num\" data-v=\"", f);
            if ((c->kind == CELL_RATIO && !c->b) || c->kind == CELL_NONE)
                fputs("-1", f);
            else
                fwrite(buf, 1, n, f);
            fprintf(f, "\">%s</td>", buf);
            break;
        }
    }
}

/* --- disassembly ------------------------------------------------------------------ */

bool view_disasm_open(uint32_t machine, csh *cs)
{
    cs_arch arch;
    int mode;

    switch (machine) {
    case 62:  arch = CS_ARCH_X86;   mode = CS_MODE_64; break;   /* EM_X86_64 */
    case 3:   arch = CS_ARCH_X86;   mode = CS_MODE_32; break;   /* EM_386 */
    case 183: arch = CS_ARCH_ARM64; mode = CS_MODE_ARM; break;  /* EM_AARCH64 */
    default:  return false;
    }
    /*
     * TBS_FLAG_GUEST_BIG_ENDIAN is deliberately ignored: x86 has no
     * big-endian mode, and AArch64 instructions are little-endian even on a
     * big-endian (aarch64_be) guest, so the bytes QEMU recorded are too.
     * An architecture added here with big-endian code must consult the flag.
     */
    if (cs_open(arch, mode, cs) != CS_ERR_OK)
        return false;
    /* AT&T, like the host code objdump shows in perf annotate. */
    if (arch == CS_ARCH_X86)
        cs_option(*cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    return true;
}

void view_host_insns_open(struct view_host_insns *h, const struct tbdb *db)
{
    memset(h, 0, sizeof(*h));
    h->db = db;
    h->have_cs = view_disasm_open(db->header.host_machine, &h->cs);
    if (h->have_cs && !(h->insn = cs_malloc(h->cs))) {
        cs_close(&h->cs);
        h->have_cs = false;
    }
}

void view_host_insns_close(struct view_host_insns *h)
{
    if (!h)
        return;
    free(h->cache);
    h->cache = NULL;
    if (!h->have_cs)
        return;
    cs_free(h->insn, 1);
    cs_close(&h->cs);
    h->have_cs = false;
}

int64_t view_host_insns_count(struct view_host_insns *h, const struct tbdb_tb *tb)
{
    const uint8_t *code;
    uint64_t addr;
    size_t size;
    int64_t n = 0;

    size_t idx;

    if (!h || !h->have_cs || !tb || !tb->have_load || !tb->icount)
        return -1;
    /* Cached per translation (tb is an element of db->tbs): a sort and the print count once. */
    idx = (size_t)(tb - h->db->tbs);
    if (!h->cache && h->db->nr_tbs)
        h->cache = calloc(h->db->nr_tbs, sizeof(*h->cache));    /* NULL: no cache, still right */
    if (h->cache && idx < h->db->nr_tbs && h->cache[idx])
        return h->cache[idx] - 1;
    /* The side file's offsets are not trusted: clamp to the code loaded. */
    size = tb->host_end[tb->icount - 1] < tb->code_size ? tb->host_end[tb->icount - 1]
                                                        : tb->code_size;
    code = tb->code;
    addr = tb->code_addr;
    while (size && cs_disasm_iter(h->cs, &code, &size, &addr, h->insn))
        n++;
    if (h->cache && idx < h->db->nr_tbs)
        h->cache[idx] = n + 1;
    return n;
}

/* --- commands that read a perf recording ---------------------------------------------- */

int view_profile_option(const struct view_opts *v, struct profile_opts *po, unsigned which,
                        int argc, char **argv, int *i)
{
    static const char *const files[] = { "-i", "--input", "--tbstats", "--jitdump", "--pid" };
    const char *a = argv[*i], *val;
    bool known = false;

    if (which & VIEW_PROFILE_COMMON) {
        if (!strcmp(a, "--no-callchains")) {
            po->no_callchains = true;
            return 1;
        }
        if (!strcmp(a, "--partial")) {
            po->partial = true;
            return 1;
        }
        known = !strcmp(a, "--debug-dir");
    }
    for (size_t j = 0; !known && (which & VIEW_PROFILE_FILES) && j < sizeof(files) / sizeof(files[0]); j++)
        known = !strcmp(a, files[j]);
    if (!known)
        return 0;
    if (*i + 1 >= argc) {
        view_usage_error(v, "unknown option or missing argument: %s", a);
        return -1;
    }
    val = argv[++*i];
    if (!strcmp(a, "-i") || !strcmp(a, "--input")) {
        po->perf_data = val;
    } else if (!strcmp(a, "--tbstats")) {
        po->tbstats = val;
    } else if (!strcmp(a, "--jitdump")) {
        po->jitdump = val;
    } else if (!strcmp(a, "--debug-dir")) {
        po->debug_dir = val;
    } else if (!parse_pid(val, &po->pid)) {
        view_usage_error(v, "bad --pid: %s", val);
        return -1;
    }
    return 1;
}

int view_profile_run(const struct view_opts *v, struct profile_opts *po, struct run_arg *ra,
                     const char *run)
{
    int rc;

    if (!run)
        return 0;
    rc = run_arg_classify(ra, run);
    return rc ? rc : run_arg_profile(ra, v->cmd, po);
}

int view_profile_error(struct profile *p, int rc)
{
    if (rc == -ENOMEM)
        fprintf(stderr, "tbsym: out of memory\n");
    else
        fprintf(stderr, "tbsym: %s\n", p ? profile_strerror(p) : strerror(-rc));
    switch (rc) {
    case -EBADMSG: case -ENODATA: case -ENOTSUP: case -ENOENT: case -ENOTDIR: case -ESRCH:
    case -EXDEV: case -EINVAL:
        return TBSYM_EXIT_INPUT;
    default:
        return TBSYM_EXIT_IO;
    }
}

const char *view_tb_name(struct profile *p, const struct tbdb_tb *tb, char *buf, size_t size)
{
    struct guestsym *gs;
    const struct guestsym_loc *loc;

    if (tb->have_load)
        return tb->name;
    gs = profile_guestsym(p);
    if (gs && guestsym_lookup_flags(gs, tb->guest_pc, GUESTSYM_NO_SOURCE, &loc) == 0 && loc->name)
        return loc->name;
    snprintf(buf, size, "guest-0x%" PRIx64, tb->guest_pc);
    return buf;
}

/* The columns after guest_pc (and the inclusive ones), in both lists. */
#define REPORT_COLS_TAIL \
    { "samples", false }, { "%", false }, { "helper_samples", false }, \
    { "exec_count", false }, { "spm", false }, { "guest_insns", false }, { "cov%", false }, \
    { "host_bytes", false }, { "h/g", false }, { "host_insns", false }, { "hi/gi", false }, \
    { "spills", false }, { "ops", false }, \
    { "ops_opt", false }, { "translations", false }, { "xlate_ns", false }, \
    { "symbol", true }, { "source", true }

const struct table_col view_report_cols[] = {
    { "guest_pc", false }, REPORT_COLS_TAIL,
};
const size_t view_report_ncols = sizeof(view_report_cols) / sizeof(view_report_cols[0]);

const struct table_col view_report_incl_cols[] = {
    { "guest_pc", false }, { "children", false }, { "children%", false }, { "self", false },
    { "self%", false }, REPORT_COLS_TAIL,
};
const size_t view_report_incl_ncols = sizeof(view_report_incl_cols) / sizeof(view_report_incl_cols[0]);

/* "file:line" of the guest PC's source, basename only; "" when unknown. */
static void source_of(struct profile *p, uint64_t pc, char *buf, size_t size)
{
    struct guestsym *gs = profile_guestsym(p);
    const struct guestsym_loc *loc;
    const char *f;

    buf[0] = '\0';
    if (!gs || guestsym_lookup_flags(gs, pc, 0, &loc) < 0 || !loc->src_file || !loc->src_line)
        return;
    f = strrchr(loc->src_file, '/');
    snprintf(buf, size, "%s:%d", f ? f + 1 : loc->src_file, loc->src_line);
}

void view_host_insns_cells(struct table *t, struct view_host_insns *h, const struct tbdb_key *k)
{
    int64_t n = k ? view_host_insns_count(h, k->latest) : -1;

    if (n < 0) {
        table_none(t);
        table_none(t);
        return;
    }
    table_u64(t, (uint64_t)n);
    table_ratio(t, (uint64_t)n, k->latest->icount);
}

void view_report_row(struct table *t, struct profile *p, const struct tally_sums *sum,
                     uint64_t guest_pc, const struct tbdb_key *key, const char *name,
                     uint64_t total, const struct view_inclusive *incl,
                     struct view_host_insns *hi)
{
    const struct tbdb *db = profile_tbdb(p);
    char buf[64], src[512];

    table_hex(t, guest_pc);
    if (incl) {
        table_u64(t, incl->children);
        view_percent(t, incl->children, total);
        table_u64(t, incl->self);
        view_percent(t, incl->self, total);
    }
    table_u64(t, sum->samples);
    view_percent(t, sum->samples, total);
    table_u64(t, sum->helper);
    table_u64(t, sum->exec_count);
    table_ratio(t, sum->samples * 1000000ull, sum->exec_count);
    table_u64(t, sum->guest_insns);
    view_percent(t, sum->insns_executed, db->total_insns_executed);
    table_u64(t, sum->host_bytes);
    table_ratio(t, sum->host_bytes, sum->guest_bytes);
    view_host_insns_cells(t, hi, key);
    table_u64(t, sum->spills);
    table_u64(t, sum->ops);
    table_u64(t, sum->ops_opt);
    table_u64(t, sum->translations);
    table_u64(t, sum->time_ns);
    if (key) {
        name = key->latest ? view_tb_name(p, key->latest, buf, sizeof(buf)) : NULL;
        name = guestsym_load_name(profile_guestsym(p), guest_pc, name);
        if (!name) {
            snprintf(buf, sizeof(buf), "guest-0x%" PRIx64, guest_pc);
            name = buf;
        }
    }
    table_str(t, name, strlen(name));
    source_of(p, guest_pc, src, sizeof(src));
    table_str(t, src, strlen(src));
}

void view_report_summary(FILE *f, struct profile *p, uint64_t total, const uint64_t *by_class)
{
    const struct profile_info *in = profile_info(p);
    static const char *const chains[] = { "none", "frame pointers (-g)", "dwarf (libunwind)" };
    char pct[32];

    fprintf(f, "# %s: %s input, QEMU pid %" PRIu32 ", %zu code loads%s\n", in->perf_data,
            in->injected ? "perf inject -j" : "raw", in->pid, in->nr_code_loads,
            in->injected ? " (jitted-*.so)" : "");
    fprintf(f, "# export %s%s%s\n", in->tbstats, in->jitdump ? ", jitdump " : "",
            in->jitdump ? in->jitdump : "");
    fprintf(f, "# %" PRIu64 " samples of %s%s, call chains: %s\n", total,
            in->event ? in->event : "?",
            in->event && !strcmp(in->event, "cpu-clock") ? " (no hardware cycles counter)" : "",
            chains[in->chains]);
    fputs("#", f);
    for (int c = 0; c < PROFILE_OTHER; c++)
        fprintf(f, " %s %s%%%s", profile_class_name(c),
                view_percent_str(pct, sizeof(pct), by_class[c], total),
                c + 1 < PROFILE_OTHER ? "," : "");
    fputs("\n", f);
}
