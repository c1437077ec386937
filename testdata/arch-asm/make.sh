#!/bin/sh
# Assembles the test objects with the Debian cross binutils (binutils-arm-linux-gnueabi,
# binutils-sh4-linux-gnu, binutils-m68k-linux-gnu). The .o files are committed, so the tests
# need only ld (for the comparison), not as.
set -e
cd "$(dirname "$0")"
A=arm-linux-gnueabi-as
$A -march=armv7-a -o arm/modern.o arm/modern.s
$A -march=armv4 --fix-v4bx -o arm/v4bx.o arm/v4bx.s
$A -march=armv7-a -o arm/got.o arm/got.s
$A -march=armv7-a -o arm/thumb.o arm/thumb.s
$A -march=armv7-a -o arm/far.o arm/far.s
S=sh4-linux-gnu-as
$S -little -o sh/basic.o sh/basic.s
$S -big -o sh/basic-be.o sh/basic.s
$S -little -o sh/got.o sh/got.s
$S -little -o sh/bsr.o sh/bsr.s
M=m68k-linux-gnu-as
$M -o m68k/basic.o m68k/basic.s
$M -m68000 -o m68k/overflow.o m68k/overflow.s
