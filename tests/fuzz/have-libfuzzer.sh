#!/bin/sh
# usage: tests/fuzz/have-libfuzzer.sh [CC]
# Exits 0 when CC (default clang) can link a -fsanitize=fuzzer,address,undefined
# program, i.e. clang and its libclang_rt.fuzzer are installed.
cc=${1:-clang}
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$dir/t.c"
"$cc" -fsanitize=fuzzer,address,undefined "$dir/t.c" -o "$dir/t" >/dev/null 2>&1
