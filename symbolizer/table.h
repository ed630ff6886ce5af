/*
 * table.h: a table of cells, numbers or strings, filled row by row and
 * printed as aligned text, CSV (RFC 4180), JSON (through out.h) or the
 * cells of an HTML table.  The tables of tbsym report, diff, callgraph,
 * tb-list, coverset and html.  Not thread safe; one table per thread.
 */
#ifndef TBSYM_TABLE_H
#define TBSYM_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "out.h"

/* What a command prints: --format text, json or csv. */
enum view_format {
    VIEW_TEXT,
    VIEW_JSON,
    VIEW_CSV,
};

/* view_out_format - the out.h format of VIEW_JSON (OUT_JSON) or of the others (OUT_TEXT). */
enum out_format view_out_format(enum view_format format);

struct table_col {
    const char *name;           /* header and JSON/CSV key */
    bool left;                  /* text: left-aligned (strings) */
};

struct table;

/* table_new - a table of ncols columns (cols must outlive it); NULL on ENOMEM. */
struct table *table_new(const struct table_col *cols, size_t ncols);
void table_free(struct table *t);

/* Append one cell to the current row; a row ends after ncols cells. */
void table_u64(struct table *t, uint64_t v);
void table_hex(struct table *t, uint64_t v);
void table_str(struct table *t, const char *s, size_t len);   /* copied */
/* num / den with two decimals (out_ratio's rounding); den 0: "-" (JSON: omitted). */
void table_ratio(struct table *t, uint64_t num, uint64_t den);
/*
 * table_cents - a signed number given in hundredths, with two decimals
 * ("-1.50"); plus: positive values get a "+" in text and CSV ("+1.50").
 * JSON: a number.
 */
void table_cents(struct table *t, int64_t cents, bool plus);
/* table_none - a cell without a value: "-" in text, empty in CSV, left out of JSON. */
void table_none(struct table *t);
/* table_ok - false if an allocation failed since table_new(). */
bool table_ok(const struct table *t);

/* table_print_text - a header line and the rows, in aligned columns. */
void table_print_text(const struct table *t, FILE *f);
/* table_print_csv - RFC 4180: a header line and the rows. */
void table_print_csv(const struct table *t, FILE *f);
/* table_print_json - the rows as an array named key of objects, into an open document. */
void table_print_json(const struct table *t, struct out *o, const char *key);
/*
 * What a command prints around its table; any member may be NULL.  JSON:
 * one object with json_before's members, the rows, then json_after's.
 */
struct view_doc {
    void (*text_before)(void *arg, FILE *f);
    void (*text_after)(void *arg, FILE *f);
    void (*json_before)(void *arg, struct out *o);
    void (*json_after)(void *arg, struct out *o);
};

/*
 * view_print_table - t on stdout as format: text (doc's text parts around
 * the aligned table), CSV (the rows only) or JSON (rows as rows_key).
 */
void view_print_table(const struct table *t, enum view_format format, const char *rows_key,
                      const struct view_doc *doc, void *arg);

/* table_nr_rows - the number of complete rows. */
size_t table_nr_rows(const struct table *t);
/*
 * table_print_html_head - the header cells, <th class="num|str" data-col="NAME">,
 * sorted_col (or -1) marked data-dir="desc".  table_print_html_row - the <td>
 * cells of one row, numbers with their value in data-v for sorting (-1 for
 * a ratio without denominator).  The caller writes <tr> and </tr>.
 */
void table_print_html_head(const struct table *t, FILE *f, int sorted_col);
void table_print_html_row(const struct table *t, size_t row, FILE *f);

/* view_percent - a cell: a as a percentage of b, two decimals ("-" if b is 0). */
void view_percent(struct table *t, uint64_t a, uint64_t b);
/* view_percent_str - the same as a string in buf ("-" if b is 0); returns buf. */
char *view_percent_str(char *buf, size_t size, uint64_t a, uint64_t b);

#endif /* TBSYM_TABLE_H */
