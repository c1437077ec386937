#!/bin/sh
# Rebuilds the hppa64 test object with the Debian cross binutils (binutils-hppa64-linux-gnu).
# relocs.o: every relocation type modutils 2.4's obj_hppa64.c handles (Hppa64LinkTest checks it
#           against GNU ld linking the same object at the same addresses).
set -e
cd "$(dirname "$0")"
${AS:-hppa64-linux-gnu-as} -o relocs.o relocs.s
