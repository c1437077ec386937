#!/usr/bin/env python3
"""Writes the large x86_64 benchmark module's assembly and kernel symbol table.

gen-big.py SCALE OUTDIR: OUTDIR/big.s with 20000*SCALE functions, each making 5 calls to
kernel symbols (R_X86_64_PLT32/PC32) and loading one data address (R_X86_64_32S), so 6 relocations
a function (120,000 at scale 1), plus 1000*SCALE data quads; OUTDIR/ksyms64.txt with the 400 kernel
symbols in /proc/ksyms form; OUTDIR/defsyms.ld with the same symbols for GNU ld. bench/run.sh
assembles big.s with the Debian binutils `as --64`.
"""
import os
import sys

scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1
out = sys.argv[2] if len(sys.argv) > 2 else "."
nfun, ndata, nksym = 20000 * scale, 1000 * scale, 400
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "big.s"), "w") as s:
    w = s.write
    w('\t.section .modinfo,"a"\n\t.string "kernel_version=2.4.27"\n\t.string "license=GPL"\n\t.text\n')
    k = 0
    for i in range(nfun):
        w("\t.globl f%d\n\t.type f%d,@function\nf%d:\n" % (i, i, i))
        for _ in range(5):
            w("\tcall ksym_%d\n" % (k % nksym))
            k += 1
        w("\tmovq $d%d, %%rax\n\tret\n" % (i % ndata))
    w("\t.data\n")
    for i in range(ndata):
        w("d%d:\t.quad %d\n" % (i, i))
with open(os.path.join(out, "ksyms64.txt"), "w") as t, open(os.path.join(out, "defsyms.ld"), "w") as d:
    for i in range(nksym):
        t.write("%016x ksym_%d\n" % (0xffffffff80000000 + 16 * i, i))
        d.write("ksym_%d = 0x%x;\n" % (i, 0xffffffff80000000 + 16 * i))
