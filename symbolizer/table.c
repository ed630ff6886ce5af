/*
 * table.c: a table of cells printed as aligned text, CSV, JSON or HTML (see
 * table.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "array.h"

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
    struct cell *cells = array_reserve(t->cells, t->nr, &t->cap, sizeof(*cells), 64 * t->ncols);

    if (!cells) {
        t->failed = true;
        return NULL;
    }
    t->cells = cells;
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

/* In percent, for table_ratio() without overflow. */
void view_percent(struct table *t, uint64_t a, uint64_t b)
{
    if (a <= UINT64_MAX / 100)
        table_ratio(t, a * 100, b);
    else
        table_ratio(t, a, b / 100);
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

enum out_format view_out_format(enum view_format format)
{
    return format == VIEW_JSON ? OUT_JSON : OUT_TEXT;
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
