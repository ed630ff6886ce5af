/*
 * guestsym.h: symbols and source lines of guest code addresses, from the
 * guest's ELF files named by the MAPPING records of a side file
 * (jit-PID.tbstats), through libdwfl.
 *
 * The caller replays the side file's MAPPING and UNMAP records in file order
 * (guestsym_add_mapping(), guestsym_remove()) and looks up guest PCs in
 * between, so every PC is resolved against the mappings live when its TB
 * was translated.  A file is opened the first time a PC in it is looked
 * up; one that cannot be opened (gone, not a regular file, not ELF) gives
 * results without symbol and source, never an error.  DWARF whose string
 * sections (.debug_str, .debug_line_str) do not end in NUL is corrupt and
 * not used (libdw would read past them): symbols, but no source or frames.
 *
 * Names follow perf's rules (elfsyms.h has them in full), which are QEMU's
 * -perf rules (qemu-jitdump patches 0002 and 0003) where QEMU has the same
 * symbols, so a guestsym name equals the name perf shows for the TB:
 *   - symbols come from the file's .symtab, else the .symtab of its
 *     separate debug file (found as DWARF is, below), else its .dynsym:
 *     defined STT_FUNC and STT_GNU_IFUNC symbols of non-zero size; aliases
 *     (same address and size) resolve to one name as perf's
 *     choose_best_symbol() (not weak, then global, fewer leading
 *     underscores, longer name); plus "SYM@plt" for PLT slots, as perf's
 *     dso__synthesize_plt_symbols() (x86_64, i386, AArch64);
 *   - "SYM" when the PC is a symbol's first byte, "SYM+0xOFF" when it lies
 *     inside one (vaddr - st_value < st_size; at equal start the larger
 *     symbol, else the innermost of up to 16 preceding nested ones);
 *   - "BASENAME+0xVADDR" elsewhere in a mapped file (VADDR = PC - bias, the
 *     ELF virtual address, e.g. "libc.so.6+0x2a1c0");
 *   - "guest-0xPC" outside every mapping (a lookup does not know the
 *     privilege level of the code; guestsym_unmapped_name() names it
 *     when the caller does: "[kernel] 0xPC" in system mode).
 * Each file's symbols are read once, into a sorted index (elfsyms.h): a
 * lookup is a binary search.
 * A mapping of kind TBS_MAPPING_SYMBOL_LIST (system emulation, format 1.4)
 * is a System.map-style text list, read with QEMU's rules for it
 * (symlist.h) into the same index, not through libdwfl: symbols by the
 * rules above (no PLT slots), no source lines, frames or dwfl_symbol.  A
 * list that cannot be read (gone, too large, not a list) gives results
 * without symbols, as an unreadable ELF file does.
 * Source lines and inlined frames come from DWARF in the file itself or in
 * a separate debug file found by build-id (/usr/lib/debug/.build-id/xx/
 * rest.debug), by .gnu_debuglink, or in the caller's extra debug directory.
 *
 * Errors are negative errno values: only -ENOMEM and -EINVAL (bad
 * arguments) are returned; unreadable files are not errors.
 *
 * Thread safety: none; use one guestsym per thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef GUESTSYM_H
#define GUESTSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tbstats.h"

struct guestsym;

/*
 * One frame at a PC, innermost first, as addr2line -i prints them: frame 0
 * is the function whose code the PC is in (an inlined one if it was
 * inlined) with the PC's own file:line; frame i > 0 is the function frame
 * i - 1 was inlined into, with the file:line of that call.  The last frame
 * is the out-of-line function.
 */
struct guestsym_frame {
    const char *function;      /* DW_AT_name (or linkage name); NULL if unknown */
    const char *file;          /* full path as DWARF has it; NULL if unknown */
    int line;                  /* 0: unknown */
    int column;                /* 0: unknown */
};

/*
 * The result of a lookup.  Every pointer is owned by the guestsym and stays
 * valid until guestsym_free().
 */
struct guestsym_loc {
    uint64_t pc;
    bool mapped;               /* inside a mapping of the side file */
    const char *path;          /* the mapped file; NULL when !mapped */
    const char *basename;      /* its last component; NULL when !mapped */
    uint64_t bias;             /* guest address = ELF vaddr + bias */
    uint64_t vaddr;            /* pc - bias (0 when !mapped) */
    bool file_ok;              /* the file could be read as ELF (or, for a
                                  TBS_MAPPING_SYMBOL_LIST, as a symbol list) */
    const char *symbol;        /* by QEMU's rules above; NULL if none */
    uint64_t sym_start;        /* guest address of the symbol (st_value + bias) */
    uint64_t sym_size;
    uint64_t offset;           /* pc - sym_start, else vaddr, else pc */
    const char *name;          /* display name, exactly QEMU's (see above) */
    const char *src_file;      /* DWARF line table: full path; NULL if unknown */
    int src_line;              /* 0: unknown */
    int src_column;            /* 0: unknown */
    const char *dwfl_symbol;   /* the symbol libdwfl's dwfl_module_addrinfo() finds
                                  (any type; nearest preceding label when sizes
                                  are 0; elfsyms_any_at()); NULL if none.  Richer
                                  than symbol for stripped files, but not perf's
                                  name */
    uint64_t dwfl_offset;      /* pc - dwfl_symbol's address */
    bool have_dwfl_symbol;     /* dwfl_symbol was looked for (GUESTSYM_DWFL_SYMBOL) */
    bool have_frames;          /* frames were looked for (GUESTSYM_FRAMES) */
    size_t nr_frames;          /* 0 when there is no DWARF for pc */
    const struct guestsym_frame *frames;
};

/* guestsym_lookup_flags(): the optional, slower parts of a result */
#define GUESTSYM_FRAMES      1u  /* inlined frames (a descent of the unit's DIEs: ~30 us) */
#define GUESTSYM_DWFL_SYMBOL 2u  /* dwfl_symbol (a binary search of the index) */
#define GUESTSYM_NO_SOURCE   4u  /* skip the source line (a line-table search) */

/*
 * guestsym_new - an empty symbolizer.
 * @debug_dir: an extra directory searched first for separate debug files,
 *             as libdwfl searches /usr/lib/debug: "<dir>/.build-id/xx/
 *             rest.debug", then the .gnu_debuglink name (or
 *             "<basename>.debug") under "<dir><directory of the file>" and
 *             "<dir>"; NULL for the default path only.  Copied.
 * Returns 0 and sets *gsp, or -ENOMEM.  Release with guestsym_free().
 */
int guestsym_new(const char *debug_dir, struct guestsym **gsp);

/* guestsym_free - close every file and free every result.  Accepts NULL. */
void guestsym_free(struct guestsym *gs);

/*
 * guestsym_add_mapping - a TBS_REC_MAPPING: [start, end) now holds m->path
 * at m->bias, replacing whatever was mapped there.  Only the fields path,
 * start, end, bias and kind are used (build_id is not checked against the
 * file).
 * An empty range is ignored.  Returns 0 or -ENOMEM.
 */
int guestsym_add_mapping(struct guestsym *gs, const struct tbs_mapping_view *m);

/*
 * guestsym_remove - a TBS_REC_UNMAP: forget what [start, end) held.
 * Returns 0 or -ENOMEM (splitting a mapping in two needs room).
 */
int guestsym_remove(struct guestsym *gs, uint64_t start, uint64_t end);

/*
 * guestsym_lookup - resolve a guest PC against the current mappings.
 * Results are cached per (file, bias, pc): looking up the same PC again is
 * a hash lookup.  *locp is set even for an unmapped PC (name "guest-0x...").
 * Returns 0 or -ENOMEM.
 *
 * Fills every field (guestsym_lookup_flags() with both flags).
 */
int guestsym_lookup(struct guestsym *gs, uint64_t pc, const struct guestsym_loc **locp);

/*
 * guestsym_lookup_flags - guestsym_lookup() that fills the slow parts only
 * when asked: GUESTSYM_FRAMES for nr_frames/frames, GUESTSYM_DWFL_SYMBOL for
 * dwfl_symbol/dwfl_offset.  Without them these fields are zero unless an
 * earlier lookup of the same PC filled them (have_frames, have_dwfl_symbol
 * say which); a later lookup with the flag fills them in the same loc.
 * Everything else (QEMU's symbol and name, source line) is always filled,
 * the source line unless GUESTSYM_NO_SOURCE says it is not wanted (then
 * src_file is NULL unless an earlier lookup of the same PC filled it;
 * GUESTSYM_FRAMES always fills it, as the innermost frame's line).
 */
int guestsym_lookup_flags(struct guestsym *gs, uint64_t pc, unsigned flags,
                          const struct guestsym_loc **locp);

/*
 * guestsym_load_name - the name to show for the TB at pc whose jitdump
 * CODE_LOAD is called name: when name is QEMU's "BASENAME+0xVADDR" for pc
 * (QEMU found no symbol) and guestsym has one (from a separate debug file,
 * a PLT slot), guestsym's name ("__strcmp_avx2+0x17", "strcmp@plt");
 * otherwise name itself.  Cheap when name is not that form (no file is
 * opened); otherwise one lookup, cached, without source line.  The result
 * is name or owned by gs.  gs may be NULL (then name).
 */
const char *guestsym_load_name(struct guestsym *gs, uint64_t pc, const char *name);

/*
 * guestsym_format_name - QEMU's display name for a symbol or a mapping,
 * without looking anything up: "SYM+0xOFF" ("SYM" when off is 0) when sym
 * is not NULL, else "OBJECT+0xOFF" when object is not NULL, else
 * guestsym_unmapped_name(off, TBS_PRIV_NONE): "guest-0xOFF".  Writes at
 * most size bytes (NUL included) to buf and returns the length the whole
 * name needs, like snprintf().
 */
int guestsym_format_name(char *buf, size_t size, const char *sym, const char *object,
                         uint64_t off);

/*
 * guestsym_unmapped_name - QEMU's name for guest code at pc outside every
 * mapping (its elf_symbol_name() without a file), by the privilege level
 * (TBS_PRIV_*, struct tbs_tb's) the guest CPU translated it at:
 *   TBS_PRIV_NONE (user-mode emulation; also any value QEMU does not
 *   write)           "guest-0xPC"
 *   TBS_PRIV_USER    "[user] 0xPC"
 *   TBS_PRIV_SUPERVISOR  "[kernel] 0xPC"
 * in lower-case hex without leading zeros: the jitdump's CODE_LOAD name, so
 * perf's after `perf inject -j`.  In system mode the same address may be
 * any process's code, so QEMU names the level, not a symbol.  Writes at
 * most size bytes (NUL included) to buf and returns the length the whole
 * name needs, like snprintf().  The one place this rule is spelt out:
 * lookups of unmapped PCs (privilege unknown to guestsym: "guest-0xPC")
 * and tbsym's names of TBs and keys use it.
 */
int guestsym_unmapped_name(char *buf, size_t size, uint64_t pc, unsigned privilege);

#endif /* GUESTSYM_H */
