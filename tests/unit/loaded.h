/*
 * loaded.h: find an ELF object loaded in this process (the executable, or
 * a library by name) and the address range of its executable PT_LOAD, so
 * that a test can map the real file as a guest file would be mapped.
 * Header only; for test_guestsym.c and test_guestsym_names.c.
 */
#ifndef LOADED_H
#define LOADED_H

#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct loaded {
    const char *want;       /* substring of the object's name; "" for the executable */
    char path[4096];
    uint64_t bias, start, end;  /* the executable PT_LOAD */
    bool found;
};

/* dl_iterate_phdr() callback: the first object l->want names. */
static inline int loaded_find(struct dl_phdr_info *info, size_t size, void *data)
{
    struct loaded *l = data;
    const char *name = info->dlpi_name ? info->dlpi_name : "";

    (void)size;
    if (l->found || (l->want[0] ? !strstr(name, l->want) : name[0] != '\0'))
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            l->bias = info->dlpi_addr;
            l->start = info->dlpi_addr + ph->p_vaddr;
            l->end = l->start + ph->p_memsz;
            l->found = true;
        }
    }
    if (l->found) {
        if (l->want[0]) {
            snprintf(l->path, sizeof(l->path), "%s", name);
        } else {
            ssize_t n = readlink("/proc/self/exe", l->path, sizeof(l->path) - 1);

            l->path[n > 0 ? n : 0] = '\0';
        }
    }
    return l->found;
}

/*
 * load_object - *l for the loaded object whose name contains want ("" for
 * the executable).  Returns whether it is loaded, with an absolute path
 * and a non-empty executable PT_LOAD.
 */
static inline bool load_object(struct loaded *l, const char *want)
{
    memset(l, 0, sizeof(*l));
    l->want = want;
    dl_iterate_phdr(loaded_find, l);
    return l->found && l->path[0] == '/' && l->end > l->start;
}

#endif /* LOADED_H */
