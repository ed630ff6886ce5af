/*
 * bytecode: a small bytecode interpreter, the dispatch pattern of CPython,
 * Lua or a JVM interpreter in miniature (bench/).  Each opcode's handler is
 * a few guest instructions ending in an indirect jump to the next handler
 * (threaded code through a label table), so under QEMU nearly every TB is
 * short and ends in a lookup of its successor: the worst case for any
 * per-TB cost such as execution counting.
 * The program is a stack machine running, N times, a loop that sums a
 * polynomial hash over the integers (arithmetic, loads and stores of
 * locals, compares and conditional branches, and a call/return pair).
 *   gcc -g -O2 bytecode.c -o bytecode
 * usage: bytecode [N]   N scales the work (default 200: about 1 s under QEMU)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum op {
    OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_SHR,
    OP_LT, OP_JZ, OP_JMP, OP_CALL, OP_RET, OP_DUP, OP_DROP, OP_HALT,
};

/*
 * sum = 0; i = 0;
 * while (i < limit) { sum = (sum ^ f(i)) * 31; i = i + 1; }
 * f(x) = x ^ ((x * x + 7) >> 1)
 * (arithmetic wraps: the stack holds uint64_t)
 * Locals: 0 sum, 1 i, 2 limit.
 */
static const int64_t program[] = {
    /*  0 */ OP_PUSH, 0, OP_STORE, 0,
    /*  4 */ OP_PUSH, 0, OP_STORE, 1,
    /*  8 */ OP_LOAD, 1, OP_LOAD, 2, OP_LT, OP_JZ, 38,
    /* 15 */ OP_LOAD, 0, OP_LOAD, 1, OP_CALL, 39, OP_XOR,
    /* 22 */ OP_PUSH, 31, OP_MUL, OP_STORE, 0,
    /* 27 */ OP_LOAD, 1, OP_PUSH, 1, OP_ADD, OP_STORE, 1,
    /* 34 */ OP_JMP, 8, OP_DROP, OP_DROP,
    /* 38 */ OP_HALT,
    /* 39: f */ OP_DUP, OP_DUP, OP_MUL, OP_PUSH, 7, OP_ADD, OP_PUSH, 1,
    /* 47 */ OP_SHR, OP_XOR, OP_RET,
};

static uint64_t run(const int64_t *code, int64_t limit)
{
    static void *const handler[] = {
        &&push, &&load, &&store, &&add, &&sub, &&mul, &&xor, &&shr,
        &&lt, &&jz, &&jmp, &&call, &&ret, &&dup, &&drop, &&halt,
    };
    uint64_t stack[64], locals[3] = { 0, 0, (uint64_t)limit };
    const int64_t *rstack[16];
    uint64_t *sp = stack;
    const int64_t **rsp = rstack;
    const int64_t *pc = code;

#define NEXT goto *handler[*pc++]
    NEXT;
push:  *sp++ = (uint64_t)*pc++; NEXT;
load:  *sp++ = locals[*pc++]; NEXT;
store: locals[*pc++] = *--sp; NEXT;
add:   sp--; sp[-1] += sp[0]; NEXT;
sub:   sp--; sp[-1] -= sp[0]; NEXT;
mul:   sp--; sp[-1] *= sp[0]; NEXT;
xor:   sp--; sp[-1] ^= sp[0]; NEXT;
shr:   sp--; sp[-1] >>= sp[0]; NEXT;
lt:    sp--; sp[-1] = (int64_t)sp[-1] < (int64_t)sp[0]; NEXT;
jz:    if (*--sp == 0) { pc = code + *pc; } else { pc++; } NEXT;
jmp:   pc = code + *pc; NEXT;
call:  *rsp++ = pc + 1; pc = code + *pc; NEXT;
ret:   pc = *--rsp; NEXT;
dup:   sp[0] = sp[-1]; sp++; NEXT;
drop:  sp--; NEXT;
halt:  return locals[0];
#undef NEXT
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 0) : 200;
    uint64_t sum = 0;

    for (long i = 0; i < n; i++) {
        sum += run(program, 20000 + (i & 7));
    }
    printf("bytecode: %ld runs, checksum %llu\n", n, (unsigned long long)sum);
    return 0;
}
