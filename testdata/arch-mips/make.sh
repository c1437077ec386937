#!/bin/sh
# Assembles the MIPS test objects with Debian's binutils-mips-linux-gnu and
# binutils-mipsel-linux-gnu (2.4-style: 32-bit, non-PIC, no small data).
set -e
cd "$(dirname "$0")"
for t in mips mipsel; do
  for s in relocs gprel far26 lone-hi16; do
    $t-linux-gnu-as -32 -march=mips32 -mno-shared -call_nonpic -G 0 -o $s-$t.o $s.S
  done
done
