#!/bin/sh
# Assembles the alpha test objects with Debian's binutils-alpha-linux-gnu.
set -e
cd "$(dirname "$0")"
for s in relocs errors; do
  alpha-linux-gnu-as -o $s.o $s.S
done
