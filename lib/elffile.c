/*
 * elffile.c: open a file for libelf (see elffile.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "elffile.h"

#include <fcntl.h>
#include <gelf.h>
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
