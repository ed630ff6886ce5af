/*
 * elffile.h: open a file for libelf, read-only and mapped, the way the host
 * symbol reader (hostsym.c) and the unwinder (unwind.c) read the ELF files
 * a recording names.  Internal to the library.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ELFFILE_H
#define ELFFILE_H

#include <libelf.h>
#include <stdbool.h>

/*
 * elffile_open - the ELF file at @path, mapped with ELF_C_READ_MMAP; the
 * descriptor is closed before returning (libelf needs it no more).
 * Returns NULL when the file cannot be opened or is not ELF (an archive,
 * anything else).  Release with elf_end().  elf_version() must have been
 * called.  The caller checks what the path may be (a FIFO would block).
 */
Elf *elffile_open(const char *path);

/*
 * elffile_strings_terminated - whether every DWARF string section of elf
 * (.debug_str, .debug_line_str, compressed or not) ends in NUL.  libdw
 * (0.188) takes their strings with strlen(): in a corrupt file whose
 * section does not end in NUL it reads past the section's buffer (found by
 * fuzz_guestsym).  A reader hands a file's DWARF to libdw only when this
 * holds (for its alternate file too); a file without DWARF is fine.
 */
bool elffile_strings_terminated(Elf *elf);

#endif /* ELFFILE_H */
