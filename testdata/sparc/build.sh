#!/bin/sh
# Rebuilds the sparc (32-bit) test module with Debian's binutils-sparc64-linux-gnu.
set -e
cd "$(dirname "$0")"
sparc64-linux-gnu-as -32 -Av8 relocs.s -o relocs.o
sparc64-linux-gnu-as -32 -Av8 range.s -o range.o
