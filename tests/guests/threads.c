/*
 * threads: 8 threads translating and running different code at once, for
 * -perf's record interleaving (and, later, execution-count bounds).
 *   gcc -g -O2 threads.c -o threads -lpthread
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NTHREADS 8

typedef unsigned long (*work_fn)(unsigned long);

#define WORK(n) \
    __attribute__((noinline)) static unsigned long work##n(unsigned long x) \
    { for (int i = 0; i < 200000; i++) { x = x * (n + 3) + (x >> (n + 1)) + i; } return x; }
WORK(0) WORK(1) WORK(2) WORK(3) WORK(4) WORK(5) WORK(6) WORK(7)

static work_fn fns[NTHREADS] = { work0, work1, work2, work3, work4, work5, work6, work7 };

static void *thread_main(void *arg)
{
    unsigned long id = (unsigned long)arg, x = id;
    for (int r = 0; r < 20; r++) {
        x = fns[(id + r) % NTHREADS](x);
    }
    return (void *)x;
}

int main(void)
{
    pthread_t t[NTHREADS];
    unsigned long sum = 0;
    for (unsigned long i = 0; i < NTHREADS; i++) {
        pthread_create(&t[i], NULL, thread_main, (void *)i);
    }
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (unsigned long)r;
    }
    printf("threads: %d threads, sum %lu\n", NTHREADS, sum);
    return 0;
}
