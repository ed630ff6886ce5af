/*
 * fuzz_perfdata.c: libFuzzer target for the perf.data reader.
 *
 * Opens the input with pd_reader_open_mem() and walks everything a caller
 * could touch, twice: in file order and in ordered (by time, per round)
 * mode: every event, every byte and array its pointers claim, the parsed
 * features, the error message.  The reader must return an error, never
 * crash, read out of bounds or loop.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_perfdata.c lib/perfdata.c lib/filebuf.c -lzstd \
 *       -o build/fuzz_perfdata
 *   build/fuzz_perfdata -max_len=8192 tests/fuzz/corpus/perfdata
 * Without clang, build/tests/replay_fuzz_perfdata replays the saved corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "perfdata.h"

#include "fuzz.h"

static unsigned walk_event(const struct pd_event *ev)
{
    unsigned h = fuzz_touch(ev->raw, ev->size);
    const struct pd_sample *s = &ev->u.sample;

    switch (ev->type) {
    case PERF_RECORD_SAMPLE:
        if (!ev->attr)
            break;
        h += fuzz_touch(s->callchain, s->callchain_nr * 8);
        h += fuzz_touch(s->raw, s->raw ? s->raw_size : 0);
        h += fuzz_touch(s->branches, s->branch_nr * sizeof(*s->branches));
        h += fuzz_touch(s->user_regs, s->user_regs_nr * 8);
        h += fuzz_touch(s->intr_regs, s->intr_regs_nr * 8);
        h += fuzz_touch(s->stack_user, s->stack_user ? s->stack_user_size : 0);
        h += fuzz_touch(s->aux, s->aux ? s->aux_size : 0);
        h += fuzz_touch(s->read.values, s->read.values ? s->read.nr * sizeof(*s->read.values) : 0);
        break;
    case PERF_RECORD_MMAP:
    case PERF_RECORD_MMAP2:
        h += fuzz_touch(ev->u.mmap.filename, strlen(ev->u.mmap.filename));
        break;
    case PERF_RECORD_COMM:
        h += fuzz_touch(ev->u.comm.comm, strlen(ev->u.comm.comm));
        break;
    default:
        break;
    }
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned h = 0;

    for (int ordered = 0; ordered < 2; ordered++) {
        struct pd_reader *r;
        struct pd_event ev;
        int ret = pd_reader_open_mem(data, size, "fuzz", &r);

        if (!r)
            return 0;
        h += strlen(pd_reader_strerror(r));
        if (ret == 0) {
            const struct pd_build_id *b;
            const char *const *argv;
            struct pd_compressed c;
            uint64_t res;
            int32_t clk;
            size_t argc;
            ssize_t n;

            for (size_t i = 0; i < pd_reader_nr_attrs(r); i++) {
                const struct pd_attr *a = pd_reader_attr(r, i);

                h += fuzz_touch(a->ids, a->nr_ids * 8) + (a->name ? strlen(a->name) : 0);
            }
            if (pd_reader_cmdline(r, &argc, &argv) == 1)
                for (size_t i = 0; i < argc; i++)
                    h += strlen(argv[i]);
            n = pd_reader_build_ids(r, &b);
            for (ssize_t i = 0; i < n; i++)
                h += strlen(b[i].filename) + b[i].size;
            h += pd_reader_clockid(r, &res, &clk) + pd_reader_compressed(r, &c);
            pd_reader_set_ordered(r, ordered);
            while ((ret = pd_reader_next(r, &ev)) == 1)
                h += walk_event(&ev);
            if (ret > 0 || pd_reader_next(r, &ev) != ret)
                __builtin_trap();       /* the end result must be sticky */
            h += strlen(pd_reader_strerror(r));
        }
        pd_reader_close(r);
    }
    sink = h;
    return 0;
}
