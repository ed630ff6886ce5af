/*
 * fuzz_unwind.c: libFuzzer target for the unwinder on hostile JIT unwinding
 * data and stacks (a jitdump's UNWINDING_INFO is input like any other).
 *
 * Input: u16 blob size, u16 .eh_frame_hdr size, u16 code size, u16 IP
 * offset (little-endian), then the UNWINDING_INFO data (blob size bytes:
 * .eh_frame then .eh_frame_hdr), then the stack copy.  The code sits at
 * TB_ADDR, a second TB with the same data right after it.  uw_unwind()
 * must return a bounded chain, never crash, read out of bounds or loop.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_unwind.c lib/unwind.c -o build/fuzz_unwind \
 *       $(pkg-config --cflags --libs libelf libunwind-generic)
 *   build/fuzz_unwind -max_len=4096 tests/fuzz/corpus/unwind
 * Seeds: tests/fuzz/make-seeds-unwind.py.  Without clang,
 * build/tests/replay_fuzz_unwind replays the saved corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unwind.h"

#include "fuzz.h"

#define TB_ADDR 0x7f0000001000ull
#define STACK_ADDR 0x7ffc00010000ull

struct input {
    const uint8_t *blob;
    uint64_t blob_size, hdr_size, code_size;
};

static int find_module(void *arg, uint64_t addr, struct uw_module *out)
{
    const struct input *in = arg;
    uint64_t tb2 = TB_ADDR + ((in->code_size + 7) & ~7ull) + 128;

    if (addr - TB_ADDR < in->code_size)
        return uw_module_from_jitdump(TB_ADDR, in->code_size, in->blob, in->blob_size,
                                      in->hdr_size, out) == 0;
    if (addr - tb2 < in->code_size)
        return uw_module_from_jitdump(tb2, in->code_size, in->blob, in->blob_size,
                                      in->hdr_size, out) == 0;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct uw *uw;
    static struct input in;
    struct uw_callbacks cb = {.find_module = find_module};
    uint64_t regs[UW_X86_NREGS] = {0}, packed[UW_X86_NREGS], ips[64];
    size_t n = 0;
    uint16_t ip_off;

    if (size < 8)
        return 0;
    in.blob_size = (uint16_t)fuzz_le(data, 2);
    in.hdr_size = (uint16_t)fuzz_le(data + 2, 2);
    in.code_size = (uint16_t)fuzz_le(data + 4, 2);
    ip_off = (uint16_t)fuzz_le(data + 6, 2);
    data += 8;
    size -= 8;
    if (in.blob_size > size)
        return 0;
    in.blob = data;
    /* One unwinder for all inputs, as a long-running symbolizer has. */
    if (!uw && uw_new(&cb, &in, &uw) < 0)
        return 0;
    uw_flush_cache(uw);
    regs[UW_X86_IP] = TB_ADDR + ip_off;
    regs[UW_X86_SP] = STACK_ADDR;
    regs[UW_X86_BP] = STACK_ADDR + 64;
    for (int i = 0; i < UW_X86_NREGS; i++)
        if (UW_X86_64_REGS_MASK & (1ull << i))
            packed[n++] = regs[i];
    int r = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, data + in.blob_size,
                      size - in.blob_size, ips, 64);
    if (r < 1 || r > 64 || ips[0] != TB_ADDR + ip_off)
        __builtin_trap();
    return 0;
}
