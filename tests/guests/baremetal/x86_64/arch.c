/*
 * The x86_64 guest's machine: a flat GDT with ring-0 and ring-3 segments
 * and a TSS, an IDT with the exception stubs and the DPL-3 system call gate,
 * the 16550 UART at 0x3f8, and isa-debug-exit at 0xf4 to stop QEMU.
 * It runs in 32-bit protected mode with paging off (see README.md).
 */
#include "bm.h"

#define COM1        0x3f8
#define DEBUG_EXIT  0xf4        /* -device isa-debug-exit,iobase=0xf4,iosize=0x04 */
#define MB_INFO_CMDLINE 0x4     /* Multiboot info flag: cmdline is valid */

#define KERNEL_CS   0x08
#define KERNEL_DS   0x10
#define TSS_SEL     0x28
#define SYSCALL_VEC 0x80

struct mb_info {                /* the Multiboot v1 fields we read */
    uint32_t flags;
    uint32_t mem_lower, mem_upper, boot_device;
    uint32_t cmdline;
};

struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3;
    uint32_t eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t zero, type_attr;
    uint16_t offset_hi;
};

struct __attribute__((packed)) table_ptr {
    uint16_t limit;
    uint32_t base;
};

/* Flat 4 GiB segments; the TSS descriptor is filled in at run time. */
static uint64_t gdt[6] __attribute__((aligned(8))) = {
    0,
    0x00CF9A000000FFFFull,      /* 0x08 ring-0 code */
    0x00CF92000000FFFFull,      /* 0x10 ring-0 data */
    0x00CFFA000000FFFFull,      /* 0x18 ring-3 code */
    0x00CFF2000000FFFFull,      /* 0x20 ring-3 data */
    0,                          /* 0x28 TSS */
};
static struct tss tss __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(8)));

extern const uint32_t bm_x86_fault_stubs[32];
extern uint8_t bm_trap_stack_top[];
void bm_x86_syscall_entry(void);
void bm_x86_load_segments(void);
void bm_x86_main(const struct mb_info *mbi);
void bm_x86_fault(const uint32_t *frame);

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

void bm_putc(char c)
{
    while (!(inb(COM1 + 5) & 0x20))     /* LSR: transmitter holding empty */
        ;
    outb(COM1, (uint8_t)c);
}

/*
 * QEMU exits with status (CODE << 1) | 1.  The device reads as 0, an
 * unassigned port as 0xff.  The exit request is asynchronous: halt at once,
 * so that the instructions executed after it do not depend on timing.
 */
static void __attribute__((noreturn)) bm_exit(uint8_t code)
{
    if (inb(DEBUG_EXIT) == 0xff)
        bm_puts("baremetal: no isa-debug-exit at 0xf4, halting\n");
    else
        outb(DEBUG_EXIT, code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

static void set_gate(int vec, uint32_t handler, int dpl)
{
    idt[vec].offset_lo = (uint16_t)handler;
    idt[vec].selector = KERNEL_CS;
    idt[vec].zero = 0;
    idt[vec].type_attr = (uint8_t)(0x8E | dpl << 5);    /* 32-bit interrupt gate */
    idt[vec].offset_hi = (uint16_t)(handler >> 16);
}

static void bm_x86_setup(void)
{
    uint32_t base = (uint32_t)&tss, limit = sizeof(tss) - 1;
    struct table_ptr gdtr = { sizeof(gdt) - 1, (uint32_t)gdt };
    struct table_ptr idtr = { sizeof(idt) - 1, (uint32_t)idt };
    int i;

    tss.ss0 = KERNEL_DS;
    tss.esp0 = (uint32_t)bm_trap_stack_top;
    tss.iomap_base = sizeof(tss);       /* no I/O bitmap: ring 3 has no ports */
    gdt[5] = (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
             0x89ull << 40 |            /* present, DPL 0, available 32-bit TSS */
             (uint64_t)(limit >> 16 & 0xf) << 48 | (uint64_t)(base >> 24) << 56;
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    bm_x86_load_segments();
    __asm__ volatile("ltr %w0" : : "r"(TSS_SEL));

    for (i = 0; i < 32; i++)
        set_gate(i, bm_x86_fault_stubs[i], 0);
    set_gate(SYSCALL_VEC, (uint32_t)bm_x86_syscall_entry, 3);
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void bm_x86_main(const struct mb_info *mbi)
{
    const char *cmdline = "";

    bm_x86_setup();
    bm_putc('\n');             /* SeaBIOS leaves "Booting from ROM.." open */
    if (mbi && (mbi->flags & MB_INFO_CMDLINE))
        cmdline = (const char *)mbi->cmdline;
    bm_exit((uint8_t)bm_main(cmdline));
}

/* FRAME: vector, error code, then the CPU's EIP, CS, EFLAGS. */
void bm_x86_fault(const uint32_t *frame)
{
    bm_puts("baremetal: fault vector=");
    bm_put_u32(frame[0]);
    bm_puts(" error=");
    bm_put_hex(frame[1]);
    bm_puts(" eip=");
    bm_put_hex(frame[2]);
    bm_puts(" cs=");
    bm_put_hex(frame[3]);
    bm_puts("\n");
    bm_exit(1);
}
