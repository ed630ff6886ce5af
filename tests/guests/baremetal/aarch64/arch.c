/*
 * The aarch64 guest's machine: the virt board's PL011 UART at 0x09000000
 * for output, and Arm semihosting (-semihosting) for the command line and
 * for exiting QEMU.  It runs at EL1 with the MMU off, so every data access
 * is to Device memory: built with -mstrict-align.
 */
#include "bm.h"

#define PL011_BASE  0x09000000ul
#define PL011_DR    0x00
#define PL011_FR    0x18
#define PL011_CR    0x30
#define PL011_FR_TXFF   (1u << 5)
#define PL011_CR_ENABLE 0x301   /* UARTEN | TXE | RXE */

#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT        0x18
#define ADP_Stopped_ApplicationExit 0x20026

void bm_a64_main(void);
void bm_a64_fault(uint64_t vector, uint64_t esr, uint64_t elr);

static inline volatile uint32_t *pl011(unsigned int reg)
{
    return (volatile uint32_t *)(PL011_BASE + reg);
}

void bm_putc(char c)
{
    while (*pl011(PL011_FR) & PL011_FR_TXFF)
        ;
    *pl011(PL011_DR) = (uint8_t)c;
}

/* An Arm semihosting call: OP in w0, the parameter block's address in x1. */
static uint64_t semihost(uint64_t op, void *params)
{
    register uint64_t x0 __asm__("x0") = op;
    register void *x1 __asm__("x1") = params;

    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

/* QEMU exits with status CODE. */
static void __attribute__((noreturn)) bm_exit(uint32_t code)
{
    uint64_t params[2] = { ADP_Stopped_ApplicationExit, code };

    semihost(SYS_EXIT, params);
    for (;;)
        __asm__ volatile("wfi");
}

void bm_a64_main(void)
{
    static char cmdline[256];
    uint64_t params[2] = { (uint64_t)cmdline, sizeof(cmdline) - 1 };
    uint64_t el;

    *pl011(PL011_CR) = PL011_CR_ENABLE;
    __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
    if ((el >> 2 & 3) != 1) {
        bm_puts("baremetal: not entered at EL1 (EL");
        bm_put_u32((uint32_t)(el >> 2 & 3));
        bm_puts(")\n");
        bm_exit(1);
    }
    /* Without -semihosting the hlt traps and bm_a64_fault reports it. */
    if (semihost(SYS_GET_CMDLINE, params) != 0)
        cmdline[0] = '\0';
    bm_exit((uint32_t)bm_main(cmdline));
}

void bm_a64_fault(uint64_t vector, uint64_t esr, uint64_t elr)
{
    static int faulted;

    /* A second fault: most likely semihosting is off (hlt traps). */
    if (faulted++)
        for (;;)
            __asm__ volatile("wfi");
    bm_puts("baremetal: exception vector=");
    bm_put_u32((uint32_t)vector);
    bm_puts(" esr=");
    bm_put_hex((uint32_t)esr);
    bm_puts(" elr=");
    bm_put_hex((uint32_t)elr);          /* the image and RAM lie below 4 GiB */
    bm_puts("\n");
    bm_exit(1);
}
