/* The guest of the shadow-stack golden fixtures: symbols only, never run. */
#define NOINLINE __attribute__((noinline))
volatile int sink;
NOINLINE int lex(int c) { sink = c; return c * 3 + 1; }
NOINLINE int parse(int n) { int s = 0; for (int i = 0; i < n; i++) s += lex(i); return s; }
NOINLINE int step(int n) { sink = n; return n ^ 0x55; }
NOINLINE int run(int n) { int s = 0; for (int i = 0; i < n; i++) s += step(i); return s; }
NOINLINE int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
NOINLINE void handler(int sig) { sink = sig; }
NOINLINE int main(void) { return parse(10) + run(5) + fib(7); }
void _start(void) { handler(main()); for (;;) ; }
