#!/bin/sh
# Builds adder.wasm from adder.c with the Swift toolchain's clang and wasm-ld, then copies it where
# the Validation module loads it as a resource. Run from anywhere; needs no libc or wasi-sdk.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
clang=${CLANG:-$(command -v clang || echo /opt/swift/usr/bin/clang)}
"$clang" --target=wasm32 -nostdlib -O2 -ffreestanding -fno-builtin -Wall -Wextra -Werror \
    -Wl,--no-entry -Wl,--export=__heap_base -Wl,--export=validate_block -Wl,--strip-all \
    -o "$here/adder.wasm" "$here/adder.c"
cp "$here/adder.wasm" "$here/../../Sources/Validation/Resources/adder.wasm"
wc -c "$here/adder.wasm"
