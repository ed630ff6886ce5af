/* The guest of tbsym diff's golden fixtures: symbols only, never run. */
int hot(int n) { int s = 0; for (int i = 0; i < n; i++) s += i * i ^ (s >> 3); return s; }
int steady(int n) { return n * 7 + 3; }
int gone(int n) { return n - 1; }
int fresh(int n) { return n + 1; }
int cold(int n) { return n ^ 5; }
void _start(void) { for (;;) hot(steady(gone(fresh(cold(1))))); }
