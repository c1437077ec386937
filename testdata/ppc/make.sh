#!/bin/sh
# Rebuilds the ppc/ppc64 test objects from their sources (Debian binutils-powerpc-linux-gnu and
# binutils-powerpc64-linux-gnu). The objects are kept in git so the tests need no assembler.
set -e
cd "$(dirname "$0")"
for s in relocs far-rel14 got16 ftr; do
    powerpc-linux-gnu-as -a32 -mppc -o $s.o $s.s
done
for s in ppc64-relocs ppc64-modern ppc64-opdsec ppc64-rel24far ppc64-bad ppc64-far; do
    [ -f $s.s ] && powerpc64-linux-gnu-as -a64 -o $s.o $s.s
done
