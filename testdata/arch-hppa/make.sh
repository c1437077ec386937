#!/bin/sh
# far.s: a PCREL17F call whose .stub lies beyond the +-256 KiB branch range. HppaRangeTest
# assembles it itself (binutils-hppa-linux-gnu), since the object is half a megabyte of nops;
# this script does the same by hand: ./make.sh OUTDIR
set -e
cd "$(dirname "$0")"
${AS:-hppa-linux-gnu-as} -o "${1:-.}/far.o" far.s
