/*
 * elffile.h: open a file for libelf, read-only and mapped, the way the host
 * symbol reader (hostsym.c) and the unwinder (unwind.c) read the ELF files
 * a recording names; the offline libdwfl set-up (one file, one Dwfl) and
 * the DWARF check of the guest symbolizer (guestsym.c) and the software-MMU
 * classifier (softmmu.c).
 * Internal to the library.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ELFFILE_H
#define ELFFILE_H

#include <elfutils/libdwfl.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>

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

/*
 * elffile_dwarf_ok - elffile_strings_terminated() for the ELF file of @dw
 * and for its alternate file (dwz's .gnu_debugaltlink) if it has one: may
 * @dw be handed to libdw?
 */
bool elffile_dwarf_ok(Dwarf *dw);

/*
 * struct elffile_debuginfo - the callbacks of an offline Dwfl that reports
 * ELF files by path and finds their separate debug files (by build-id or
 * .gnu_debuglink) under the caller's debug directory first, then where
 * libdwfl looks by default (.debug, /usr/lib/debug).  Begin each Dwfl with
 * dwfl_begin(&di->callbacks); @di must stay in place and outlive them all.
 */
struct elffile_debuginfo {
    Dwfl_Callbacks callbacks;
    char *path;                 /* callbacks.debuginfo_path points here */
};

/*
 * elffile_debuginfo_init - set up @di for @debug_dir (NULL or "": the
 * default path alone; relative to the current directory unless absolute).
 * Returns 0, or -ENOMEM with nothing allocated.  Release with
 * elffile_debuginfo_fini().
 */
int elffile_debuginfo_init(struct elffile_debuginfo *di, const char *debug_dir);

/* elffile_debuginfo_fini - free what @di holds (after every Dwfl begun with it has ended). */
void elffile_debuginfo_fini(struct elffile_debuginfo *di);

/*
 * elffile_report - a new Dwfl begun with @di whose one module is the ELF
 * file at @path, named @name, at load bias @bias (module addresses are
 * then ELF virtual addresses + @bias).  Returns 0 with *@dwflp (release
 * with dwfl_end()) and *@modp set; -ENOMEM; or -ENOENT when libdwfl cannot
 * report the file (not ELF, unreadable), both set to NULL.
 */
int elffile_report(const struct elffile_debuginfo *di, const char *path, const char *name,
                   uint64_t bias, Dwfl **dwflp, Dwfl_Module **modp);

#endif /* ELFFILE_H */
