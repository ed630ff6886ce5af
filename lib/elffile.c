/*
 * elffile.c: open a file for libelf (see elffile.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "elffile.h"

#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Elf *elffile_open(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    Elf *elf;

    if (fd < 0)
        return NULL;
    elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    /* Everything is mapped: libelf needs the descriptor no more. */
    if (elf)
        elf_cntl(elf, ELF_C_FDDONE);
    close(fd);
    if (elf && elf_kind(elf) != ELF_K_ELF) {
        elf_end(elf);
        elf = NULL;
    }
    return elf;
}

bool elffile_strings_terminated(Elf *elf)
{
    Elf_Scn *scn = NULL;
    size_t shstrndx;

    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return false;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr shdr;
        const char *name;
        Elf_Data *data;

        if (!gelf_getshdr(scn, &shdr) || !(name = elf_strptr(elf, shstrndx, shdr.sh_name)))
            continue;
        name += strncmp(name, ".zdebug_", 8) == 0 ? 8 : strncmp(name, ".debug_", 7) == 0 ? 7 : 0;
        if (strcmp(name, "str") != 0 && strcmp(name, "line_str") != 0)
            continue;
        /* The data libdw reads: converted and decompressed already (none: NOBITS). */
        data = elf_getdata(scn, NULL);
        if (data && data->d_buf && data->d_size &&
            ((const char *)data->d_buf)[data->d_size - 1] != '\0')
            return false;
    }
    return true;
}

bool elffile_dwarf_ok(Dwarf *dw)
{
    Dwarf *alt;

    if (!dwarf_getelf(dw) || !elffile_strings_terminated(dwarf_getelf(dw)))
        return false;
    alt = dwarf_getalt(dw);
    return !alt || (dwarf_getelf(alt) && elffile_strings_terminated(dwarf_getelf(alt)));
}

int elffile_debuginfo_init(struct elffile_debuginfo *di, const char *debug_dir)
{
    memset(di, 0, sizeof(*di));
    /* dwfl's default path, after the caller's directory. */
    if (debug_dir && debug_dir[0] &&
        asprintf(&di->path, "%s%s::.debug:/usr/lib/debug",
                 debug_dir[0] == '/' ? "" : "./", debug_dir) < 0) {
        di->path = NULL;
        return -ENOMEM;
    }
    di->callbacks.find_elf = dwfl_build_id_find_elf;
    di->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
    di->callbacks.section_address = dwfl_offline_section_address;
    di->callbacks.debuginfo_path = di->path ? &di->path : NULL;
    return 0;
}

void elffile_debuginfo_fini(struct elffile_debuginfo *di)
{
    free(di->path);
    di->path = NULL;
}

int elffile_report(const struct elffile_debuginfo *di, const char *path, const char *name,
                   uint64_t bias, Dwfl **dwflp, Dwfl_Module **modp)
{
    Dwfl *dwfl = dwfl_begin(&di->callbacks);
    Dwfl_Module *mod;

    *dwflp = NULL;
    *modp = NULL;
    if (!dwfl)
        return -ENOMEM;
    dwfl_report_begin(dwfl);
    mod = dwfl_report_elf(dwfl, name, path, -1, bias, false);
    if (dwfl_report_end(dwfl, NULL, NULL) != 0 || !mod) {
        dwfl_end(dwfl);
        return -ENOENT;
    }
    *dwflp = dwfl;
    *modp = mod;
    return 0;
}
