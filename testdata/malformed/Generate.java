// Makes the malformed objects of this directory and expectations.tsv from four recorded
// objects: i386 (ELF32 LSB), x86_64 (ELF64 LSB), ppc (ELF32 MSB), sparc64 (ELF64 MSB).
//
//     java testdata/malformed/Generate.java        (from the top of the checkout)
//
// Each class damages one thing. The expected error line is written from the rule the reader
// or linker enforces (see README.md here), with {file} standing for the path insmod was given.
// Classes the ELF reader refuses are made for all four; classes that need the linker of an
// architecture only for i386 and x86_64. Deterministic: running it again gives the same bytes.

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class Generate {
    static final Path OUT = Paths.get("testdata/malformed");
    static final String[][] BASES = {
        {"32le", "testdata/oracle/i386/obj/hello.o"},
        {"64le", "testdata/oracle/x86_64/obj/hello.o"},
        {"32be", "testdata/oracle/ppc/obj/hello.o"},
        {"64be", "testdata/oracle/sparc64/obj/hello.o"},
    };
    // The limits of org.modutils.insmod.elf.ElfLimits and module.ImageLimit.
    static final int MAX_SECTIONS = 4096, MAX_SYMBOLS = 1 << 20, MAX_RELOCATIONS = 1 << 22;
    static final long MAX_ALIGN = 1 << 20, IMAGE_LIMIT = 64L << 20;

    /** A mutable view of one object: header fields and section headers by name. */
    static final class Obj {
        byte[] b;
        final boolean w, be;
        Obj(byte[] b) { this.b = b; w = b[4] == 2; be = b[5] == 2; }
        long get(int off, int size) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                int k = be ? i : size - 1 - i;
                v = (v << 8) | (b[off + k] & 0xff);
            }
            return v;
        }
        void put(int off, int size, long v) {
            for (int i = 0; i < size; i++) {
                int k = be ? size - 1 - i : i;
                b[off + k] = (byte) (v >>> (8 * i));
            }
        }
        int word() { return w ? 8 : 4; }
        long shoff() { return get(w ? 40 : 32, word()); }
        int shnum() { return (int) get(w ? 60 : 48, 2); }
        int shstrndx() { return (int) get(w ? 62 : 50, 2); }
        int shentsize() { return w ? 64 : 40; }
        int sh(int i) { return (int) shoff() + i * shentsize(); }
        // Section header fields: offsets inside one header.
        int fName(int i) { return sh(i); }
        int fType(int i) { return sh(i) + 4; }
        int fFlags(int i) { return sh(i) + 8; }
        int fOffset(int i) { return sh(i) + (w ? 24 : 16); }
        int fSize(int i) { return sh(i) + (w ? 32 : 20); }
        int fLink(int i) { return sh(i) + (w ? 40 : 24); }
        int fInfo(int i) { return sh(i) + (w ? 44 : 28); }
        int fAlign(int i) { return sh(i) + (w ? 48 : 32); }
        int fEntsize(int i) { return sh(i) + (w ? 56 : 36); }
        long type(int i) { return get(fType(i), 4); }
        long offset(int i) { return get(fOffset(i), word()); }
        long size(int i) { return get(fSize(i), word()); }
        int link(int i) { return (int) get(fLink(i), 4); }
        long flags(int i) { return get(fFlags(i), word()); }
        String cstr(long off) {
            int e = (int) off;
            while (b[e] != 0) e++;
            return new String(b, (int) off, e - (int) off, StandardCharsets.ISO_8859_1);
        }
        String name(int i) { return cstr(offset(shstrndx()) + get(fName(i), 4)); }
        int find(String name) {
            for (int i = 0; i < shnum(); i++) if (name(i).equals(name)) return i;
            throw new AssertionError(name);
        }
        int firstOfType(int t) {
            for (int i = 0; i < shnum(); i++) if (type(i) == t) return i;
            throw new AssertionError(t);
        }
        int symtab() { return firstOfType(2); }
        int firstReloc() {
            for (int i = 0; i < shnum(); i++) if (type(i) == 9 || type(i) == 4) return i;
            throw new AssertionError("no relocations");
        }
        int symEnt() { return w ? 24 : 16; }
        int sym(int k) { return (int) offset(symtab()) + k * symEnt(); }
        int symShndx(int k) { return sym(k) + (w ? 6 : 14); }
        int symSize(int k) { return sym(k) + (w ? 16 : 8); }
        String symName(int k) { return cstr(offset(link(symtab())) + get(sym(k), 4)); }
        int relEnt(int i) { return (type(i) == 4 ? (w ? 24 : 12) : (w ? 16 : 8)); }
    }

    record Case(String name, byte[] bytes, String expected) {}

    static final List<Case> cases = new ArrayList<>();

    interface Damage { String apply(Obj o); }

    static void make(String cls, String variant, byte[] base, Damage d) {
        Obj o = new Obj(base.clone());
        String expected = d.apply(o);
        cases.add(new Case(cls + "-" + variant + ".o", o.b, expected));
    }

    static String hex8(long v) { return String.format("%08x", v); }

    public static void main(String[] args) throws IOException {
        for (String[] base : BASES) {
            byte[] b = Files.readAllBytes(Paths.get(base[1]));
            String v = base[0];
            boolean w = v.startsWith("64");
            // --- the ELF header
            make("truncated-header", v, b, o -> { o.b = Arrays.copyOf(o.b, w ? 40 : 30);
                return "{file}: cannot read ELF header from {file}"; });
            make("bad-magic", v, b, o -> { o.b[1] = 'X'; return "{file}: {file} is not an ELF file"; });
            make("bad-class", v, b, o -> { o.b[4] = 3; return "{file}: ELF file {file} not for this architecture"; });
            make("bad-data-encoding", v, b, o -> { o.b[5] = 0; return "{file}: ELF file {file} not for this architecture"; });
            make("bad-version", v, b, o -> { o.b[6] = 2; return "{file}: ELF file {file} not for this architecture"; });
            // --- the section header table
            make("shentsize-mismatch", v, b, o -> { o.put(w ? 58 : 46, 2, o.shentsize() + 1);
                return "{file}: section header size mismatch {file}: " + (o.shentsize() + 1) + " != " + o.shentsize(); });
            make("no-section-table", v, b, o -> { o.put(w ? 60 : 48, 2, 0);
                return "{file}: ELF file {file} has no section header table"; });
            make("too-many-sections", v, b, o -> { o.put(w ? 60 : 48, 2, MAX_SECTIONS + 1);
                return "{file}: ELF file {file} has too many sections (" + (MAX_SECTIONS + 1) + ")"; });
            make("section-table-past-end", v, b, o -> { o.put(w ? 40 : 32, o.word(), o.b.length - 10);
                return "{file}: ELF file {file} section header table extends past end of file"; });
            make("shstrndx-out-of-range", v, b, o -> { int n = o.shnum() + 5; o.put(w ? 62 : 50, 2, n);
                return "{file}: ELF file {file} section name table index " + n + " out of range"; });
            // --- one section header
            make("section-past-end", v, b, o -> { int t = o.find(".text"); o.put(o.fSize(t), o.word(), o.b.length);
                return "{file}: ELF file {file} section " + t + " extends past end of file"; });
            make("align-not-power-of-two", v, b, o -> { int t = o.find(".text"); o.put(o.fAlign(t), o.word(), 12);
                return "{file}: ELF file {file} section " + t + " has alignment 12, not a power of two"; });
            make("align-too-large", v, b, o -> { int t = o.find(".text"); o.put(o.fAlign(t), o.word(), 1L << 30);
                return "{file}: ELF file {file} section " + t + " has alignment 1073741824, more than the limit of "
                        + MAX_ALIGN; });
            make("too-many-symbols", v, b, o -> { int s = o.symtab();
                o.put(o.fSize(s), o.word(), (long) (MAX_SYMBOLS + 1) * o.symEnt());
                return "{file}: ELF file {file} section " + s + " has too many symbols (" + (MAX_SYMBOLS + 1)
                        + ", limit " + MAX_SYMBOLS + ")"; });
            make("too-many-relocations", v, b, o -> { int r = o.firstReloc(); int small = w ? 16 : 8;
                o.put(o.fSize(r), o.word(), (long) (MAX_RELOCATIONS + 1) * small);
                return "{file}: ELF file {file} section " + r + " has too many relocations (" + (MAX_RELOCATIONS + 1)
                        + ", limit " + MAX_RELOCATIONS + ")"; });
            // --- string tables
            make("shstrtab-not-strtab", v, b, o -> { o.put(o.fType(o.shstrndx()), 4, 1);
                return "{file}: ELF file {file} section name table is not a string table"; });
            make("shstrtab-unterminated", v, b, o -> { int s = o.shstrndx();
                o.b[(int) (o.offset(s) + o.size(s) - 1)] = 'x';
                return "{file}: ELF file {file} section name table does not end with a NUL byte"; });
            make("strtab-unterminated", v, b, o -> { int s = o.link(o.symtab());
                o.b[(int) (o.offset(s) + o.size(s) - 1)] = 'x';
                return "{file}: ELF file {file} string table in section " + s + " does not end with a NUL byte"; });
            make("section-name-index", v, b, o -> { o.put(o.fName(1), 4, 0x7fffff);
                return "{file}: ELF file {file} section 1 has a bad name index"; });
            // --- sh_link
            make("link-missing", v, b, o -> { int s = o.symtab(); int n = o.shnum() + 3; String nm = o.name(s);
                o.put(o.fLink(s), 4, n);
                return "{file}: ELF file {file} section " + nm + " links to missing section " + n; });
            make("link-to-itself", v, b, o -> { int s = o.symtab(); o.put(o.fLink(s), 4, s);
                return "{file}: ELF file {file} section " + o.name(s) + " links to itself"; });
            make("link-cycle", v, b, o -> { int s = o.symtab(); int r = o.firstReloc();
                o.put(o.fLink(s), 4, r); // the relocation section already links to the symbol table
                int first = Math.min(r, s), second = Math.max(r, s);
                return "{file}: ELF file {file} has a cycle of sh_link: " + o.name(first) + " -> " + o.name(second)
                        + " -> " + o.name(first); });
            // --- the symbol table
            make("symtab-entsize", v, b, o -> { int s = o.symtab(); o.put(o.fEntsize(s), o.word(), o.symEnt() + 1);
                return "{file}: symbol size mismatch {file}: " + (o.symEnt() + 1) + " != " + o.symEnt(); });
            make("symtab-without-strtab", v, b, o -> { int s = o.symtab(); o.put(o.fLink(s), 4, o.find(".text"));
                return "{file}: ELF file {file} symbol table " + o.name(s) + " has no string table"; });
            make("symtab-too-many-locals", v, b, o -> { int s = o.symtab(); long n = o.size(s) / o.symEnt();
                o.put(o.fInfo(s), 4, n + 1);
                return "{file}: ELF file {file} symbol table " + o.name(s) + " claims " + (n + 1)
                        + " local symbols but has " + n + " symbols"; });
            make("symbol-name-index", v, b, o -> { o.put(o.sym(1), 4, 0x7fffff);
                return "{file}: ELF file {file} symbol 1 has a bad name index"; });
            make("symbol-section-index", v, b, o -> { String nm = o.symName(1); o.put(o.symShndx(1), 2, 0xfe00);
                return "{file}: ELF file {file} symbol 1 (" + nm + ") has bad section index 65024"; });
            make("symbol-names-too-long", v, b, o -> {
                // Every symbol names one 4000-byte string: the names would be far bigger than the file.
                int n = 320, len = 4000;
                int s = o.symtab(), str = o.link(s);
                int strAt = o.b.length, symAt = strAt + len + 1 + 7 & ~7;
                byte[] nb = Arrays.copyOf(o.b, symAt + n * o.symEnt());
                Arrays.fill(nb, strAt, strAt + len, (byte) 'n');
                o.b = nb;
                for (int k = 1; k < n; k++) {
                    o.put(symAt + k * o.symEnt(), 4, 0);
                    o.put(symAt + k * o.symEnt() + (w ? 6 : 14), 2, 0xfff1); // SHN_ABS
                }
                o.put(o.fOffset(str), o.word(), strAt);
                o.put(o.fSize(str), o.word(), len + 1);
                o.put(o.fOffset(s), o.word(), symAt);
                o.put(o.fSize(s), o.word(), (long) n * o.symEnt());
                o.put(o.fInfo(s), 4, 1);
                return "{file}: ELF file {file} has names totalling more than 4 times its size"; });
            // --- relocation sections
            make("reloc-entsize", v, b, o -> { int r = o.firstReloc(); int e = o.relEnt(r);
                o.put(o.fEntsize(r), o.word(), e + 1);
                return "{file}: relocation entry size mismatch {file}: " + (e + 1) + " != " + e; });
            make("reloc-without-symtab", v, b, o -> { int r = o.firstReloc(); o.put(o.fLink(r), 4, o.find(".text"));
                return "{file}: relocation section " + o.name(r) + " in {file} does not refer to a symbol table"; });
            make("reloc-target-missing", v, b, o -> { int r = o.firstReloc(); int n = o.shnum() + 7;
                o.put(o.fInfo(r), 4, n);
                return "{file}: relocation section " + o.name(r) + " in {file} applies to missing section " + n; });
            make("reloc-applies-to-itself", v, b, o -> { int r = o.firstReloc(); o.put(o.fInfo(r), 4, r);
                return "{file}: relocation section " + o.name(r) + " in {file} applies to itself"; });
            make("reloc-applies-to-symtab", v, b, o -> { int r = o.firstReloc(); o.put(o.fInfo(r), 4, o.symtab());
                return "{file}: relocation section " + o.name(r)
                        + " in {file} applies to a relocation, symbol or string table"; });
            make("reloc-symbol-index", v, b, o -> { int r = o.firstReloc(); long nsyms = o.size(o.symtab()) / o.symEnt();
                int at = (int) o.offset(r) + o.word(); // r_info
                long bad = nsyms + 5;
                if (w) {
                    o.put(at, 8, (bad << 32) | (o.get(at, 8) & 0xffffffffL));
                } else {
                    o.put(at, 4, (bad << 8) | (o.get(at, 4) & 0xff));
                }
                return "{file}: Bad symbol index: " + hex8(bad) + " >= " + hex8(nsyms) + " in " + o.name(r); });

            if (v.endsWith("be")) {
                continue; // the rest needs a linker for the architecture
            }
            // --- classes the linker refuses (i386 and x86_64)
            make("not-relocatable", v, b, o -> { o.put(16, 2, 2);
                return "{file}: ELF file {file} not a relocatable object"; });
            make("wrong-machine", v, b, o -> { o.put(18, 2, 0x1234);
                return "{file}: ELF file {file} not for this architecture"; });
            make("unknown-section-type", v, b, o -> { int c = o.find(".note.GNU-stack"); o.put(o.fType(c), 4, 0x60000001L);
                return "{file}: can't handle sections of type 1610612737 {file}"; });
            make("reloc-outside-section", v, b, o -> { int r = o.find(w ? ".rela.text" : ".rel.text");
                o.put((int) o.offset(r), o.word(), 0x10000);
                return "{file}: relocation 0 in " + o.name(r) + " of {file} at offset 0x10000 lies outside section .text"; });
            make("reloc-past-section-end", v, b, o -> { int r = o.find(w ? ".rela.text" : ".rel.text");
                long end = o.size(o.find(".text")) - 1;
                o.put((int) o.offset(r), o.word(), end);
                long info = o.get((int) o.offset(r) + o.word(), o.word());
                long type = w ? info & 0xffffffffL : info & 0xff;
                // The psABI names, as GNU readelf prints them.
                String name = w ? (type == 2 ? "R_X86_64_PC32" : "R_X86_64_64") : (type == 1 ? "R_386_32" : "R_386_PC32");
                return "{file}: relocation of type " + type + " (" + name + ") at offset 0x" + Long.toHexString(end)
                        + " extends past the end of section .text"; });
            make("bss-too-large", v, b, o -> { int s = o.find(".bss"); o.put(o.fSize(s), o.word(), 1L << 31);
                long sum = 0;
                for (int i = 0; i < o.shnum(); i++) {
                    String nm = o.name(i);
                    boolean alloc = (o.flags(i) & 2) != 0 && !nm.equals(".modinfo") && !nm.equals(".modstring");
                    if (alloc || o.type(i) == 8) sum += o.size(i);
                }
                return "{file}: image of at least " + sum + " bytes exceeds the limit of " + IMAGE_LIMIT; });
            make("common-too-large", v, b, o -> {
                int k = 1;
                while (!o.symName(k).equals("counter")) k++;
                o.put(o.symShndx(k), 2, 0xfff2); // SHN_COMMON
                o.put(o.symSize(k), o.word(), 1L << 31);
                return "{file}: image of at least " + (1L << 31) + " bytes exceeds the limit of " + IMAGE_LIMIT; });
        }
        StringBuilder tsv = new StringBuilder("# file\texpected stderr (one line; {file} is the path given to insmod)\n");
        try (var old = Files.newDirectoryStream(OUT, "*.o")) {
            for (Path p : old) Files.delete(p);
        }
        for (Case c : cases) {
            Files.write(OUT.resolve(c.name()), c.bytes());
            tsv.append(c.name()).append('\t').append(c.expected()).append('\n');
        }
        Files.writeString(OUT.resolve("expectations.tsv"), tsv.toString());
        System.out.println(cases.size() + " objects");
    }
}
