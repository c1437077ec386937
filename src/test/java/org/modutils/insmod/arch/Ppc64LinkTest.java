package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.elf.Endian;

/**
 * 64-bit PowerPC (ELFv1, dot symbols): GNU ld (powerpc64-linux-gnu-ld -m elf64ppc) links the
 * same objects at the addresses of our load map and every relocated byte must agree. Calls to
 * the kernel go through our stubs: each stub is decoded (its TOC entry must hold the address of
 * the kernel's descriptor from the symbol table) and ld is given the dot symbol at that stub.
 */
class Ppc64LinkTest {
    static final Path DIR = Paths.get("testdata/ppc");
    static final Path ORACLE_OBJ = Paths.get("testdata/oracle/ppc64/obj");
    static final Path ORACLE_KSYMS = Paths.get("testdata/oracle/ksyms/ksyms64.txt");
    static final String LD = "powerpc64-linux-gnu-ld";
    static final String OBJCOPY = "powerpc64-linux-gnu-objcopy";
    static final long[] STUB_TAIL = {0xf8410028L, 0xe80c0000L, 0xe84c0008L, 0x7c0903a6L, 0x4e800420L};

    @TempDir
    Path tmp;

    static void assumeBinutils() {
        assumeTrue(GnuLd.available(LD) && GnuLd.available(OBJCOPY),
                "GNU binutils for ppc64 are not installed (Debian package binutils-powerpc64-linux-gnu)");
    }

    /** What ld needs besides the kernel table: the dot symbols at our stubs, and the TOC base. */
    record Ours(Map<String, Long> dots, long tocBase) {}

    /**
     * Links {@code obj} with our insmod, checks each call stub by meaning (and that the nop after
     * each call through one became ld r2,40(r1)), and returns the dot symbols at their stubs.
     */
    static Ours ours(Path obj, Path ksyms, Path blob, int expected, String prefix) throws Exception {
        StringBuilder out = new StringBuilder();
        int rc = Run.insmod(out, "--ksyms=" + ksyms, "--uname-release=2.4.27",
                "--uname-version=#1 Sat Jan 1 00:00:00 UTC 2005", "-n", "-m", "-O", blob.toString(), obj.toString());
        assertEquals(0, rc, out.toString());
        Map<String, Long> secs = PpcLinkTest.sections(out.toString());
        Map<Long, String> byValue = new HashMap<>();
        PpcLinkTest.table(ksyms).forEach((n, v) -> byValue.putIfAbsent(v, n));
        byte[] image = Files.readAllBytes(blob);
        long base = secs.get(".this");
        Map<String, Long> dots = new HashMap<>();
        Long stub = secs.get(".stub");
        long tocBase = secs.get(".toc") + 0x8000;
        if (expected == 0) {
            assertEquals(null, stub, out.toString());
            return new Ours(dots, tocBase);
        }
        assertNotNull(stub, out.toString());
        for (int i = 0; i < expected; i++) {
            int at = (int) (stub - base) + 24 * i;
            long ld = Endian.word(image, at, 4, true);
            assertEquals(0xe9820000L, ld & 0xffff0003L, "ld r12,D(r2)");
            long entry = tocBase + (short) (ld & 0xfffc);
            long desc = Endian.word(image, (int) (entry - base), 8, true);
            String name = byValue.get(desc);
            assertNotNull(name, String.format("stub %d loads 0x%x, no kernel descriptor", i, desc));
            for (int k = 0; k < STUB_TAIL.length; k++) {
                assertEquals(STUB_TAIL[k], Endian.word(image, at + 4 + 4 * k, 4, true), "stub word " + (k + 1));
            }
            dots.put(prefix + name, stub + 24L * i);
        }
        assertTrue(out.toString().contains(String.format(".stub           %08x", 24 * expected)), out.toString());
        ElfFile elf = ElfFile.parse(obj.toString(), Files.readAllBytes(obj));
        forEachStubCall(elf, dots.keySet(), (sec, off) -> {
            long site = secs.get(sec.name()) + off;
            assertEquals(0xe8410028L, Endian.word(image, (int) (site + 4 - base), 4, true),
                    String.format("the nop after the call at 0x%x must restore r2", site));
        });
        return new Ours(dots, tocBase);
    }

    interface Site {
        void at(ElfSection section, long offset) throws Exception;
    }

    /** Every REL24 to one of {@code names}: its section and offset. */
    static void forEachStubCall(ElfFile elf, java.util.Set<String> names, Site site) throws Exception {
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection rs = elf.section(i);
            if (rs.type() != Elf.SHT_RELA) {
                continue;
            }
            ElfSymbols syms = elf.symbols(rs.link());
            ElfRelocs rels = elf.relocations(i, syms.count());
            for (int k = 0; k < rels.count(); k++) {
                if (rels.type(k) == 10 && names.contains(syms.name()[rels.sym(k)])) {
                    site.at(elf.section(rs.info()), rels.offset(k));
                }
            }
        }
    }

    /**
     * The object as a psABI linker would see it after deciding to call through stubs: the nop
     * after each such call already ld r2,40(r1) (GNU ld leaves it alone for a --defsym target).
     */
    static Path withTocRestores(Path obj, Map<String, Long> dots, Path dir) throws Exception {
        byte[] bytes = Files.readAllBytes(obj);
        ElfFile elf = ElfFile.parse(obj.toString(), bytes);
        forEachStubCall(elf, dots.keySet(), (sec, off) -> {
            int at = (int) (sec.offset() + off + 4);
            assertEquals(0x60000000L, Endian.word(bytes, at, 4, true), "a nop follows the call");
            Endian.putWord(bytes, at, 4, 0xe8410028L, true);
        });
        Files.createDirectories(dir);
        Path out = dir.resolve(obj.getFileName());
        Files.write(out, bytes);
        return out;
    }

    static GnuLd.Comparison compare(Path obj, Path ksyms, int stubs, Path tmp) throws Exception {
        return compare(obj, ksyms, stubs, tmp, ".");
    }

    /** {@code prefix}: what calls to a kernel function name ("." for dot symbols, "" for descriptors). */
    static GnuLd.Comparison compare(Path obj, Path ksyms, int stubs, Path tmp, String prefix) throws Exception {
        // Both copies have paths of the same length, so the two insmod runs lay out alike
        // (the path is in the _O ksymoops symbol, and so in .kstrtab).
        Path copy = tmp.resolve("orig");
        Files.createDirectories(copy);
        copy = Files.copy(obj, copy.resolve(obj.getFileName()));
        Ours o = ours(copy, ksyms, tmp.resolve("ours.bin"), stubs, prefix);
        Path patched = withTocRestores(obj, o.dots(), tmp.resolve("ptch"));
        List<String> ldArgs = new ArrayList<>(LD_ARGS);
        ldArgs.add("--defsym=.TOC.=0x" + Long.toHexString(o.tocBase()));
        return GnuLd.compare(patched, ksyms, "2.4.27", LD, OBJCOPY, "elf64ppc", tmp.resolve("work"), o.dots(),
                ldArgs);
    }

    static final List<String> LD_ARGS = List.of("--no-toc-optimize", "--no-opd-optimize", "--no-multi-toc");

    @ParameterizedTest
    @ValueSource(strings = {"hello.o:1", "simple.o:1", "params.o:1", "usemod.o:2", "nolicense.o:1",
            "proprietary.o:1"})
    void recordedObjectsAgreeWithGnuLd(String spec) throws Exception {
        assumeBinutils();
        String obj = spec.substring(0, spec.indexOf(':'));
        int n = Integer.parseInt(spec.substring(spec.indexOf(':') + 1));
        GnuLd.Comparison c = compare(ORACLE_OBJ.resolve(obj), ORACLE_KSYMS, n, tmp);
        assertTrue(c.differences().isEmpty(), obj + " differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() > 30, "compared only " + c.bytesCompared() + " bytes");
    }

    @Test
    void everyRelocationTypeAgreesWithGnuLd() throws Exception {
        assumeBinutils();
        Path obj = DIR.resolve("ppc64-relocs.o");
        Path ksyms = DIR.resolve("ksyms64.txt");
        GnuLd.Comparison c = compare(obj, ksyms, 2, tmp);
        assertTrue(c.differences().isEmpty(), "differs from GNU ld:\n" + String.join("\n", c.differences())
                + "\n" + c.map());
        assertTrue(c.bytesCompared() > 0x80, "compared only " + c.bytesCompared() + " bytes");
    }

    /**
     * Today's ELFv1 assemblers call descriptors (no dot symbols): the kernel call must go through
     * a stub, the call inside the module to the code its .opd entry names (as GNU ld does).
     */
    @Test
    void descriptorCallsAgreeWithGnuLd() throws Exception {
        assumeBinutils();
        GnuLd.Comparison c = compare(DIR.resolve("ppc64-modern.o"), DIR.resolve("ksyms64.txt"), 1, tmp, "");
        assertTrue(c.differences().isEmpty(), "differs from GNU ld:\n" + String.join("\n", c.differences())
                + "\n" + c.map());
        assertTrue(c.bytesCompared() >= 0x30, "compared only " + c.bytesCompared() + " bytes");
    }

    /**
     * A call to a static function through its descriptor: the assembler writes the REL24
     * against the .opd section symbol plus the descriptor's offset. The branch must land on the
     * code that descriptor points at (.text+0x2c, the ADDR64 at .opd+0x18 in the object), as
     * GNU ld links it, not on the descriptor data.
     */
    @Test
    void staticCallThroughOpdSectionSymbolLandsOnTheCode() throws Exception {
        assumeBinutils();
        Path obj = DIR.resolve("ppc64-opdsec.o");
        GnuLd.Comparison c = compare(obj, DIR.resolve("ksyms64.txt"), 1, tmp, "");
        assertTrue(c.differences().isEmpty(), "differs from GNU ld:\n" + String.join("\n", c.differences())
                + "\n" + c.map());
        StringBuilder out = new StringBuilder();
        Path blob = tmp.resolve("opdsec.bin");
        assertEquals(0, Run.insmod(out, "--ksyms=" + DIR.resolve("ksyms64.txt"), "--uname-release=2.4.27", "-n",
                "-m", "-O", blob.toString(), obj.toString()), out.toString());
        Map<String, Long> secs = PpcLinkTest.sections(out.toString());
        byte[] image = Files.readAllBytes(blob);
        long text = secs.get(".text");
        long site = text + 0x14;
        long insn = Endian.word(image, (int) (site - secs.get(".this")), 4, true);
        assertEquals(0x48000001L, insn & 0xfc000003L, String.format("bl at 0x%x: 0x%08x", site, insn));
        long target = site + ((insn & 0x03fffffcL) << 38 >> 38);
        assertEquals(text + 0x2c, target, String.format("branch target 0x%x", target));
    }

    /**
     * A REL24 that cannot reach keeps the original's words (obj_reloc.c: "%s of type %ld for %s"):
     * our range detail is added only under -v.
     */
    @Test
    void branchOutOfReachKeepsTheOriginalsText() {
        Path obj = DIR.resolve("ppc64-rel24far.o");
        String ksyms = "--ksyms=" + DIR.resolve("ksyms64.txt");
        StringBuilder out = new StringBuilder();
        assertEquals(1, Run.insmod(out, ksyms, "--uname-release=2.4.27", "-n", obj.toString()));
        assertEquals(obj + ": Relocation overflow of type 10 for farfunc\n", out.toString());
        StringBuilder verbose = new StringBuilder();
        assertEquals(1, Run.insmod(verbose, ksyms, "--uname-release=2.4.27", "-n", "-v", obj.toString()));
        // The distance depends on the ksymoops symbols, whose names hold the object's absolute path.
        assertTrue(java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(obj + ": Relocation overflow of type 10"
                + " for farfunc (branch displacement 0x") + "21001[0-9a-f]0 out of range\\)\n").matcher(verbose).find(),
                verbose.toString());
    }

    @Test
    void unknownTypeIsRefusedByNameBeforeLoading() throws Exception {
        PpcLoads.Load l = PpcLoads.load(DIR.resolve("ppc64-bad.o"), DIR.resolve("ksyms64.txt"), 0x100000L, false);
        assertEquals(1, l.status());
        assertTrue(l.errors().stream().anyMatch(e -> e.contains("R_PPC64_GOT16_DS") && e.contains("58")),
                l.errors().toString());
        assertEquals(null, l.image());
    }

    @Test
    void conditionalBranchToTheKernelNamesTheSymbol() throws Exception {
        PpcLoads.Load l = PpcLoads.load(DIR.resolve("ppc64-far.o"), DIR.resolve("ksyms64.txt"), 0x100000L, false);
        assertEquals(1, l.status());
        assertTrue(l.errors().stream().anyMatch(e -> e.contains("Relocation overflow") && e.contains(".kfunc")),
                l.errors().toString());
        assertEquals(null, l.image());
    }

    /**
     * A 2.4 ppc64 kernel gives a 32-bit insmod the low 32 bits of addresses: kernel symbols get
     * 0xC000... ORed in, module symbols and the create_module address 0xD000....
     */
    @Test
    void realLoadOrsInTheKernelAndModuleRegions() throws Exception {
        PpcLoads.Load l = PpcLoads.load(ORACLE_OBJ.resolve("usemod.o"), Paths.get("testdata/oracle/ksyms/ksyms32.txt"),
                0x00100000L, false);
        assertEquals(0, l.status(), l.errors().toString());
        assertEquals(0xD000000000100000L, l.address());
        byte[] image = l.image();
        long deps = Endian.word(image, 64, 8, true);   // struct module: deps after syms
        assertTrue(deps > l.address() && deps < l.address() + image.length, String.format("deps 0x%x", deps));
        long dep = Endian.word(image, (int) (deps - l.address()), 8, true);
        assertEquals(0xD0000000D0810000L, dep, "othermod's address in .kmodtab");
        assertTrue(contains(image, 0xC0000000C0118F20L), "printk's descriptor in the TOC, with the kernel region");
        assertTrue(contains(image, 0xD0000000D0810060L), "othermod_func's descriptor, with the module region");
        assertTrue(contains(image, 0xD0000000D0810200L), "othermod_var (ADDR64), with the module region");
    }

    static boolean contains(byte[] image, long word) {
        for (int i = 0; i + 8 <= image.length; i += 8) {
            if (Endian.word(image, i, 8, true) == word) {
                return true;
            }
        }
        return false;
    }
}
