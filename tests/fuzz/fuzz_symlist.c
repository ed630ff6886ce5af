/*
 * fuzz_symlist.c: libFuzzer target for the symbol-list reader (symlist.h),
 * the System.map-style lists a system-mode side file's MAPPING records of
 * kind TBS_MAPPING_SYMBOL_LIST name (user-supplied files).
 *
 * Parses the input with symlist_read_mem() and looks up every symbol's
 * first and last byte and the byte after it, and the name of each: the
 * reader must return a list or -EBADMSG, never crash or read out of bounds.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_symlist.c build/fuzz/lib/libqjd.a -ldw -lelf ... \
 *       -o build/fuzz/fuzz_symlist          (make fuzz-build does this)
 *   build/fuzz/fuzz_symlist -max_len=4096 tests/fuzz/corpus/symlist
 * Without clang, build/tests/replay_fuzz_symlist replays the saved corpus
 * (made by tests/fuzz/make-seeds-symlist.sh).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "symlist.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elfsyms *es;
    const struct elfsym *f;
    size_t nr, off = 0;
    unsigned h = 0;
    int ret = symlist_read_mem((const char *)data, size, &es, &off);

    if (ret != 0) {
        if ((ret != -EBADMSG && ret != -ENOMEM) || es || off > size)
            __builtin_trap();
        return 0;
    }
    f = elfsyms_funcs(es, &nr);
    for (size_t i = 0; i < nr; i++) {
        const struct elfsym *s;

        if (!f[i].size || (i && f[i - 1].addr > f[i].addr))
            __builtin_trap();   /* sized and sorted, as elfsyms promises */
        h += fuzz_touch(f[i].name, strlen(f[i].name));
        s = elfsyms_func_at(es, f[i].addr);
        h += s ? (unsigned)s->size : 0;
        s = elfsyms_func_at(es, f[i].addr + f[i].size - 1);
        h += s ? (unsigned)s->addr : 0;
        s = elfsyms_func_at(es, f[i].addr + f[i].size);
        h += s ? fuzz_touch(s->name, strlen(s->name)) : 0;
    }
    sink += h;
    elfsyms_free(es);
    return 0;
}
