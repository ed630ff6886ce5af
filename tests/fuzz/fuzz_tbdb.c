/*
 * fuzz_tbdb.c: libFuzzer target for tbdb_open_mem(), the join of a
 * side file and its jitdump.
 *
 * Input: a u32 little-endian length N, then N bytes of side file, then the
 * jitdump (none when nothing follows; N larger than the rest: all of it is
 * the side file).  Every key and TB of a loaded db is walked, with every array
 * and byte its pointers claim, and looked up again by id, PC and
 * code_index.  Loading must return an error or a consistent db, never
 * crash, read out of bounds, leak or hang.
 *   make build/fuzz/fuzz_tbdb          (clang; see tests/fuzz/README.md)
 *   build/fuzz/fuzz_tbdb -max_len=16384 tests/fuzz/corpus/tbdb
 * Seeds: tests/fuzz/make-seeds-tbdb.c.  Without clang,
 * build/tests/replay_fuzz_tbdb replays the saved corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tbdb.h"

#include "fuzz.h"

static unsigned walk(const struct tbdb *db)
{
    unsigned h = 0;

    for (size_t i = 0; i < db->nr_keys; i++) {
        const struct tbdb_key *k = &db->keys[i];

        h += fuzz_touch(k->succ_pc, k->nr_succ * sizeof(*k->succ_pc));
        for (uint32_t j = 0; j < k->nr_tb_records; j++)
            if (k->tb_records[j]->key != k)
                __builtin_trap();       /* a key's TBs point back to it */
        if (k->nr_tb_records ? k->latest != k->tb_records[k->nr_tb_records - 1]
                             : k->latest != NULL)
            __builtin_trap();
        if (tbdb_key_by_id(db, k->stats_id) != k)
            __builtin_trap();           /* stats_ids are unique */
        if (!tbdb_key_by_pc(db, k->guest_pc))
            __builtin_trap();
        if (i + 1 < db->nr_keys && db->keys_by_pc[i]->guest_pc > db->keys_by_pc[i + 1]->guest_pc)
            __builtin_trap();           /* keys_by_pc is sorted */
        if (!(k->coverage >= 0 && k->coverage <= 1) || k->hg_ratio < 0 || k->host_per_insn < 0 ||
            k->insns_per_translation < 0)
            __builtin_trap();           /* documented ranges (NaN included) */
    }
    for (size_t i = 0; i < db->nr_tb_records; i++) {
        const struct tbdb_tb *t = &db->tb_records[i];

        if (!t->key)
            __builtin_trap();
        h += fuzz_touch(t->insn_pc, t->icount * sizeof(*t->insn_pc));
        h += fuzz_touch(t->host_end, t->icount * sizeof(*t->host_end));
        h += fuzz_touch(t->guest_code, t->guest_code_size);
        if (t->have_load) {
            h += fuzz_touch(t->name, t->name_len + 1);
            h += fuzz_touch(t->code, t->code_size);
            h += fuzz_touch(t->unwind_data, t->unwind_data ? t->unwinding_size : 0);
        }
        if (!tbdb_tb_by_code_index(db, t->code_index))
            __builtin_trap();
    }
    for (size_t i = 0; i < db->nr_mappings; i++)
        h += fuzz_touch(db->mappings[i].path, strlen(db->mappings[i].path)) +
             fuzz_touch(db->mappings[i].build_id, db->mappings[i].build_id_size);
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *jd = NULL;
    size_t tbs_len, jd_len = 0;
    struct tbdb *db = NULL;
    unsigned h = 0;
    int ret;

    if (size < 4)
        return 0;
    tbs_len = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
              (size_t)data[3] << 24;
    data += 4;
    size -= 4;
    if (tbs_len >= size) {
        tbs_len = size;
    } else {
        jd = data + tbs_len;
        jd_len = size - tbs_len;
    }
    ret = tbdb_open_mem(data, tbs_len, "fuzz.tbstats", jd, jd_len, "fuzz.dump", &db);
    if (!db)
        return 0;
    h += strlen(tbdb_strerror(db));
    if (ret == 0) {
        const char *w = tbdb_warning(db);

        h += w ? strlen(w) : 0;
        h += walk(db);
    }
    sink = h;
    tbdb_close(db);
    return 0;
}
