/*
 * elffile.c: open a file for libelf (see elffile.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "elffile.h"

#include <fcntl.h>
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
