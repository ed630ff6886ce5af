/*
 * crash: runs for a while, then dies of SIGSEGV, for -perf's flush on fatal
 * signals.  gcc -g -O2 crash.c -o crash
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static unsigned long spin(unsigned long n)
{
    unsigned long x = 1;
    for (unsigned long i = 0; i < n; i++) {
        x = x * 6364136223846793005ul + i;
    }
    return x;
}

int main(int argc, char **argv)
{
    volatile int *p = NULL;
    printf("crash: %lu\n", spin(argc > 1 ? strtoul(argv[1], NULL, 0) : 5000000));
    fflush(stdout);
    return *p;
}
