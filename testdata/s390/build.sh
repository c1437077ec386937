#!/bin/sh
# Rebuilds the S/390 31-bit test module with Debian's binutils-s390x-linux-gnu.
# -march=z900 for the relative-long instructions (larl, brasl) that gcc emits for z900 and later.
set -e
cd "$(dirname "$0")"
s390x-linux-gnu-as -m31 -mesa -march=z900 relocs.s -o relocs.o
s390x-linux-gnu-as -m31 -mesa -march=z900 refused.s -o refused.o
s390x-linux-gnu-as -m31 -mesa -march=z900 range.s -o range.o
