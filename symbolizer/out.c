/*
 * out.c: tbsym's structured output (see out.h).
 */
#include "out.h"

#include <inttypes.h>
#include <string.h>

/* JSON puts one item per line in the document and in top-level arrays. */
static bool json_pretty(const struct out *o, int level)
{
    return level == 0 || (level == 1 && o->is_array[1]);
}

static void indent(struct out *o, int n)
{
    for (int i = 0; i < n; i++)
        fputs("  ", o->f);
}

static void json_string(struct out *o, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    fputc('"', o->f);
    while (i < len) {
        unsigned char c = s[i];
        size_t n = 0;
        uint32_t cp = 0, min = 0;

        if (c == '"' || c == '\\') {
            fprintf(o->f, "\\%c", c);
            i++;
            continue;
        }
        if (c >= 0x20 && c < 0x7f) {
            fputc(c, o->f);
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            fprintf(o->f, "\\u%04x", c);
            i++;
            continue;
        }
        /* A multi-byte UTF-8 sequence: copied if valid, else byte by byte. */
        if ((c & 0xe0) == 0xc0)
            n = 2, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0)
            n = 3, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0)
            n = 4, cp = c & 0x07, min = 0x10000;
        if (n && i + n <= len) {
            size_t k;

            for (k = 1; k < n && (s[i + k] & 0xc0) == 0x80; k++)
                cp = cp << 6 | (s[i + k] & 0x3f);
            if (k == n && cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) {
                fwrite(s + i, 1, n, o->f);
                i += n;
                continue;
            }
        }
        fprintf(o->f, "\\u%04x", c);
        i++;
    }
    fputc('"', o->f);
}

static void text_string(struct out *o, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;

    fputc('"', o->f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];

        if (c == '"' || c == '\\')
            fprintf(o->f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", o->f);
        else if (c == '\t')
            fputs("\\t", o->f);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, o->f);
        else
            fprintf(o->f, "\\x%02x", c);
    }
    fputc('"', o->f);
}

static void text_line(struct out *o)
{
    if (!o->line_open) {
        indent(o, o->objects > 0 ? o->objects - 1 : 0);
        o->line_open = true;
        o->line_has = false;
    }
}

static void text_end_line(struct out *o)
{
    if (o->line_open) {
        fputc('\n', o->f);
        o->line_open = false;
    }
}

/* Start an item (field, object or array) named key in the current container. */
static void item(struct out *o, const char *key)
{
    int level = o->depth - 1;

    if (o->format == OUT_TEXT) {
        text_line(o);
        if (level < OUT_MAX_DEPTH && o->is_array[level]) {
            /* A value in an array: the array's key=, then comma-separated. */
            if (o->has_items[level]) {
                fputc(',', o->f);
            } else {
                if (o->line_has)
                    fputc(' ', o->f);
                if (o->array_key[level])
                    fprintf(o->f, "%s=", o->array_key[level]);
            }
            o->has_items[level] = true;
            o->line_has = true;
            return;
        }
        if (o->line_has)
            fputc(' ', o->f);
        if (key)
            fprintf(o->f, "%s=", key);
        o->line_has = true;
        return;
    }
    if (o->has_items[level])
        fputc(',', o->f);
    if (json_pretty(o, level)) {
        fputc('\n', o->f);
        indent(o, o->depth);
    } else if (o->has_items[level]) {
        fputc(' ', o->f);
    }
    o->has_items[level] = true;
    if (!o->is_array[level] && key) {
        json_string(o, key, strlen(key));
        fputs(": ", o->f);
    }
}

static void open_container(struct out *o, bool is_array, const char *key)
{
    if (o->depth < OUT_MAX_DEPTH) {
        o->is_array[o->depth] = is_array;
        o->has_items[o->depth] = false;
        o->array_key[o->depth] = key;
    }
    o->depth++;
}

static void close_container(struct out *o, char closer)
{
    int level = --o->depth;

    if (json_pretty(o, level) && o->has_items[level]) {
        fputc('\n', o->f);
        indent(o, level);
    }
    fputc(closer, o->f);
}

void out_init(struct out *o, FILE *f, enum out_format format)
{
    memset(o, 0, sizeof(*o));
    o->f = f;
    o->format = format;
    if (format == OUT_JSON)
        fputc('{', f);
    open_container(o, false, NULL);
}

void out_finish(struct out *o)
{
    while (o->depth > 1) {
        if (o->is_array[o->depth - 1])
            out_array_end(o);
        else
            out_object_end(o);
    }
    if (o->format == OUT_JSON) {
        close_container(o, '}');
        fputc('\n', o->f);
    } else {
        text_end_line(o);
        o->depth = 0;
    }
}

void out_object_begin(struct out *o, const char *key, const char *label)
{
    if (o->format == OUT_TEXT) {
        text_end_line(o);
        o->objects++;
        text_line(o);
        if (label) {
            fputs(label, o->f);
            o->line_has = true;
        }
    } else {
        item(o, key);
        fputc('{', o->f);
    }
    open_container(o, false, NULL);
}

void out_object_end(struct out *o)
{
    if (o->format == OUT_TEXT) {
        text_end_line(o);
        o->objects--;
        o->depth--;
    } else {
        close_container(o, '}');
    }
}

void out_array_begin(struct out *o, const char *key)
{
    if (o->format == OUT_JSON) {
        item(o, key);
        fputc('[', o->f);
    }
    open_container(o, true, key);
}

void out_array_end(struct out *o)
{
    if (o->format == OUT_JSON)
        close_container(o, ']');
    else
        o->depth--;
}

void out_u64(struct out *o, const char *key, uint64_t v)
{
    item(o, key);
    fprintf(o->f, "%" PRIu64, v);
}

void out_i64(struct out *o, const char *key, int64_t v)
{
    item(o, key);
    fprintf(o->f, "%" PRId64, v);
}

void out_cents(struct out *o, const char *key, int64_t cents)
{
    uint64_t m = cents < 0 ? -(uint64_t)cents : (uint64_t)cents;

    item(o, key);
    fprintf(o->f, "%s%" PRIu64 ".%02" PRIu64, cents < 0 ? "-" : "", m / 100, m % 100);
}

void out_hex(struct out *o, const char *key, uint64_t v)
{
    item(o, key);
    fprintf(o->f, o->format == OUT_JSON ? "\"0x%" PRIx64 "\"" : "0x%" PRIx64, v);
}

void out_ratio(struct out *o, const char *key, uint64_t num, uint64_t den)
{
    uint64_t whole = num / den, rest = num % den, cents;

    if (rest <= UINT64_MAX / 100) {
        uint64_t scaled = rest * 100;

        cents = scaled / den;
        /* Half up, compared by subtraction: 2 * remainder may overflow. */
        if (scaled % den >= den - scaled % den)
            cents++;
    } else {
        /* den > 2^57: no realistic count; a long double is exact enough. */
        cents = (uint64_t)((long double)rest * 100 / den + 0.5L);
    }
    if (cents == 100) {
        whole++;
        cents = 0;
    }
    item(o, key);
    fprintf(o->f, "%" PRIu64 ".%02" PRIu64, whole, cents);
}

void out_percent(struct out *o, const char *key, uint64_t a, uint64_t b)
{
    if (a <= UINT64_MAX / 100)
        out_ratio(o, key, a * 100, b);
    else
        out_ratio(o, key, a, b / 100);
}

void out_str(struct out *o, const char *key, const char *s, size_t len)
{
    item(o, key);
    if (o->format == OUT_JSON)
        json_string(o, s, len);
    else
        text_string(o, s, len);
}

void out_word(struct out *o, const char *key, const char *s)
{
    item(o, key);
    if (o->format == OUT_JSON)
        json_string(o, s, strlen(s));
    else
        fputs(s, o->f);
}

void out_flag(struct out *o, const char *key, bool v)
{
    if (o->format == OUT_JSON) {
        item(o, key);
        fputs(v ? "true" : "false", o->f);
    } else if (v) {
        item(o, NULL);
        fputs(key, o->f);
    }
}

void out_xml_text(FILE *f, const char *s, size_t len, bool newlines)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '&':  fputs("&amp;", f); break;
        case '<':  fputs("&lt;", f); break;
        case '>':  fputs("&gt;", f); break;
        case '"':  fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:   fputc((c >= 0x20 && c < 0x7f) || (c == '\n' && newlines) ? c : '?', f); break;
        }
    }
}
