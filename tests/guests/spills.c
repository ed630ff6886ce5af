/*
 * spills: a loop that keeps 28 values live at once in one basic block,
 * more than TCG has host registers for, next to a trivial function, for
 * the TBStatistics spill counts.  An aarch64 guest keeps them all in its
 * registers, so TCG must spill; an x86_64 guest spills to its own stack,
 * and every guest memory access makes TCG store its globals anyway.
 *   gcc -g -O2 spills.c -o spills
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) uint64_t pressure(const uint64_t *v, long n)
{
    uint64_t v0 = v[0];
    uint64_t v1 = v[1];
    uint64_t v2 = v[2];
    uint64_t v3 = v[3];
    uint64_t v4 = v[4];
    uint64_t v5 = v[5];
    uint64_t v6 = v[6];
    uint64_t v7 = v[7];
    uint64_t v8 = v[8];
    uint64_t v9 = v[9];
    uint64_t v10 = v[10];
    uint64_t v11 = v[11];
    uint64_t v12 = v[12];
    uint64_t v13 = v[13];

    for (long r = 0; r < n; r++) {
        uint64_t t0 = v0 * (v1 | 1);
        uint64_t t1 = v1 * (v2 | 1);
        uint64_t t2 = v2 * (v3 | 1);
        uint64_t t3 = v3 * (v4 | 1);
        uint64_t t4 = v4 * (v5 | 1);
        uint64_t t5 = v5 * (v6 | 1);
        uint64_t t6 = v6 * (v7 | 1);
        uint64_t t7 = v7 * (v8 | 1);
        uint64_t t8 = v8 * (v9 | 1);
        uint64_t t9 = v9 * (v10 | 1);
        uint64_t t10 = v10 * (v11 | 1);
        uint64_t t11 = v11 * (v12 | 1);
        uint64_t t12 = v12 * (v13 | 1);
        uint64_t t13 = v13 * (v0 | 1);
        v0 = (t0 ^ t5) + (v0 >> 3);
        v1 = (t1 ^ t6) + (v1 >> 3);
        v2 = (t2 ^ t7) + (v2 >> 3);
        v3 = (t3 ^ t8) + (v3 >> 3);
        v4 = (t4 ^ t9) + (v4 >> 3);
        v5 = (t5 ^ t10) + (v5 >> 3);
        v6 = (t6 ^ t11) + (v6 >> 3);
        v7 = (t7 ^ t12) + (v7 >> 3);
        v8 = (t8 ^ t13) + (v8 >> 3);
        v9 = (t9 ^ t0) + (v9 >> 3);
        v10 = (t10 ^ t1) + (v10 >> 3);
        v11 = (t11 ^ t2) + (v11 >> 3);
        v12 = (t12 ^ t3) + (v12 >> 3);
        v13 = (t13 ^ t4) + (v13 >> 3);
    }
    return v0 ^ v1 ^ v2 ^ v3 ^ v4 ^ v5 ^ v6 ^ v7 ^ v8 ^ v9 ^ v10 ^ v11 ^ v12 ^ v13;
}

__attribute__((noinline)) uint64_t trivial(uint64_t x)
{
    return x + 1;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    uint64_t v[14], s = 0;

    for (int i = 0; i < 14; i++) {
        v[i] = 0x9e3779b97f4a7c15ull * (i + 1);
    }
    for (long r = 0; r < 100; r++) {
        s = trivial(s);
    }
    s += pressure(v, n);
    printf("spills: %ld rounds, result %016llx\n", n, (unsigned long long)s);
    return 0;
}
