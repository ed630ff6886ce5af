/*
 * symlist.h: a System.map-style symbol list ("ADDRESS TYPE NAME" lines, as
 * nm and the kernel's build write them), read into the same sorted index
 * an ELF file's symbols get (elfsyms.h), for the side file's MAPPING
 * records of kind TBS_MAPPING_SYMBOL_LIST (system emulation, QEMU's
 * -perf-symbols).
 *
 * The rules are QEMU's (qemu-jitdump, tcg/perf-symbols.c: syms_read_list()
 * and tcg/perf.c: perf_guest_elf_add_sym(), guest_sym_find()), so that a
 * name found here equals the jitdump's:
 *   - the text is split at '\n'; empty lines are skipped; every other line
 *     is ADDRESS (hex, as strtoull() reads it in base 16), one space, a
 *     one-character TYPE, one space and a NAME that ends at the first
 *     space, tab or '\r'.  One line that is not, or a NUL byte anywhere,
 *     makes the whole text no symbol list;
 *   - the code symbols are the entries of type t, T, w or W: an upper-case
 *     type is a global symbol, a lower-case one local;
 *   - lists have no sizes: a code symbol ends where the next entry of any
 *     type with a higher address starts.  The code symbol at the highest
 *     address (nothing follows it) has size 0 and, like a symbol with an
 *     empty name, names nothing;
 *   - then elfsyms_func_at()'s rules: aliases (same address and size) to
 *     the best name, the symbol holding the address, "SYM+0xOFF" inside it.
 * Where the list comes from `nm` on an ELF file, these names agree with
 * the ELF file's (elfsyms_func_at()) inside every function that the next
 * symbol starts right after; they differ in the padding after a function
 * (the list extends it to the next symbol), where the ELF file has a
 * symbol that is not a function, a size-0 function or an STT_GNU_IFUNC
 * (nm's 'i'), all of which only the list names, or not, by its rules.
 *
 * The input is user-supplied: a text larger than SYMLIST_MAX_SIZE (QEMU's
 * limit too) is refused before it is read, and everything else is checked
 * byte by byte: any input gives a list or an error, never a crash.
 * Memory is the text's size plus about 40 bytes a code symbol.
 *
 * Thread safety: none needed; the calls share nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYMLIST_H
#define SYMLIST_H

#include <stddef.h>
#include <stdint.h>

#include "elfsyms.h"

#define SYMLIST_MAX_SIZE ((size_t)256 << 20)

/*
 * symlist_read_mem - parse the symbol list text[0, len) into a new index.
 * @text, @len: the list; any bytes (copied: the index owns its names).
 * @esp: receives the index (free it with elfsyms_free()); a list without
 *       code symbols gives an empty index.
 * @err_offset: when not NULL, receives the byte offset of the line that
 *       is not "ADDRESS TYPE NAME", or of the first NUL byte (-EBADMSG).
 * Returns 0, -EBADMSG (not a symbol list), -EFBIG (len larger than
 * SYMLIST_MAX_SIZE) or -ENOMEM; *esp is NULL on failure.
 */
int symlist_read_mem(const char *text, size_t len, struct elfsyms **esp, size_t *err_offset);

/*
 * symlist_read_file - symlist_read_mem() on the file at path, which must
 * be a regular file (else -EINVAL; a FIFO would block); also the errno of
 * stat(), open(), mmap() and read().
 */
int symlist_read_file(const char *path, struct elfsyms **esp, size_t *err_offset);

#endif /* SYMLIST_H */
