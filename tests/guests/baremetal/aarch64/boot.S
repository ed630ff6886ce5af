/*
 * The aarch64 guest's entry, exception vectors and EL0 round trip.  QEMU's
 * virt board without firmware (no secure=on, no virtualization=on) enters
 * _start at EL1 with the MMU off; bm_a64_main checks the EL.
 */
#include "bm.h"

    .section .text.boot, "ax"
    .globl _start
    .type _start, @function
_start:
    adrp x9, bm_kstack_top
    add x9, x9, :lo12:bm_kstack_top
    mov sp, x9
    adrp x9, __bss_start
    add x9, x9, :lo12:__bss_start
    adrp x10, __bss_end
    add x10, x10, :lo12:__bss_end
1:  cmp x9, x10
    b.hs 2f
    stp xzr, xzr, [x9], #16
    b 1b
2:  adrp x9, bm_a64_vectors
    add x9, x9, :lo12:bm_a64_vectors
    msr vbar_el1, x9
    isb
    mov x29, #0
    mov x30, #0
    bl bm_a64_main
3:  wfi
    b 3b
    .size _start, . - _start

/*
 * callee_saved OP: OP (stp or ldp) x19..x28 at [sp, #16] to [sp, #88], the
 * frame bm_user_call saves them in and the svc handler restores them from.
 */
    .macro callee_saved op
    \op x19, x20, [sp, #16]
    \op x21, x22, [sp, #32]
    \op x23, x24, [sp, #48]
    \op x25, x26, [sp, #64]
    \op x27, x28, [sp, #80]
    .endm

    .text
/*
 * uint32_t bm_user_call(uint32_t arg): eret to bm_user_entry at EL0 on the
 * user stack with ARG in x0.  Its svc #0 lands in the lower-EL synchronous
 * vector, which restores the registers saved here and returns to our caller
 * with bm_user_work's result in x0.
 */
    .globl bm_user_call
    .type bm_user_call, @function
bm_user_call:
    stp x29, x30, [sp, #-96]!
    mov x29, sp
    callee_saved stp
    adrp x9, bm_a64_saved_sp
    mov x10, sp
    str x10, [x9, :lo12:bm_a64_saved_sp]
    adrp x9, bm_ustack_top
    add x9, x9, :lo12:bm_ustack_top
    msr sp_el0, x9
    adr x9, bm_user_entry
    msr elr_el1, x9
    mov x9, #0x3c0              /* EL0t, with D, A, I and F masked */
    msr spsr_el1, x9
    eret
    .size bm_user_call, . - bm_user_call

/* EL0: call bm_user_work(arg) and hand its result to EL1. */
    .globl bm_user_entry
    .type bm_user_entry, @function
bm_user_entry:
    mov x29, #0
    bl bm_user_work
    svc #0
    b .
    .size bm_user_entry, . - bm_user_entry

/* Lower EL, AArch64, synchronous: only svc #0 from bm_user_entry. */
    .type bm_a64_svc_entry, @function
bm_a64_svc_entry:
    mrs x9, esr_el1
    lsr x9, x9, #26
    cmp x9, #0x15               /* EC: SVC from AArch64 */
    b.ne bm_a64_bad_entry
    adrp x9, bm_a64_saved_sp
    ldr x9, [x9, :lo12:bm_a64_saved_sp]
    mov sp, x9
    callee_saved ldp
    ldp x29, x30, [sp], #96
    ret
    .size bm_a64_svc_entry, . - bm_a64_svc_entry

/* Anything else: report it through bm_a64_fault(vector, esr, elr). */
    .type bm_a64_bad_entry, @function
bm_a64_bad_entry:
    mov x0, x10
    mrs x1, esr_el1
    mrs x2, elr_el1
    bl bm_a64_fault
    b .
    .size bm_a64_bad_entry, . - bm_a64_bad_entry

    .macro vector_bad idx
    .align 7
    mov x10, #\idx
    b bm_a64_bad_entry
    .endm

/* 16 entries of 0x80 bytes: {current EL SP0, current EL SPx, lower EL
 * AArch64, lower EL AArch32} x {sync, IRQ, FIQ, SError}. */
    .align 11
    .globl bm_a64_vectors
bm_a64_vectors:
    vector_bad 0
    vector_bad 1
    vector_bad 2
    vector_bad 3
    vector_bad 4
    vector_bad 5
    vector_bad 6
    vector_bad 7
    .align 7
    mov x10, #8
    b bm_a64_svc_entry
    vector_bad 9
    vector_bad 10
    vector_bad 11
    vector_bad 12
    vector_bad 13
    vector_bad 14
    vector_bad 15
    .size bm_a64_vectors, . - bm_a64_vectors

/* Stacks: EL1's and EL0's. */
    .bss
    .align 4
    bm_stack bm_kstack
    bm_stack bm_ustack
    .globl bm_a64_saved_sp
bm_a64_saved_sp:                /* bm_user_call's SP, for the svc handler */
    .quad 0

    .section .note.GNU-stack, "", @progbits
