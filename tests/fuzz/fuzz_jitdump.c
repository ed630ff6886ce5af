/*
 * fuzz_jitdump.c: libFuzzer target for the jitdump reader.
 *
 * Opens the input with jd_reader_open_mem() and walks everything a caller
 * could touch: every record, every byte its pointers claim, every debug
 * entry, the error message.  The reader must return an error, never crash,
 * read out of bounds or loop.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_jitdump.c lib/jitdump.c -o build/fuzz_jitdump
 *   build/fuzz_jitdump -max_len=4096 tests/fuzz/corpus/jitdump
 * Without clang, build/tests/replay_fuzz_jitdump replays the saved corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "jitdump.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jd_reader *r;
    struct jd_record rec;
    unsigned h = 0;
    int ret;

    ret = jd_reader_open_mem(data, size, "fuzz", &r);
    if (!r)
        return 0;
    h += strlen(jd_reader_strerror(r));
    if (ret == 0) {
        h += jd_reader_header(r)->version;
        while ((ret = jd_reader_next(r, &rec)) == 1) {
            h += fuzz_touch(rec.raw, rec.size);
            switch (rec.id) {
            case JITDUMP_CODE_LOAD:
                h += fuzz_touch(rec.u.load.name, rec.u.load.name_len + 1);
                h += fuzz_touch(rec.u.load.code, rec.u.load.code_size);
                break;
            case JITDUMP_CODE_DEBUG_INFO: {
                struct jd_debug_iter it;
                struct jd_debug_entry e;
                int n;

                jd_debug_iter_init(&it, &rec.u.debug_info);
                while ((n = jd_debug_iter_next(&it, &e)) == 1)
                    h += fuzz_touch(e.name, e.name_len + 1) + (unsigned)e.lineno;
                if (n != 0)
                    __builtin_trap();   /* a checked record must iterate cleanly */
                break;
            }
            case JITDUMP_CODE_UNWINDING_INFO:
                h += fuzz_touch(rec.u.unwinding.data, rec.u.unwinding.unwinding_size);
                break;
            default:
                break;
            }
        }
        if (ret > 0 || jd_reader_next(r, &rec) != ret)
            __builtin_trap();           /* the end result must be sticky */
        h += strlen(jd_reader_strerror(r));
    }
    sink = h;
    jd_reader_close(r);
    return 0;
}
