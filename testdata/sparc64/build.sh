#!/bin/sh
# Rebuilds the sparc64 test module with Debian's binutils-sparc64-linux-gnu.
set -e
cd "$(dirname "$0")"
sparc64-linux-gnu-as -64 -Av9 relocs.s -o relocs.o
