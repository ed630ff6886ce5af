/*
 * out.h: tbsym's structured output, as text lines or as JSON.
 *
 * A subcommand describes its output once, as nested objects, arrays and
 * fields; out renders it either way:
 *
 *   text  every object is one line: its label (if any), then key=value
 *         pairs separated by spaces; a nested object starts a new line,
 *         indented two spaces per enclosing object.  An array of objects
 *         shows only its objects; an array of values is one pair
 *         key=V1,V2,... (nothing when it is empty).  Strings are quoted
 *         with C escapes (\", \\, \n, \t, \xNN for other bytes outside
 *         printable ASCII), so a line never breaks and bytes survive.
 *   JSON  one document; strings are escaped per RFC 8259; bytes that are
 *         not valid UTF-8 are written as \u00XX (their Latin-1 reading).
 *         Addresses (out_hex) are strings "0x...", since 64-bit integers
 *         lose precision in many JSON readers; counts are numbers.
 *
 * Output goes to a FILE; write errors are detected by the caller with
 * ferror() (out itself never fails).  Not thread safe.
 */
#ifndef TBSYM_OUT_H
#define TBSYM_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OUT_MAX_DEPTH 8

enum out_format {
    OUT_TEXT,
    OUT_JSON,
};

struct out {
    FILE *f;
    enum out_format format;
    int depth;                      /* open objects and arrays */
    bool is_array[OUT_MAX_DEPTH];
    bool has_items[OUT_MAX_DEPTH];  /* a comma is due before the next item */
    const char *array_key[OUT_MAX_DEPTH]; /* text: the key of an array of values */
    bool line_open;                 /* text: a line has been started */
    bool line_has;                  /* text: ... and has a label or a field */
    int objects;                    /* text: open objects, for indentation */
};

/* out_init - start a document on f (JSON: the opening brace). */
void out_init(struct out *o, FILE *f, enum out_format format);

/* out_finish - close what is open and end the document with a newline. */
void out_finish(struct out *o);

/*
 * out_object_begin - an object.  key names it inside an object (ignored
 * inside an array); label is its first word in text (ignored in JSON).
 * Either may be NULL.
 */
void out_object_begin(struct out *o, const char *key, const char *label);
void out_object_end(struct out *o);

/*
 * out_array_begin - an array named key.  Its elements are either all
 * objects or all values (fields with key NULL); see the top of this file
 * for how text shows them.
 */
void out_array_begin(struct out *o, const char *key);
void out_array_end(struct out *o);

/* Fields of the current object. */
void out_u64(struct out *o, const char *key, uint64_t v);
void out_i64(struct out *o, const char *key, int64_t v);
void out_hex(struct out *o, const char *key, uint64_t v);
void out_str(struct out *o, const char *key, const char *s, size_t len);
/*
 * out_ratio - num / den as a decimal number with two digits after the point,
 * rounded half up ("2.50"), a number in JSON too.  den must not be 0.
 */
void out_ratio(struct out *o, const char *key, uint64_t num, uint64_t den);
/* out_percent - a as a percentage of b, as out_ratio() does (scaled without overflow; b not 0). */
void out_percent(struct out *o, const char *key, uint64_t a, uint64_t b);
/*
 * out_cents - a signed decimal number given in hundredths (-150: "-1.50"),
 * a number in JSON too.
 */
void out_cents(struct out *o, const char *key, int64_t cents);
/* out_word - a NUL-terminated identifier chosen by the program: unquoted in text. */
void out_word(struct out *o, const char *key, const char *s);
/* out_flag - text: the bare key when v is true, nothing otherwise. */
void out_flag(struct out *o, const char *key, bool v);

/*
 * out_xml_text - s (len bytes) as XML/HTML character data or attribute
 * value: & < > " ' escaped, bytes outside printable ASCII written as '?'
 * (newlines kept when newlines is true), so the document stays well-formed
 * whatever the input.  Writes to f directly.
 */
void out_xml_text(FILE *f, const char *s, size_t len, bool newlines);

#endif /* TBSYM_OUT_H */
