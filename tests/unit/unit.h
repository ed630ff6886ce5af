/*
 * unit.h: a minimal unit-test harness, header only.
 *
 * A test binary defines test functions, runs them with RUN_TEST(fn) (or
 * RUN_TEST_ARG(fn, arg)) from main() and returns unit_finish().  Every failed check prints one line
 *   FILE:LINE: check failed: EXPR (DETAIL)
 * to stderr and is counted; a test goes on after a failed check.
 * unit_finish() prints "NAME: N checks, M failed" and returns 0 when all
 * passed, 1 otherwise; unit_skip() exits 77 (automake's "skipped").
 *
 *   static void test_foo(void) { CHECK_EQ_U64(foo(2), 4); }
 *   int main(void) { RUN_TEST(test_foo); return unit_finish("test_foo"); }
 */
#ifndef UNIT_H
#define UNIT_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long unit_checks, unit_failed;
static const char *unit_current = "";

static inline int unit_report(int ok, const char *file, int line, const char *expr,
                              const char *detail)
{
    unit_checks++;
    if (ok)
        return 1;
    unit_failed++;
    fprintf(stderr, "%s:%d: check failed in %s: %s%s%s%s\n", file, line, unit_current,
            expr, detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
    return 0;
}

/* Each CHECK* evaluates to 1 if the check passed, 0 otherwise. */
#define CHECK(cond) unit_report(!!(cond), __FILE__, __LINE__, #cond, NULL)

/*
 * For the field lists of lib/tbstats-records.h and lib/jitdump-records.h
 * (CHECK_FIELD, with V the view written) and the counters of
 * lib/tbstats-fields.h (CHECK_COUNTER): the field NAME of got, what was
 * read, equals that of V or of want.
 */
#define CHECK_FIELD(V, TYPE, NAME, BITS) CHECK_EQ_U64(got->NAME, (V)->NAME);
#define CHECK_COUNTER(NAME, BITS, LEVEL) CHECK_EQ_U64(got->NAME, want->NAME);

/* The DETAIL of a failed comparison is formatted only when it fails. */
#define CHECK_EQ_U64(a, b) ({                                                   \
    uint64_t unit_a_ = (uint64_t)(a), unit_b_ = (uint64_t)(b);                  \
    char unit_d_[96] = "";                                                       \
    if (unit_a_ != unit_b_)                                                      \
        snprintf(unit_d_, sizeof(unit_d_), "%" PRIu64 " != %" PRIu64 " = 0x%" PRIx64, \
                 unit_a_, unit_b_, unit_b_);                                      \
    unit_report(unit_a_ == unit_b_, __FILE__, __LINE__, #a " == " #b, unit_d_);   \
})

#define CHECK_EQ_I64(a, b) ({                                                   \
    int64_t unit_a_ = (int64_t)(a), unit_b_ = (int64_t)(b);                     \
    char unit_d_[64] = "";                                                       \
    if (unit_a_ != unit_b_)                                                      \
        snprintf(unit_d_, sizeof(unit_d_), "%" PRId64 " != %" PRId64, unit_a_, unit_b_); \
    unit_report(unit_a_ == unit_b_, __FILE__, __LINE__, #a " == " #b, unit_d_);   \
})

#define CHECK_STR_EQ(a, b) ({                                                   \
    const char *unit_a_ = (a), *unit_b_ = (b);                                  \
    int unit_ok_ = unit_a_ && unit_b_ && strcmp(unit_a_, unit_b_) == 0;         \
    char unit_d_[512] = "";                                                      \
    if (!unit_ok_)                                                               \
        snprintf(unit_d_, sizeof(unit_d_), "\"%.240s\" != \"%.240s\"",           \
                 unit_a_ ? unit_a_ : "(null)", unit_b_ ? unit_b_ : "(null)");     \
    unit_report(unit_ok_, __FILE__, __LINE__, #a " == " #b, unit_d_);             \
})

#define CHECK_MEM_EQ(a, b, n) \
    unit_report(memcmp((a), (b), (n)) == 0, __FILE__, __LINE__, \
                "memcmp(" #a ", " #b ", " #n ") == 0", NULL)

#define RUN_TEST(fn) do { unit_current = #fn; fn(); unit_current = ""; } while (0)

/* RUN_TEST_ARG - RUN_TEST of a test that takes an argument (fn(arg)). */
#define RUN_TEST_ARG(fn, arg) do { unit_current = #fn; fn(arg); unit_current = ""; } while (0)

static inline int unit_finish(const char *name)
{
    printf("%s: %lu checks, %lu failed\n", name, unit_checks, unit_failed);
    fflush(stdout);
    return unit_failed ? 1 : 0;
}

/* unit_write_file - write len bytes of buf to path; a failure is a failed check. */
static inline void unit_write_file(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");

    CHECK(f != NULL);
    if (f) {
        CHECK_EQ_U64(fwrite(buf, 1, len, f), len);
        fclose(f);
    }
}

/* unit_now - seconds on the monotonic clock, for the timings of benchmarks. */
static inline double unit_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* unit_xorshift - the next of Marsaglia's xorshift64 numbers from *state (not 0). */
static inline uint64_t unit_xorshift(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static inline void unit_skip(const char *why)
{
    printf("SKIP: %s\n", why);
    exit(77);
}

#endif /* UNIT_H */
