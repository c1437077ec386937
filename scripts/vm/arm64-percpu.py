#!/usr/bin/python3
"""An arm64 module's per-cpu base, read off the kernel's own relocation of its code.

    arm64-percpu.py MODULE.ko NAME TEXT_ADDRESS TEXT_BYTES

For a kernel whose /proc/kallsyms lists no per-cpu symbols (no CONFIG_KALLSYMS_ALL): the module's
.text as the kernel holds it (TEXT_BYTES, read from /proc/kcore; TEXT_ADDRESS from sysfs) has
every ADRP + ADD (or LDST) pair that addresses a per-cpu variable relocated by the kernel to
mod->percpu + the variable's offset; decoding them gives mod->percpu. All pairs must agree
(else exit 1: the code was patched there). Prints the per-cpu symbols as /proc/kallsyms would
list them ("address a name<TAB>[NAME]"), for insmod -n -m --ksyms.
"""
import struct
import sys

ADRP, ADD, LDST32, LDST64 = 275, 277, 285, 286


def main():
    ko, module, text, code = sys.argv[1], sys.argv[2], int(sys.argv[3], 16), open(sys.argv[4], "rb").read()
    elf = open(ko, "rb").read()
    shoff, shentsize, shnum, shstrndx = struct.unpack_from("<Q", elf, 40)[0], *struct.unpack_from("<HHH", elf, 58)
    sh = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    strs = sh[shstrndx][4]
    names = [elf[strs + s[0]:elf.index(b"\0", strs + s[0])].decode() for s in sh]
    pcpu, txt = names.index(".data..percpu"), names.index(".text")
    symtab = next(i for i, s in enumerate(sh) if s[1] == 2)
    symstr = sh[sh[symtab][6]][4]
    syms = []
    for k in range(sh[symtab][5] // 24):
        nm, info, _, shndx, value, _ = struct.unpack_from("<IBBHQQ", elf, sh[symtab][4] + 24 * k)
        syms.append((elf[symstr + nm:elf.index(b"\0", symstr + nm)].decode(), info & 0xf, shndx, value))
    rela = next(i for i, s in enumerate(sh) if s[1] == 4 and s[7] == txt)
    adrp, lo12 = {}, {}
    for k in range(sh[rela][5] // 24):
        off, info, addend = struct.unpack_from("<QQq", elf, sh[rela][4] + 24 * k)
        sym, typ = info >> 32, info & 0xffffffff
        if syms[sym][2] != pcpu:
            continue
        key = syms[sym][3] + addend  # the offset in the per-cpu section
        insn = struct.unpack_from("<I", code, off)[0]
        if typ == ADRP:
            imm = ((insn >> 5) & 0x7FFFF) << 2 | (insn >> 29) & 3
            imm -= (imm & 0x100000) << 1
            adrp.setdefault(key, set()).add(((text + off) & ~0xFFF) + (imm << 12))
        elif typ in (ADD, LDST32, LDST64):
            scale = {ADD: 0, LDST32: 2, LDST64: 3}[typ]
            lo12.setdefault(key, set()).add(((insn >> 10) & 0xFFF) << scale)
    bases = {(page + low - key) % 2**64 for key in adrp if key in lo12 for page in adrp[key] for low in lo12[key]}
    if len(bases) != 1:
        sys.stderr.write("arm64-percpu.py: %s: %d per-cpu bases in its code\n" % (module, len(bases)))
        return 1
    base = bases.pop()
    for name, typ, shndx, value in syms:
        if shndx == pcpu and name and typ != 3:
            print("%016x a %s\t[%s]" % ((base + value) % 2**64, name, module))
    return 0


if __name__ == "__main__":
    sys.exit(main())
