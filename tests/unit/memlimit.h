/*
 * memlimit.h: run part of a unit test with its memory bounded, header only
 * (include after unit.h).
 *
 * unit_memlimit_run(fn, arg, limit) forks; the child lowers RLIMIT_AS to
 * the address space it has mapped now plus limit bytes, calls fn(arg) and
 * exits with fn's result (the number of its failed checks; their messages
 * are printed by the child).  The parent counts one check that passes when
 * the child exited 0.  So a reader that would allocate more than limit for
 * a small hostile input fails the test: its allocation fails (and it
 * returns -ENOMEM, which fn checks for) or the sanitizer's allocator aborts
 * the child.  Under AddressSanitizer, whose quarantine keeps freed blocks
 * mapped, the child instead tracks the peak of the bytes allocated through
 * the sanitizer's malloc hook and fails when it grew by more than limit
 * (an allocation ASan cannot make at all aborts the child).
 */
#ifndef MEMLIMIT_H
#define MEMLIMIT_H

#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNIT_MEMLIMIT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNIT_MEMLIMIT_ASAN 1
#endif
#endif

#ifdef UNIT_MEMLIMIT_ASAN
/* From the sanitizers' allocator_interface.h, which gcc does not install. */
size_t __sanitizer_get_current_allocated_bytes(void);
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));

static size_t unit_peak_allocated;

static void unit_malloc_hook(const volatile void *p, size_t size)
{
    size_t now = __sanitizer_get_current_allocated_bytes();

    (void)p;
    (void)size;
    if (now > unit_peak_allocated)
        unit_peak_allocated = now;
}

static void unit_free_hook(const volatile void *p)
{
    (void)p;
}
#endif

/* The address space mapped now, in bytes (0 if unknown). */
static inline unsigned long long unit_mapped_bytes(void)
{
    unsigned long long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f) {
        if (fscanf(f, "%llu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

static inline int unit_memlimit_run_at(const char *file, int line, int (*fn)(void *), void *arg,
                                       unsigned long long limit)
{
    char detail[96] = "";
    int status = 0;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid == 0) {
#ifdef UNIT_MEMLIMIT_ASAN
        size_t base = __sanitizer_get_current_allocated_bytes();

        unit_peak_allocated = base;
        if (!__sanitizer_install_malloc_and_free_hooks(unit_malloc_hook, unit_free_hook))
            _exit(102);
        unit_failed = 0;
        fn(arg);
        if (unit_peak_allocated - base > limit)
            unit_report(0, file, line, "peak allocated bytes <= limit", "AddressSanitizer hook");
        fflush(NULL);
        _exit(unit_failed ? 1 : 0);
#else
        struct rlimit rl;
        unsigned long long now = unit_mapped_bytes();

        if (!now)
            _exit(100);
        rl.rlim_cur = rl.rlim_max = now + limit;
        if (setrlimit(RLIMIT_AS, &rl) < 0)
            _exit(101);
        unit_failed = 0;
        fflush(NULL);
        _exit(fn(arg) ? 1 : 0);
#endif
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        snprintf(detail, sizeof(detail), "fork/waitpid failed");
    else if (WIFSIGNALED(status))
        snprintf(detail, sizeof(detail), "child killed by signal %d", WTERMSIG(status));
    else if (WEXITSTATUS(status))
        snprintf(detail, sizeof(detail), "child exited %d", WEXITSTATUS(status));
    return unit_report(!detail[0], file, line, "unit_memlimit_run", detail[0] ? detail : NULL);
}

#define unit_memlimit_run(fn, arg, limit) unit_memlimit_run_at(__FILE__, __LINE__, fn, arg, limit)

/*
 * The values a hostile file puts in size and count fields: near 2^31, 2^32,
 * 2^40 (a header claiming 2^40 records), 2^63 and 2^64.
 */
static const uint64_t unit_hostile_values[] = {
    0x7fffffffull, 0x80000000ull, 0xfffffff0ull, 0xffffffffull, 0x100000000ull,
    0x100000010ull, 1ull << 40, 1ull << 63, UINT64_MAX - 15, UINT64_MAX,
};
#define UNIT_NR_HOSTILE (sizeof(unit_hostile_values) / sizeof(unit_hostile_values[0]))

/*
 * unit_patch - store the low width bytes (4 or 8) of v at p, little-endian
 * unless big.
 */
static inline void unit_patch(uint8_t *p, unsigned width, uint64_t v, int big)
{
    for (unsigned i = 0; i < width; i++)
        p[big ? width - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/*
 * unit_each_hostile - for every 4-byte aligned field of buf[len] and every
 * unit_hostile_values[v], written as 32 and as 64 bits (big: big-endian),
 * call fn(arg, copy, len, off, v) on a fresh copy holding that value.
 */
static inline void unit_each_hostile(const uint8_t *buf, size_t len, int big,
                                     void (*fn)(void *arg, uint8_t *copy, size_t len,
                                                size_t off, size_t v),
                                     void *arg)
{
    uint8_t *copy = malloc(len ? len : 1);

    if (!copy)
        abort();
    for (size_t off = 0; off + 4 <= len; off += 4) {
        for (size_t v = 0; v < UNIT_NR_HOSTILE; v++) {
            for (unsigned width = 4; width <= 8 && off + width <= len; width += 4) {
                memcpy(copy, buf, len);
                unit_patch(copy + off, width, unit_hostile_values[v], big);
                fn(arg, copy, len, off, v);
            }
        }
    }
    free(copy);
}

#endif /* MEMLIMIT_H */
