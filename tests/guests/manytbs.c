/*
 * manytbs: many short-lived translation blocks.  The guest writes small
 * functions into an executable buffer, calls each a few times, then
 * overwrites them: every rewrite invalidates the TBs QEMU made for that code
 * (self-modifying code), so QEMU translates again and again, the way a guest
 * JIT or a loader would make it.  x86_64 only (it emits x86 machine code).
 *   gcc -g -O2 manytbs.c -o manytbs
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SLOTS 64
#define SLOT_SIZE 64

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 2000;
    unsigned char *buf = mmap(NULL, SLOTS * SLOT_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long sum = 0;

    if (buf == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (long r = 0; r < rounds; r++) {
        for (int s = 0; s < SLOTS; s++) {
            unsigned char *p = buf + s * SLOT_SIZE;
            int imm = (int)(r * SLOTS + s);
            /* mov eax, imm; add eax, edi; ret */
            p[0] = 0xb8;
            memcpy(p + 1, &imm, 4);
            p[5] = 0x01; p[6] = 0xf8;
            p[7] = 0xc3;
        }
        __builtin___clear_cache((char *)buf, (char *)buf + SLOTS * SLOT_SIZE);
        for (int k = 0; k < 4; k++) {
            for (int s = 0; s < SLOTS; s++) {
                int (*fn)(int) = (int (*)(int))(buf + s * SLOT_SIZE);
                sum += fn(k);
            }
        }
    }
    printf("manytbs: %ld rounds, sum %ld\n", rounds, sum);
    return 0;
}
