/*
 * The bare-metal guests' shared part: the hot functions and the main loop
 * (bm.c), and what each architecture provides them (x86_64/, aarch64/).
 * See README.md for what the programs do and how QEMU runs them.
 *
 * Freestanding: only the compiler's own <stdint.h> and <stddef.h>.  Every
 * value is 32 bits wide so the i386 build needs no libgcc helper.  The
 * boot.S files include it too, for the stacks.
 */
#ifndef BM_H
#define BM_H

/* Bytes of each stack: the kernel's (ring 0, EL1) and the user's (ring 3, EL0). */
#define BM_STACK_SIZE 16384

#ifdef __ASSEMBLER__
/*
 * bm_stack NAME: BM_STACK_SIZE bytes of stack at the label NAME, and the
 * global label NAME_top at their end, the initial stack pointer.  In .bss,
 * which _start clears.
 */
    .macro bm_stack name
\name:
    .skip BM_STACK_SIZE
    .globl \name\()_top
\name\()_top:
    .endm
#else

#include <stddef.h>
#include <stdint.h>

/* BM_ARCH, the name in the result line, comes from the Makefile (-D). */

/* Iterations when the command line names none. */
#define BM_DEFAULT_ITER 200

/* --- bm.c: the workload ---------------------------------------------------- */

/*
 * Run the workload ITER times, the count taken from CMDLINE ("PROGRAM ITER",
 * as both QEMU's multiboot loader and semihosting's SYS_GET_CMDLINE build it
 * from -kernel and -append), print the result line and return 0.
 */
int bm_main(const char *cmdline);

/* The hot functions; tests map profile addresses to these names. */
uint32_t bm_fib(uint32_t n);
uint32_t bm_checksum(const uint8_t *buf, uint32_t len, uint32_t seed);
uint32_t bm_sieve(uint8_t *composite, uint32_t n);
uint32_t bm_user_work(uint32_t seed);   /* runs in ring 3 / EL0 */
/* One read per page of buf, pages pages, rounds times: a TLB miss each. */
uint32_t bm_tlb_walk(const volatile uint8_t *buf, uint32_t pages, uint32_t rounds);
uint32_t bm_alu(uint32_t seed);         /* no memory access in its loop */

/* Console output, on top of bm_putc. */
void bm_puts(const char *s);
void bm_put_u32(uint32_t v);
void bm_put_hex(uint32_t v);

/* --- provided by each architecture ------------------------------------------ */

/* Write one character to the serial console. */
void bm_putc(char c);

/*
 * Run bm_user_work(ARG) in the least privileged mode (x86 ring 3, AArch64
 * EL0) and return its result.  The user code comes back through a system
 * call (int $0x80, svc #0) whose handler resumes the caller of bm_user_call.
 */
uint32_t bm_user_call(uint32_t arg);

#endif /* !__ASSEMBLER__ */
#endif
