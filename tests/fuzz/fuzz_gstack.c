/*
 * fuzz_gstack.c: libFuzzer target for the shadow-stack decoder (gstack.h).
 *
 * Input: a 32-byte prefix, little-endian,
 *     u64 sp         the sampled stack pointer: the address of the dump
 *     u64 delta      the block's address is sp + delta (wrapping)
 *     u32 capacity   the SHADOW_STACK record's
 *     u32 room       frames the caller has room for (taken modulo 65)
 *     u8  big_endian the dump's byte order
 *     7 bytes        ignored
 * then the dump itself, in a buffer of its exact size.  The decoder must
 * never read outside the dump, never write past the room it is given, and
 * return a result consistent with its documented fields.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_gstack.c lib/gstack.c -o build/fuzz_gstack
 *   build/fuzz_gstack -max_len=4096 tests/fuzz/corpus/gstack
 * Without clang, build/tests/replay_fuzz_gstack replays the saved corpus.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gstack.h"

#include "fuzz.h"

#define PREFIX 32
#define MAX_ROOM 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t ret[MAX_ROOM + 1], sp, addr, h = 0;
    uint8_t flags[MAX_ROOM + 1];
    uint32_t capacity, room;
    struct gstack g;
    uint8_t *dump;
    size_t len;

    if (size < PREFIX)
        return 0;
    sp = fuzz_le(data, 8);
    addr = sp + fuzz_le(data + 8, 8);
    capacity = (uint32_t)fuzz_le(data + 16, 4);
    room = (uint32_t)(fuzz_le(data + 20, 4) % (MAX_ROOM + 1));
    len = size - PREFIX;
    /* A copy of the exact size, so that ASan sees any read past it. */
    dump = malloc(len ? len : 1);
    if (!dump)
        return 0;
    memcpy(dump, data + PREFIX, len);
    ret[room] = 0x5a5a5a5a;
    flags[room] = 0x5a;
    gstack_decode(addr, capacity, sp, len ? dump : NULL, len, data[24] & 1, ret, flags, room, &g);
    if (g.nr_frames > room || ret[room] != 0x5a5a5a5a || flags[room] != 0x5a)
        __builtin_trap();               /* wrote past the room given */
    if (g.nr_read > g.depth || g.nr_stale > g.nr_read || g.nr_frames + g.nr_stale > g.nr_read)
        __builtin_trap();
    if (g.status == GSTACK_NONE ? g.nr_frames || g.why == GSTACK_WHY_NONE
                                : g.why != GSTACK_WHY_NONE)
        __builtin_trap();
    if (g.status == GSTACK_OK && (g.lost || g.nr_read != g.depth))
        __builtin_trap();
    for (size_t i = 0; i < g.nr_frames; i++)
        h += ret[i] + flags[i];
    sink = (unsigned)(h + strlen(gstack_why_name(g.why)));
    free(dump);
    return 0;
}
