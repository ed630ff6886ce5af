/*
 * keys.h: the statistics keys of a run (lib/tbdb.h) as the offline views
 * show them: the key an argument names, a key's name, and tb-list's row of
 * a key, which coverset prints too.
 */
#ifndef TBSYM_KEYS_H
#define TBSYM_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disasm.h"
#include "table.h"
#include "tbdb.h"
#include "view_opts.h"

/*
 * view_find_key - the key named by arg: a decimal stats_id or 0xGUESTPC.
 * Prints the error and returns NULL if there is none.
 */
const struct tbdb_key *view_find_key(const struct view_opts *v, const struct tbdb *db,
                                     const char *arg);

/* view_looks_like_key - whether s has the form of a stats_id or 0xGUESTPC. */
bool view_looks_like_key(const char *s);

/*
 * view_key_name - the key's name: its latest translation's CODE_LOAD name
 * when the jitdump gave one, else "guest-0xPC".  Returns buf or a pointer
 * into the db; *lenp receives its length.
 */
const char *view_key_name(const struct tbdb_key *k, char *buf, size_t size, size_t *lenp);

/* view_key_xlate_ns - the key's translation time: gen + opt + liveness + code (saturated). */
uint64_t view_key_xlate_ns(const struct tbdb_key *k);

/*
 * view_key_rows - an array of pointers to every key of db, in db's order,
 * for sorting rows (at least one element); NULL on ENOMEM.  free() it.
 */
const struct tbdb_key **view_key_rows(const struct tbdb *db);

/* view_key_table - an empty table with tb-list's columns; NULL on ENOMEM. */
struct table *view_key_table(void);
/* view_key_row - one key as a row of view_key_table(); hi counts host_insns (NULL: empty). */
void view_key_row(struct table *t, const struct tbdb *db, const struct tbdb_key *k,
                  struct view_host_insns *hi);

#endif /* TBSYM_KEYS_H */
