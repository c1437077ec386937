package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modutils.insmod.cli.Insmod;
import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.elf.Endian;

/**
 * The real mipsel 2.4.20 vendor modules of ../shared/corpus (Broadcom wl.o/et.o of the Netgear
 * WGT634U against its kernel's exported symbols, and the nine WNR1000v3 modules against a
 * synthesized table of the kernel symbols they need plus their sibling modules) link with
 * nothing unresolved, and every relocated byte agrees with GNU ld (mipsel-linux-gnu-ld) placing
 * the same sections at the addresses of our load map. The modules are vendor binaries: they are
 * read from ../shared and never copied into the project; without ../shared the test skips.
 */
class MipsLinkTest {
    static final Path CORPUS = Paths.get("../shared/corpus/mipsel");
    static final Path WGT = CORPUS.resolve("netgear-wgt634u-1.4.1.5");
    static final Path WNR = CORPUS.resolve("netgear-wnr1000v3-rootfs");
    static final Path WNR_MODULES = WNR.resolve("squashfs-root/lib/modules/2.4.20/kernel");
    static final Path TESTDATA = Paths.get("testdata/arch-mips");
    static final String LD = "mipsel-linux-gnu-ld";
    static final String OBJCOPY = "mipsel-linux-gnu-objcopy";
    /** ld rewrites .reginfo; insmod loads it without contents (as the original). */
    static final Set<String> NOT_COMPARED = Set.of(".reginfo");

    @TempDir
    Path tmp;

    static void assumeTools() {
        assumeTrue(Files.isDirectory(CORPUS), "../shared/corpus/mipsel is absent: vendor modules are not in the project");
        assumeTrue(GnuLd.available(LD), "GNU ld for mipsel is not installed (Debian binutils-mipsel-linux-gnu)");
        assumeTrue(GnuLd.available(OBJCOPY), "objcopy for mipsel is not installed (binutils-mipsel-linux-gnu)");
    }

    /** The assembled objects of testdata/arch-mips (make.sh) exercise every type we apply, in both byte orders. */
    @ParameterizedTest
    @ValueSource(strings = {"mips", "mipsel"})
    void everyRelocationTypeAgreesWithGnuLd(String arch) throws Exception {
        String ld = arch + "-linux-gnu-ld";
        assumeTrue(GnuLd.available(ld), "GNU ld for " + arch + " is not installed (binutils-" + arch + "-linux-gnu)");
        GnuLd.Comparison c = GnuLd.compare(TESTDATA.resolve("relocs-" + arch + ".o"), TESTDATA.resolve("ksyms.txt"),
                "2.4.20", ld, arch + "-linux-gnu-objcopy", null, NOT_COMPARED, tmp.resolve("work"));
        assertTrue(c.differences().isEmpty(), arch + " differs from GNU ld:\n" + String.join("\n", c.differences()));
        // .text, .text.other, .data and .MIPS.abiflags
        assertTrue(c.bytesCompared() >= 0x80 + 8 + 0x20 + 0x18, "compared only " + c.bytesCompared() + " bytes");
        assertTrue(c.map().contains(".MIPS.abiflags  00000018"), c.map());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mips", "mipsel"})
    void jalBeyondItsRegionIsAnErrorNamingTheSymbol(String arch) throws Exception {
        Run r = insmod(TESTDATA.resolve("far26-" + arch + ".o"));
        assertEquals(1, r.rc);
        assertEquals(TESTDATA.resolve("far26-" + arch + ".o") + ": Relocation overflow of type 4 for ext_func"
                + " (R_MIPS_26 from 0x12340060 cannot reach 0x80234560 in another 256 MiB region)\n", r.err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mips", "mipsel"})
    void gpRelativeAccessIsRefusedByName(String arch) throws Exception {
        Run r = insmod(TESTDATA.resolve("gprel-" + arch + ".o"));
        assertEquals(1, r.rc);
        assertTrue(r.err.contains("Unhandled relocation of type 7 for ext_var (R_MIPS_GPREL16"), r.err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mips", "mipsel"})
    void hi16WithoutLo16IsAnError(String arch) throws Exception {
        Path obj = TESTDATA.resolve("lone-hi16-" + arch + ".o");
        Run r = insmod(obj);
        assertEquals(1, r.rc);
        assertEquals(obj + ": Dangerous relocation of type 5 for ext_var (R_MIPS_HI16 without a matching R_MIPS_LO16"
                + " after it)\n", r.err);
    }

    /** .reginfo turned into other processor-specific types: refused with the original's messages. */
    @ParameterizedTest
    @ValueSource(strings = {"7000000d:Unhandled", "70000077:Unknown"})
    void unknownProcessorSectionsAreRefused(String spec) throws Exception {
        int type = Integer.parseUnsignedInt(spec.substring(0, 8), 16);
        byte[] b = Files.readAllBytes(TESTDATA.resolve("relocs-mipsel.o"));
        ElfFile elf = ElfFile.parse("x", b);
        int shoff = (int) Endian.word(b, 32, 4, false);
        for (int i = 0; i < elf.sectionCount(); i++) {
            if (elf.section(i).name().equals(".reginfo")) {
                Endian.putWord(b, shoff + 40 * i + 4, 4, type, false);
            }
        }
        Path obj = tmp.resolve("odd.o");
        Files.write(obj, b);
        Run r = insmod(obj);
        assertEquals(1, r.rc);
        assertEquals(obj + ": " + spec.substring(9) + " section header type: " + spec.substring(0, 8) + "\n", r.err);
    }

    record Run(int rc, String out, String err) {}

    static Run insmod(Path obj, String... extra) {
        return insmod(obj, TESTDATA.resolve("ksyms.txt"), extra);
    }

    static Run insmod(Path obj, Path ksyms, String... extra) {
        List<String> argv = new ArrayList<>(List.of("--ksyms=" + ksyms, "--uname-release=2.4.20",
                "--uname-version=#1 Sat Jan 1 00:00:00 UTC 2005", "-n", "-m"));
        argv.addAll(List.of(extra));
        argv.add(obj.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Insmod.run(argv.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.ISO_8859_1), Map.of());
        return new Run(rc, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"broadcom-src/et/linux/et.o", "broadcom-src/wl/linux/wl.o"})
    void wgt634uAgreesWithGnuLd(String module) throws Exception {
        assumeTools();
        check(WGT.resolve(module), WGT.resolve("derived/ksyms-from-vmlinux-__ksymtab.txt"), 1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"drivers/net/emf/emf.o", "drivers/net/et/et.o", "drivers/net/igs/igs.o",
            "drivers/net/wl/wl.o", "net/ipv4/acos_nat/acos_nat.o", "net/ipv4/l7_filter/l7_filter.o",
            "net/ipv4/multissidcontrol/MultiSsidControl.o", "net/ipv4/opendns/openDNS_hijack.o",
            "net/ipv4/ubd/ubd.o"})
    void wnr1000v3AgreesWithGnuLd(String module) throws Exception {
        assumeTools();
        Path obj = wnrObject(module);
        List<String> lines = new ArrayList<>();
        // Sibling modules these depend on, loaded at made-up addresses, exporting every global.
        if (module.contains("igs")) {
            lines.addAll(loadedModule(wnrObject("drivers/net/emf/emf.o"), "emf", 0xc0100000L));
        }
        if (module.contains("l7_filter") || module.contains("opendns")) {
            lines.addAll(loadedModule(wnrObject("net/ipv4/acos_nat/acos_nat.o"), "acos_nat", 0xc0200000L));
        }
        // The kernel: every name any of the modules needs, at distinct word-aligned KSEG0 addresses.
        long addr = 0x80100000L;
        for (String n : Files.readAllLines(WNR.resolve("derived/symbols-needed-from-kernel.txt"))) {
            if (!n.isBlank()) {
                lines.add(String.format("%08x %s", addr, n.strip()));
                addr += 0x40;
            }
        }
        Path ksyms = tmp.resolve("ksyms.txt");
        Files.write(ksyms, lines);
        check(obj, ksyms, module.contains("MultiSsid") ? 500 : 1000);
    }

    /** Two objects of the WNR1000v3 image were damaged in the squashfs; the corpus keeps repaired copies. */
    static Path wnrObject(String module) {
        Path repaired = WNR.resolve("repaired").resolve(Paths.get(module).getFileName());
        return Files.exists(repaired) ? repaired : WNR_MODULES.resolve(module);
    }

    private void check(Path obj, Path ksyms, long minBytes) throws Exception {
        GnuLd.Comparison c = GnuLd.compare(obj, ksyms, "2.4.20", LD, OBJCOPY, null, NOT_COMPARED,
                tmp.resolve("work"));
        assertTrue(c.differences().isEmpty(), obj + " differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() > minBytes, "compared only " + c.bytesCompared() + " bytes");
    }

    /** A loaded module in /proc/ksyms form: its __insmod_ symbol at {@code base}, then its defined globals. */
    static List<String> loadedModule(Path obj, String name, long base) throws Exception {
        ElfFile elf = ElfFile.parse(obj.toString(), Files.readAllBytes(obj));
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%08x __insmod_%s_O/lib/modules/2.4.20/kernel/%s.o_M40000000_V132116\t[%s]", base,
                name, name, name));
        long addr = base + 0x100;
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection s = elf.section(i);
            if (s.type() != Elf.SHT_SYMTAB) {
                continue;
            }
            ElfSymbols syms = elf.symbols(i);
            for (int k = syms.firstGlobal(); k < syms.count(); k++) {
                if (syms.shndx()[k] != Elf.SHN_UNDEF && Elf.stBind(syms.info()[k]) == Elf.STB_GLOBAL
                        && !syms.name()[k].isEmpty()) {
                    lines.add(String.format("%08x %s\t[%s]", addr, syms.name()[k], name));
                    addr += 0x10;
                }
            }
        }
        return lines;
    }
}
