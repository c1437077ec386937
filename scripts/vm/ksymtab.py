#!/usr/bin/python3
"""The addresses of exported symbols, read from an arm64 kernel Image's own export table.

    ksymtab.py IMAGE NAMES KALLSYMS

For a kernel whose /proc/kallsyms lists text symbols only (no CONFIG_KALLSYMS_ALL, as Debian's
cloud kernels), the data symbols a module uses are found where the kernel itself finds them when
it links a module: its __ksymtab (arm64: CONFIG_HAVE_ARCH_PREL32_RELOCATIONS, 12-byte entries of
place-relative 32-bit offsets: value, name, namespace). The Image is the kernel from _text on, so
an entry's value at Image offset v is at _text + v at run time; _text (KASLR included) is where
the text symbols of KALLSYMS (/proc/kallsyms lines) that the table exports put it: they must all
agree, at least two of them. Prints "address D name" for every other name of NAMES (one a line)
found; exits 1 (saying why) when the text symbols disagree (the table was misread).
"""
import array
import re
import sys


def main():
    image, names_file, kallsyms = sys.argv[1], sys.argv[2], sys.argv[3]
    img = open(image, "rb").read()
    names = {n.strip() for n in open(names_file) if n.strip()}
    known = {}
    for line in open(kallsyms):
        f = line.split()
        if len(f) == 3 and f[1] in "Tt":
            known[f[2]] = int(f[0], 16)
    names |= {n for n in ("capable", "_printk", "kfree", "memcpy", "kmalloc_trace") if n in known}
    # where each name's string may be: NUL-terminated, maybe the tail of a longer one (the
    # linker merges the strings of __ksymtab_strings)
    at = {}
    for n in names:
        for m in re.finditer(re.escape(n.encode()) + b"\0", img):
            at[m.start()] = n
    if not at:
        return 0
    ints = array.array("i")
    ints.frombytes(img[: len(img) // 4 * 4])
    if sys.byteorder != "little":
        ints.byteswap()
    # the table lies near the strings (RO_DATA: __ksymtab*, __kcrctab*, __ksymtab_strings)
    lo = max(1, (min(at) - (8 << 20)) // 4)
    hi = min(len(ints), (max(at) + (8 << 20)) // 4)
    ident = re.compile(rb"[A-Za-z0-9_.]{1,200}\0")

    def name_at(q):  # the string the name offset at int q points to, if a symbol name
        if q < 0 or q >= len(ints):
            return None
        t = q * 4 + ints[q]
        m = ident.match(img, t) if 0 <= t < len(img) else None
        return m.group()[:-1].decode() if m else None

    # the entries are sorted by name: the entry of a name is the one whose neighbours' names (three
    # each side) are most in order (other place-relative tables may point at the same string)
    best = {}
    for q in range(lo, hi):
        n = at.get(q * 4 + ints[q])
        if n is None:
            continue
        chain = [name_at(q + 3 * k) for k in (-3, -2, -1)] + [n] + [name_at(q + 3 * k) for k in (1, 2, 3)]
        score = sum(a is not None and b is not None and a < b for a, b in zip(chain, chain[1:]))
        if score and score > best.get(n, (0,))[0]:
            p = q - 1  # the entry: value offset, then the name offset
            best[n] = (score, p * 4 + ints[p])
    found = {n: v[1] for n, v in best.items()}
    bases = {(known[n] - off) & (2**64 - 1) for n, off in found.items() if n in known}
    checked = sum(n in known for n in found)
    if len(bases) != 1 or checked < 2:
        sys.stderr.write("ksymtab.py: the export table misread: %d text symbols found in it give %d load"
                         " addresses\n" % (checked, len(bases)))
        return 1
    text = bases.pop()
    for n, off in sorted(found.items()):
        if n not in known:
            print("%016x D %s" % ((text + off) & (2**64 - 1), n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
