#!/bin/sh
# Rebuilds the ia64 test objects with the Debian cross binutils (binutils-ia64-linux-gnu).
# relocs.o:   every relocation type modutils 2.4's obj_ia64.c handles (Ia64LinkTest checks it
#             against GNU ld linking the same object at the same addresses).
# constgp.o:  the same source assembled with -mconstant-gp (e_flags EF_IA_64_CONS_GP): refused.
# unhandled.o: a TLS relocation (@tprel) the 2.4 linker never learned: refused, naming the type.
set -e
cd "$(dirname "$0")"
AS=${AS:-ia64-linux-gnu-as}
$AS -o relocs.o relocs.s
$AS -mconstant-gp -o constgp.o relocs.s
$AS -o unhandled.o unhandled.s
