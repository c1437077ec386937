#!/bin/bash
# make-arm64-modmap-fixtures.sh: builds the arm64 modules of the -O image tests
# (src/test/resources/modmap/arm64) from scripts/arm64-modmap: relocs.c compiled with the
# arm64 kernel's code-generation flags (-mgeneral-regs-only, no PIC, the small code model,
# pac-ret) and insns.S for the relocations gcc emits only from assembly, linked with ld -r and
# the kernel's module.lds (the empty .plt, .init.plt and .text.ftrace_trampoline sections);
# noplt.ko the same without module.lds; bad-got.ko adds a GOT relocation the kernel refuses.
# Needs gcc-aarch64-linux-gnu and binutils-aarch64-linux-gnu.
set -eu
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$top/scripts/arm64-modmap
out=$top/src/test/resources/modmap/arm64
CC=${CROSS:-aarch64-linux-gnu-}gcc LD=${CROSS:-aarch64-linux-gnu-}ld
CFLAGS="-O2 -mgeneral-regs-only -fno-pic -fno-PIE -mbranch-protection=pac-ret -fno-common
	-fno-asynchronous-unwind-tables -fno-stack-protector -nostdinc -ffreestanding -fno-strict-aliasing"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$out"
# shellcheck disable=SC2086
$CC $CFLAGS -c "$src/relocs.c" -o "$T/relocs.o"
$CC -c "$src/insns.S" -o "$T/insns.o"
$CC -c "$src/bad-got.S" -o "$T/bad-got.o"
$LD -r -T "$src/module.lds" -o "$out/relocs.ko" "$T/relocs.o" "$T/insns.o"
$LD -r -o "$out/noplt.ko" "$T/relocs.o" "$T/insns.o"
$LD -r -T "$src/module.lds" -o "$out/bad-got.ko" "$T/relocs.o" "$T/insns.o" "$T/bad-got.o"
ls -l "$out"
