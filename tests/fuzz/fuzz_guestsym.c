/*
 * fuzz_guestsym.c: libFuzzer target for guest ELF symbolization (guestsym.h)
 * and, on the same file, host ELF symbolization (hostsym.h): both read ELF
 * files named by a recording, which may be anything.
 *
 * The input is an ELF file image.  It is written to a memfd and mapped as a
 * guest file twice: at EXEC_START with bias 0 (for executables linked at
 * 0x400000) and at DYN_START with bias DYN_START (for objects and shared
 * libraries linked at 0).  Then it is looked up at a spread of PCs: fixed
 * ones, the entry point, and the last 16 little-endian u64s of the input
 * folded into the mappings, so the fuzzer can aim at symbols.
 * Each lookup is done without flags, then with GUESTSYM_FRAMES |
 * GUESTSYM_DWFL_SYMBOL, and every string of the result is read.  Then the
 * same file is a host mmap of hostsym at EXEC_START (file offset 0),
 * looked up at the same PCs.  No
 * lookup may crash, read out of bounds, leak or hang.
 *   make build/fuzz/fuzz_guestsym      (clang; see tests/fuzz/README.md)
 *   build/fuzz/fuzz_guestsym -max_len=16384 tests/fuzz/corpus/guestsym
 * Seeds: tests/fuzz/make-seeds-guestsym.sh.  Without clang,
 * build/tests/replay_fuzz_guestsym replays the saved corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guestsym.h"
#include "hostsym.h"

#include "fuzz.h"

#define EXEC_START 0x400000ull
#define DYN_START  0x10000000ull
#define MAP_SIZE   0x100000ull
#define NR_TAIL_PCS 16

static unsigned touch_str(const char *s)
{
    unsigned h = 0;

    if (s)
        while (*s)
            h = h * 31 + (uint8_t)*s++;
    return h;
}

static unsigned touch_loc(const struct guestsym_loc *l)
{
    unsigned h = touch_str(l->path) + touch_str(l->basename) + touch_str(l->symbol) +
                 touch_str(l->name) + touch_str(l->src_file) + touch_str(l->dwfl_symbol);

    if (!l->name)
        __builtin_trap();               /* every lookup has a display name */
    for (size_t i = 0; i < l->nr_frames; i++)
        h += touch_str(l->frames[i].function) + touch_str(l->frames[i].file) +
             (unsigned)l->frames[i].line;
    return h + (unsigned)l->src_line;
}

/* A file image written to a memfd, named by its /proc/self/fd path. */
static int image_open(const uint8_t *data, size_t size, char *path, size_t path_size)
{
    int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);

    if (fd < 0)
        return -1;
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);

        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    snprintf(path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t pcs[7 + NR_TAIL_PCS];
    size_t nr_pcs = 0;
    struct guestsym *gs = NULL;
    struct hostsym *hs = NULL;
    const struct guestsym_loc *gl;
    struct hostsym_loc hl;
    char path[64];
    unsigned h = 0;
    int fd;

    fd = image_open(data, size, path, sizeof(path));
    if (fd < 0)
        return 0;

    pcs[nr_pcs++] = EXEC_START + 0xb0;
    pcs[nr_pcs++] = EXEC_START + 0x1000;
    pcs[nr_pcs++] = EXEC_START + MAP_SIZE - 1;
    pcs[nr_pcs++] = DYN_START + 0x40;
    pcs[nr_pcs++] = DYN_START - 1;      /* unmapped */
    if (size >= 32) {                   /* e_entry, as if little-endian */
        uint64_t entry = data[4] == 1 ? (uint32_t)fuzz_le(data + 24, 8) : fuzz_le(data + 24, 8);

        pcs[nr_pcs++] = entry;
        pcs[nr_pcs++] = DYN_START + entry % MAP_SIZE;
    }
    for (size_t i = 0; i < NR_TAIL_PCS && size >= 8 * (i + 1); i++)
        pcs[nr_pcs++] = (i & 1 ? DYN_START : EXEC_START) +
                        fuzz_le(data + size - 8 * (i + 1), 8) % MAP_SIZE;

    if (guestsym_new(NULL, &gs) == 0) {
        const struct tbs_mapping_view exec = {
            .start = EXEC_START, .end = EXEC_START + MAP_SIZE, .bias = 0,
            .path = path, .path_len = strlen(path),
        };
        const struct tbs_mapping_view dyn = {
            .start = DYN_START, .end = DYN_START + MAP_SIZE, .bias = DYN_START,
            .path = path, .path_len = strlen(path),
        };

        if (guestsym_add_mapping(gs, &exec) == 0 && guestsym_add_mapping(gs, &dyn) == 0) {
            for (size_t i = 0; i < nr_pcs; i++)
                if (guestsym_lookup_flags(gs, pcs[i], 0, &gl) == 0)
                    h += touch_loc(gl);
            for (size_t i = 0; i < nr_pcs; i++)
                if (guestsym_lookup_flags(gs, pcs[i], GUESTSYM_FRAMES | GUESTSYM_DWFL_SYMBOL,
                                          &gl) == 0)
                    h += touch_loc(gl);
            /* Split the mapping: lookups in the hole are unmapped again. */
            if (guestsym_remove(gs, DYN_START + 0x1000, DYN_START + 0x2000) == 0 &&
                guestsym_lookup(gs, DYN_START + 0x1010, &gl) == 0 && gl->mapped)
                __builtin_trap();
        }
        guestsym_free(gs);
    }

    if (hostsym_new(NULL, &hs) == 0) {
        hostsym_set_kallsyms(hs, NULL);
        if (hostsym_add_mmap(hs, 1, 0, EXEC_START, MAP_SIZE, 0, path, NULL, 0) == 0)
            for (size_t i = 0; i < nr_pcs; i++)
                if (hostsym_lookup(hs, 1, pcs[i], 1, 0, &hl) == 0)
                    h += touch_str(hl.dso_path) + touch_str(hl.symbol);
        hostsym_free(hs);
    }
    close(fd);
    sink = h;
    return 0;
}
