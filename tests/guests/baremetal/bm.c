/*
 * The workload both bare-metal guests run: three kernel-mode hot functions
 * and one user-mode one per iteration, then one result line.  Everything is
 * a pure function of the iteration count, so the same ITER prints the same
 * line and executes the same number of guest instructions.
 */
#include "bm.h"

/* Sizes of one iteration's work, chosen so that each hot function takes a
 * visible share of the run time (README.md has the measured times). */
#define FIB_N        24
#define CHECK_LEN    131072
#define SIEVE_N      131072
#define USER_WORDS   1024
#define USER_ROUNDS  32
/* bm_tlb_walk reads one byte of each of TLB_PAGES pages, TLB_ROUNDS times:
 * more pages than QEMU's TLB has entries (256 by default, grown only at a
 * flush, which this program never asks for) plus its 8-entry victim TLB,
 * so every read misses the TLB.  bm_alu does ALU_STEPS register-only steps. */
#define PAGE_SIZE    4096
#define TLB_PAGES    2048
#define TLB_ROUNDS   8
#define ALU_STEPS    65536

static uint8_t check_buf[CHECK_LEN];
static uint8_t sieve_buf[SIEVE_N];
/* Written by bm_user_work in user mode: no paging and no MMU, so all of
 * memory is reachable from ring 3 / EL0. */
static uint32_t user_buf[USER_WORDS];
/* 8 MiB, never written: zeroes, as the loaders leave a .bss. */
static uint8_t tlb_buf[TLB_PAGES * PAGE_SIZE];

void bm_puts(const char *s)
{
    while (*s)
        bm_putc(*s++);
}

void bm_put_u32(uint32_t v)
{
    char digits[10];
    int n = 0;

    do {
        digits[n++] = '0' + v % 10;
        v /= 10;
    } while (v);
    while (n)
        bm_putc(digits[--n]);
}

void bm_put_hex(uint32_t v)
{
    int shift;

    bm_puts("0x");
    for (shift = 28; shift >= 0; shift -= 4)
        bm_putc("0123456789abcdef"[(v >> shift) & 15]);
}

/* The iteration count: the first number after the program name. */
static uint32_t bm_parse_iter(const char *cmdline)
{
    const char *p = cmdline;
    uint32_t v = 0;
    int ndigits = 0;

    while (*p == ' ')
        p++;
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    for (; *p >= '0' && *p <= '9' && ndigits < 9; p++, ndigits++)
        v = v * 10 + (uint32_t)(*p - '0');
    return ndigits ? v : BM_DEFAULT_ITER;
}

/* Calls of bm_fib so far.  The monitor test reads it while the VM is
 * stopped to know exactly how often bm_fib ran between two stops. */
volatile uint32_t bm_fib_calls;

uint32_t bm_fib(uint32_t n)
{
    bm_fib_calls++;
    if (n < 2)
        return n;
    return bm_fib(n - 1) + bm_fib(n - 2);
}

uint32_t bm_checksum(const uint8_t *buf, uint32_t len, uint32_t seed)
{
    uint32_t a = 1 + seed, b = 0, i;

    for (i = 0; i < len; i++) {
        a += buf[i];
        if (a >= 65521)
            a -= 65521;
        b += a;
        if (b >= 65521)
            b -= 65521;
    }
    return b << 16 | a;
}

/* The number of primes below N; COMPOSITE holds N flags. */
uint32_t bm_sieve(uint8_t *composite, uint32_t n)
{
    uint32_t i, j, count = 0;

    for (i = 0; i < n; i++)
        composite[i] = 0;
    for (i = 2; i < n; i++) {
        if (composite[i])
            continue;
        count++;
        for (j = i * i; j < n; j += i)
            composite[j] = 1;
    }
    return count;
}

uint32_t bm_user_work(uint32_t seed)
{
    uint32_t x = seed | 1, acc = 0, r, i;

    for (r = 0; r < USER_ROUNDS; r++) {
        for (i = 0; i < USER_WORDS; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            user_buf[i] += x;
            acc = (acc << 1 | acc >> 31) ^ user_buf[i];
        }
    }
    return acc;
}

/*
 * One read per page, pages in order, rounds times: page p's TLB entry is
 * taken by page p + (TLB size) before p comes again, so each read goes to
 * QEMU's software MMU (the test of softmmu_samples relies on it).
 */
uint32_t bm_tlb_walk(const volatile uint8_t *buf, uint32_t pages, uint32_t rounds)
{
    uint32_t sum = 0, r, p;

    for (r = 0; r < rounds; r++)
        for (p = 0; p < pages; p++)
            sum += buf[p * PAGE_SIZE];
    return sum;
}

/* Register-only work: no load or store in its loop (its TBs have no TLB fast path). */
uint32_t bm_alu(uint32_t seed)
{
    uint32_t x = seed | 1, acc = 0, i;

    for (i = 0; i < ALU_STEPS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        acc += x ^ (acc >> 3);
    }
    return acc;
}

static void bm_fill(uint8_t *buf, uint32_t len)
{
    uint32_t x = 12345, i;

    for (i = 0; i < len; i++) {
        x = x * 1103515245 + 12345;
        buf[i] = (uint8_t)(x >> 16);
    }
}

int bm_main(const char *cmdline)
{
    uint32_t iter = bm_parse_iter(cmdline);
    uint32_t fib = 0, sum = 0, primes = 0, user = 0, walk = 0, alu = 0, i;

    bm_fill(check_buf, CHECK_LEN);
    for (i = 0; i < iter; i++) {
        fib = bm_fib(FIB_N);
        sum += bm_checksum(check_buf, CHECK_LEN, i);
        primes = bm_sieve(sieve_buf, SIEVE_N);
        user ^= bm_user_call(i);
        walk += bm_tlb_walk(tlb_buf, TLB_PAGES, TLB_ROUNDS);
        alu ^= bm_alu(2 * i + 1);
    }
    bm_puts("baremetal " BM_ARCH " iter=");
    bm_put_u32(iter);
    bm_puts(" fib=");
    bm_put_u32(fib);
    bm_puts(" sum=");
    bm_put_hex(sum);
    bm_puts(" primes=");
    bm_put_u32(primes);
    bm_puts(" user=");
    bm_put_hex(user);
    bm_puts(" walk=");
    bm_put_u32(walk);
    bm_puts(" alu=");
    bm_put_hex(alu);
    bm_puts("\n");
    return 0;
}
