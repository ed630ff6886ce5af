/*
 * atomics: two threads doing locked adds on a 64-bit value that straddles a
 * 16-byte boundary.  Under a multi-threaded guest QEMU cannot do those with
 * one host atomic, so each goes through cpu_exec_step_atomic(): the
 * TBStatistics "atomic single-step path".  x86_64 only (aarch64 faults on
 * misaligned atomics).
 *   gcc -g -O2 atomics.c -o atomics -lpthread
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ADDS_PER_THREAD 1000

static _Alignas(16) unsigned char buf[32];
static uint64_t *const v = (uint64_t *)(buf + 12);  /* crosses byte 16 */

__attribute__((noinline)) static void locked_add(void)
{
    __atomic_fetch_add(v, 1, __ATOMIC_SEQ_CST);
}

static void *worker(void *arg)
{
    for (int i = 0; i < ADDS_PER_THREAD; i++) {
        locked_add();
    }
    return arg;
}

int main(void)
{
    pthread_t t[2];

    for (int i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, worker, NULL);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
    }
    printf("atomics: %llu\n", (unsigned long long)*v);
    return *v == 2 * ADDS_PER_THREAD ? 0 : 1;
}
