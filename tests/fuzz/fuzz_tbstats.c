/*
 * fuzz_tbstats.c: libFuzzer target for the tbstats side-file reader.
 *
 * Opens the input with tbs_reader_open_mem() and walks everything a caller
 * could touch: every record, every byte its pointers claim (a MAPPING's
 * path and build id, a TB's instruction arrays and guest code, a STATS
 * record's successors), the error message.  The reader must return an
 * error, never crash, read out of bounds or loop.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_tbstats.c lib/tbstats.c -o build/fuzz_tbstats
 *   build/fuzz_tbstats -max_len=4096 tests/fuzz/corpus/tbstats
 * Without clang, build/tests/replay_fuzz_tbstats replays the saved corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tbstats.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tbs_reader *r;
    struct tbs_record_view rec;
    unsigned h = 0;
    int ret;

    ret = tbs_reader_open_mem(data, size, "fuzz", &r);
    if (!r)
        return 0;
    h += strlen(tbs_reader_strerror(r));
    if (ret == 0) {
        h += tbs_reader_header(r)->guest_machine + strlen(tbs_reader_header(r)->guest_arch);
        while ((ret = tbs_reader_next(r, &rec)) == 1) {
            if (rec.size < 8 || rec.size % 8)
                __builtin_trap();       /* the reader promises whole 8-byte units */
            h += fuzz_touch(rec.raw, rec.size);
            switch (rec.type) {
            case TBS_REC_MAPPING:
                h += fuzz_touch(rec.u.mapping.path, rec.u.mapping.path_len + 1);
                h += fuzz_touch(rec.u.mapping.build_id, rec.u.mapping.build_id_size);
                break;
            case TBS_REC_TB: {
                const struct tbs_tb_view *tb = &rec.u.tb;

                for (unsigned i = 0; i < tb->icount; i++)
                    h += (unsigned)tbs_tb_insn_pc(tb, i) + tbs_tb_host_end(tb, i);
                h += fuzz_touch(tb->guest_code, tb->guest_code_size);
                if (tb->guest_code_size > tb->guest_size)
                    __builtin_trap();
                break;
            }
            case TBS_REC_STATS: {
                const struct tbs_stats_view *st = &rec.u.stats;

                for (uint32_t i = 0; i < st->nr_succ; i++)
                    h += (unsigned)tbs_stats_succ_pc(st, i);
                if (st->succ_pc + (size_t)st->nr_succ * 8 > rec.raw + rec.size)
                    __builtin_trap();   /* the successors lie inside the record */
                h += st->stats_id + (unsigned)st->exec_count;
                break;
            }
            case TBS_REC_SHADOW_STACK:
                h += rec.u.shadow_stack.tid + (unsigned)rec.u.shadow_stack.addr;
                break;
            case TBS_REC_END: {
                const struct tbs_end_view *e = &rec.u.end;

                /* 40 bytes (no end_flags, no counts) or at least 64, nothing between. */
                if (e->no_tlb != (rec.size < TBS_END_SIZE) ||
                    (e->no_tlb && (rec.size != TBS_END_SIZE_NO_TLB || e->end_flags ||
                                   e->tlb_flush_full || e->tlb_flush_part ||
                                   e->tlb_flush_elided)))
                    __builtin_trap();
                h += e->end_flags + (unsigned)(e->tlb_flush_full + e->tlb_flush_elided);
                break;
            }
            default:
                break;
            }
        }
        if (ret > 0 || tbs_reader_next(r, &rec) != ret)
            __builtin_trap();           /* the end result must be sticky */
        h += strlen(tbs_reader_strerror(r));
    }
    sink = h;
    tbs_reader_close(r);
    return 0;
}
