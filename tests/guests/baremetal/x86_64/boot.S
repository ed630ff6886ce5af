/*
 * The x86_64 guest's entry, ring transitions and exception stubs.  QEMU's
 * multiboot loader enters _start in 32-bit protected mode with paging off,
 * EAX = 0x2BADB002 and EBX = the Multiboot information structure.
 * Selectors match the GDT in arch.c.
 */
#include "bm.h"

#define KERNEL_CS  0x08
#define KERNEL_DS  0x10
#define USER_CS    (0x18 | 3)
#define USER_DS    (0x20 | 3)
#define MB_MAGIC   0x1BADB002
#define MB_FLAGS   0x00000003   /* page-aligned modules, memory info */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .globl _start
    .type _start, @function
_start:
    cli
    cld
    mov %eax, %esi
    /* Clear .bss, stacks included, before the first push.  The loader put
     * the Multiboot information after the whole image, .bss included. */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov %ebx, %edi
    mov $bm_kstack_top, %esp
    xor %ebp, %ebp
    xor %eax, %eax
    cmp $0x2BADB002, %esi
    cmove %edi, %eax
    push %eax                   /* the Multiboot info, or NULL */
    call bm_x86_main
1:  hlt
    jmp 1b
    .size _start, . - _start

/* void bm_x86_load_segments(void): after lgdt, reload every segment. */
    .globl bm_x86_load_segments
    .type bm_x86_load_segments, @function
bm_x86_load_segments:
    ljmp $KERNEL_CS, $1f
1:  mov $KERNEL_DS, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    ret
    .size bm_x86_load_segments, . - bm_x86_load_segments

/*
 * uint32_t bm_user_call(uint32_t arg): iret to bm_user_entry in ring 3 on
 * the user stack, with ARG pushed as bm_user_work's argument.  The ring-3
 * code's int $0x80 lands in bm_x86_syscall_entry, which restores the
 * registers saved here and returns to our caller with the result in EAX.
 */
    .globl bm_user_call
    .type bm_user_call, @function
bm_user_call:
    push %ebp
    mov %esp, %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, bm_x86_saved_esp
    mov 8(%ebp), %eax
    mov $bm_ustack_top - 4, %edx
    mov %eax, (%edx)
    push $USER_DS               /* SS */
    push %edx                   /* ESP */
    push $0x2                   /* EFLAGS: IF=0, IOPL=0 */
    push $USER_CS               /* CS */
    push $bm_user_entry         /* EIP */
    mov $USER_DS, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    iret
    .size bm_user_call, . - bm_user_call

/* Ring 3: call bm_user_work(arg) and hand its result to the kernel. */
    .globl bm_user_entry
    .type bm_user_entry, @function
bm_user_entry:
    xor %ebp, %ebp
    call bm_user_work
    int $0x80
    ud2
    .size bm_user_entry, . - bm_user_entry

/*
 * int $0x80 (interrupt gate, DPL 3), on the TSS's ESP0 stack: EIP, CS,
 * EFLAGS, ESP, SS.  Only ring 3 may come here; EAX is the result.
 */
    .globl bm_x86_syscall_entry
    .type bm_x86_syscall_entry, @function
bm_x86_syscall_entry:
    testl $3, 4(%esp)
    jz 1f
    mov $KERNEL_DS, %cx
    mov %cx, %ds
    mov %cx, %es
    mov %cx, %fs
    mov %cx, %gs
    mov bm_x86_saved_esp, %esp
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret
1:  push $0                     /* not from ring 3: report it as a fault */
    push $0x80
    jmp bm_x86_fault_entry
    .size bm_x86_syscall_entry, . - bm_x86_syscall_entry

/*
 * Exception stubs for vectors 0-31: push an error code where the CPU does
 * not, then the vector, and report through bm_x86_fault(frame).
 */
    .macro fault_stub vec
    .globl bm_x86_fault_\vec
    .type bm_x86_fault_\vec, @function
bm_x86_fault_\vec:
    .if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
    push $0
    .endif
    push $\vec
    jmp bm_x86_fault_entry
    .size bm_x86_fault_\vec, . - bm_x86_fault_\vec
    .endm

    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fault_stub \vec
    .endr

    .section .rodata
    .align 4
    .globl bm_x86_fault_stubs
bm_x86_fault_stubs:
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long bm_x86_fault_\vec
    .endr
    .size bm_x86_fault_stubs, . - bm_x86_fault_stubs

    .text
    .type bm_x86_fault_entry, @function
bm_x86_fault_entry:
    mov $KERNEL_DS, %cx
    mov %cx, %ds
    mov %cx, %es
    mov %esp, %eax
    push %eax                   /* frame: vector, error code, EIP, CS, ... */
    call bm_x86_fault
1:  hlt
    jmp 1b
    .size bm_x86_fault_entry, . - bm_x86_fault_entry

/* Stacks: the kernel's, ring 3's, and the TSS's ESP0 for traps from
 * ring 3, which must not overwrite the suspended kernel stack. */
    .bss
    .align 16
    bm_stack bm_kstack
    bm_stack bm_ustack
    .globl bm_trap_stack_top, bm_x86_saved_esp
bm_trap_stack:
    .skip 4096
bm_trap_stack_top:
bm_x86_saved_esp:               /* bm_user_call's ESP, for the syscall handler */
    .long 0

    .section .note.GNU-stack, "", @progbits
