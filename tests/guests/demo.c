/*
 * demo: the bundled guest program of `make demo` and of the integration tests.
 * Built with -g so the guest has symbols and DWARF line info, dynamically
 * linked so libc's code (qsort, memcpy, strlen) is translated too.
 *
 * Each hot function is named for what it exercises in QEMU:
 *   fib_recursive   calls and returns (many small TBs, indirect jumps)
 *   matrix_multiply integer loads/stores in a tight loop
 *   float_kernel    floating point: x86 SSE ops go through softfloat helpers
 *   sort_strings    libc's qsort calling back into the program (cmp_strings)
 *   checksum_bytes  byte loop with many live values
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int scale = 1;

__attribute__((noinline)) long fib_recursive(int n)
{
    return n < 2 ? n : fib_recursive(n - 1) + fib_recursive(n - 2);
}

#define N 48
static int ma[N][N], mb[N][N], mc[N][N];

__attribute__((noinline)) void matrix_multiply(void)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            int s = 0;
            for (int k = 0; k < N; k++) {
                s += ma[i][k] * mb[k][j];
            }
            mc[i][j] = s;
        }
    }
}

__attribute__((noinline)) double float_kernel(int iters)
{
    double x = 1.0, y = 0.5;
    for (int i = 0; i < iters; i++) {
        x = x / (1.0 + y * 1e-9) + 1e-7;
        y = y * 0.999999 + x * 1e-9;
    }
    return x + y;
}

static int cmp_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

__attribute__((noinline)) void sort_strings(char **v, int n)
{
    qsort(v, n, sizeof(*v), cmp_strings);
}

__attribute__((noinline)) unsigned checksum_bytes(const unsigned char *p, size_t n)
{
    unsigned a = 1, b = 0, c = 0, d = 0, e = 0, f = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
        c ^= (a << 3) + b;
        d += c >> 2;
        e = e * 31 + d;
        f += e ^ p[i];
    }
    return a ^ (b << 16) ^ c ^ d ^ e ^ f;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    unsigned long sum = 0;
    enum { NSTR = 4000 };
    static char buf[NSTR][16];
    static char *strs[NSTR];

    if (getenv("DEMO_SCALE")) {
        scale = atoi(getenv("DEMO_SCALE"));
    }
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            ma[i][j] = i + j;
            mb[i][j] = i - j;
        }
    }
    for (int r = 0; r < rounds * scale; r++) {
        sum += fib_recursive(24);
        matrix_multiply();
        sum += mc[r % N][7];
        sum += (unsigned long)float_kernel(300000);
        for (int i = 0; i < NSTR; i++) {
            snprintf(buf[i], sizeof(buf[i]), "s%08x", (unsigned)(i * 2654435761u + r));
            strs[i] = buf[i];
        }
        sort_strings(strs, NSTR);
        sum += checksum_bytes((const unsigned char *)buf, sizeof(buf));
    }
    printf("demo: %d rounds, checksum %lu\n", rounds * scale, sum);
    return 0;
}
