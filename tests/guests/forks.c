/*
 * forks: translations the parent made just before fork() run on in the
 * child, which must count them in its own TBStatistics export.
 *   gcc -g -O2 forks.c -o forks
 * The parent runs hot()'s loop 3 times (its loop TB, translated now, runs
 * twice) and forks at once, while that translation is still in -perf's
 * buffer.  The child runs the loop 200000 times more: in the child's export
 * that TB ran 2 + 199999 times.  The parent then runs cold()'s loop 300000
 * times: in its export hot's loop TB ran twice, cold's 299999 times.
 * Prints the child's and the parent's PID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOOP(name, k) \
    unsigned long name(unsigned long x, int n); \
    __attribute__((noinline, noclone)) unsigned long name(unsigned long x, int n) \
    { for (int i = 0; i < n; i++) { x = x * (k) + (x >> 3) + i; } return x; }
LOOP(hot, 5)
LOOP(cold, 7)

int main(void)
{
    unsigned long x = hot(1, 3);
    pid_t pid = fork();
    int status;

    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        x = hot(x, 200000);
        printf("forks: child %d, %lu\n", (int)getpid(), x & 0xff);
        return 0;
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "forks: the child failed\n");
        return 1;
    }
    x = cold(x, 300000);
    printf("forks: parent %d, %lu\n", (int)getpid(), x & 0xff);
    return 0;
}
