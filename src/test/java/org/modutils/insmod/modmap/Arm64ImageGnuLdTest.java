package org.modutils.insmod.modmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;

/**
 * The arm64 relocated image (-O) against GNU ld (aarch64-linux-gnu-ld) linking the same module
 * (src/test/resources/modmap/arm64/relocs.ko: every relocation type the kernel handles, built by
 * scripts/make-arm64-modmap-fixtures.sh) with every section at the same address and every
 * undefined symbol at the same kernel address: each loaded section's bytes must be equal, but
 * for the branches that do not reach their target. There the kernel goes through its module
 * PLT where ld makes its own stub: each such branch must lead into the PLT of its side, to an
 * entry whose bytes are those GNU as and ld make of "adrp x16, T; add x16, x16, :lo12:T;
 * br x16" at that address, one entry per distinct target. Skipped without
 * binutils-aarch64-linux-gnu.
 */
class Arm64ImageGnuLdTest {
    static final String LD = "aarch64-linux-gnu-ld", AS = "aarch64-linux-gnu-as";
    static final long TEXT = 0xffff800001000000L, INIT = 0xffff800001400000L;
    /** relocs.ko's targets more than 128 MB from the module, reached through the PLT. */
    static final Set<String> FAR = Set.of("far_away", "far_away2");

    @TempDir
    Path tmp;

    static byte[] ko(String name) {
        return ModMapRealKernelTest.resource("arm64/" + name);
    }

    /**
     * The kernel's symbols. relocs.ko: near ones 112 MB above the module, far ones 1 GB, two
     * absolute values; a real module: all 1 GB away, so that every call into the kernel goes
     * through the PLT.
     */
    static Map<String, Long> kernel(byte[] ko) throws Exception {
        Map<String, Long> k = new LinkedHashMap<>();
        boolean real = !org.modutils.insmod.modern.KoFile.parse(ko).undefinedSymbols().contains("far_away");
        for (String name : org.modutils.insmod.modern.KoFile.parse(ko).undefinedSymbols()) {
            long a = real ? 0xffff800040000000L + 0x40L * k.size() : switch (name) {
                case "far_away" -> 0xffff800040000000L;
                case "far_away2" -> 0xffff800040000100L;
                case "ext_small" -> 0x1234L;
                case "ext_neg" -> -0x12345678L;
                case "jiffies" -> 0xffff80000a001238L;
                default -> 0xffff800008000000L + 0x40L * k.size();
            };
            k.put(name, a);
        }
        return k;
    }

    static MapRequest request(byte[] ko) {
        return request("relocs.ko", ko);
    }

    static MapRequest request(String name, byte[] ko) {
        return new MapRequest(name, ko, Map.of(".text", TEXT, ".init.text", INIT), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"relocs.ko", "dummy.ko", "libcrc32c.ko"})
    void sameBytesAsGnuLdAndVeneersAsGnuAsMakesThem(String module) throws Exception {
        assumeTrue(ModuleImageGnuLdTest.runs(LD) && ModuleImageGnuLdTest.runs(AS),
                "GNU binutils for arm64 are not installed (apt-get install binutils-aarch64-linux-gnu)");
        byte[] ko = ko(module);
        MapRequest req = request(module, ko);
        ModMap.Placed p = ModMap.place(req);
        Map<String, Long> kernel = kernel(ko);
        StringBuilder kallsyms = new StringBuilder();
        kernel.forEach((n, a) -> kallsyms.append(String.format("%016x T %s%n", a, n)));
        assertEquals(kernel, KallsymsTable.parse("kallsyms", kallsyms.toString().getBytes(StandardCharsets.US_ASCII)));
        List<ModuleImage.Allocation> images = ModuleImage.build(req, kernel);
        ElfFile elf = p.elf();

        Path out = link(p, ModuleImageGnuLdTest.withoutMerge(ko, elf), kernel);
        ElfFile theirs = ElfFile.parse("out.elf", Files.readAllBytes(out));
        boolean real = !module.equals("relocs.ko");
        Map<Integer, Set<Long>> viaPlt = farBranches(elf, real ? kernel.keySet() : FAR);
        Map<Long, String> entries = new LinkedHashMap<>();
        int compared = 0;
        Set<String> types = new TreeSet<>();
        for (int i = 1; i < elf.sectionCount(); i++) {
            ElfSection s = elf.section(i);
            if (p.layout().unit(i) < 0 || p.layout().shape(i).nobits() || s.size() == 0 || s.name().equals(".symtab")
                    || s.name().equals(".strtab") || s.name().equals(".note.gnu.build-id")) {
                continue;
            }
            byte[] ours = slice(p, images, i);
            byte[] ld = section(theirs, s.name(), p.address()[i]);
            // ld appends its long-branch stubs to the section; the section's own bytes come first
            assertTrue(ld.length >= ours.length, s.name());
            ld = Arrays.copyOf(ld, ours.length);
            for (long off : viaPlt.getOrDefault(i, Set.of())) {
                long loc = p.address()[i] + off;
                long to = loc + ((long) (word(ours, (int) off) << 6) >> 4);
                String side = s.name().startsWith(".init") ? ".init.plt" : ".plt";
                long plt = p.address()[index(elf, side)];
                assertTrue(to >= plt && to < plt + p.layout().shape(index(elf, side)).size() && (to - plt) % 12 == 0,
                        s.name() + "+" + off + " branches to " + Long.toHexString(to) + ", not into " + side);
                entries.put(to, symbolAt(elf, i, off));
                Arrays.fill(ours, (int) off, (int) off + 4, (byte) 0);
                Arrays.fill(ld, (int) off, (int) off + 4, (byte) 0);
            }
            assertArrayEquals(ld, ours, module + " " + s.name());
            compared++;
        }
        assertTrue(compared >= 8, "sections compared: " + compared);
        if (!real) { // one entry per distinct far target on each side (core: far_away, far_away2; init: far_away)
            assertEquals(3, entries.size(), entries.toString());
        }
        assertTrue(!entries.isEmpty() && entries.size() <= (p.layout().shape(index(elf, ".plt")).size()
                + p.layout().shape(index(elf, ".init.plt")).size()) / 12 - 2, module + ": PLT entries " + entries.size());
        Map<Long, byte[]> want = assembleVeneers(entries, kernel);
        for (Map.Entry<Long, String> e : entries.entrySet()) {
            String side = e.getKey() >= INIT ? ".init.plt" : ".plt";
            int k = index(elf, side);
            int at = (int) (p.layout().offset(k) + e.getKey() - p.address()[k]);
            byte[] img = images.get(e.getKey() >= INIT ? 1 : 0).bytes();
            assertArrayEquals(want.get(e.getKey()), Arrays.copyOfRange(img, at, at + 12), "veneer for " + e.getValue());
        }
    }

    /** ld with a script placing every loaded section where our map has it. */
    private Path link(ModMap.Placed p, byte[] obj, Map<String, Long> kernel) throws Exception {
        Files.write(tmp.resolve("relocs.ko"), obj);
        StringBuilder script = new StringBuilder("SECTIONS {\n");
        ElfFile elf = p.elf();
        for (int i = 1; i < elf.sectionCount(); i++) {
            String n = elf.section(i).name();
            if (p.layout().unit(i) != KernelLayout.NONE && !n.equals(".symtab") && !n.equals(".strtab")) {
                script.append(String.format("  %s 0x%x : { *(%s) }%n", n, p.address()[i], n));
            }
        }
        script.append("}\n");
        Files.writeString(tmp.resolve("map.ld"), script);
        List<String> cmd = new ArrayList<>(List.of(LD, "-static", "-nostdlib", "--no-relax", "--no-check-sections",
                "-e", "0", "-T", "map.ld", "-o", "out.elf", "relocs.ko"));
        kernel.forEach((n, a) -> cmd.add(String.format("--defsym=%s=0x%x", n, a)));
        run(cmd);
        return tmp.resolve("out.elf");
    }

    /** GNU as and ld make each PLT entry at its address: the expected bytes. */
    private Map<Long, byte[]> assembleVeneers(Map<Long, String> entries, Map<String, Long> kernel) throws Exception {
        StringBuilder asm = new StringBuilder(), script = new StringBuilder("SECTIONS {\n");
        int n = 0;
        for (Map.Entry<Long, String> e : entries.entrySet()) {
            asm.append(String.format(".section .v%d, \"ax\"%nadrp x16, %s%nadd x16, x16, :lo12:%s%nbr x16%n", n,
                    e.getValue(), e.getValue()));
            script.append(String.format("  .v%d 0x%x : { *(.v%d) }%n", n, e.getKey(), n));
            n++;
        }
        Files.writeString(tmp.resolve("v.s"), asm);
        Files.writeString(tmp.resolve("v.ld"), script.append("}\n"));
        run(List.of(AS, "-o", "v.o", "v.s"));
        List<String> cmd = new ArrayList<>(List.of(LD, "-static", "-nostdlib", "-e", "0", "-T", "v.ld", "-o", "v.elf",
                "v.o"));
        kernel.forEach((s, a) -> cmd.add(String.format("--defsym=%s=0x%x", s, a)));
        run(cmd);
        ElfFile v = ElfFile.parse("v.elf", Files.readAllBytes(tmp.resolve("v.elf")));
        Map<Long, byte[]> out = new LinkedHashMap<>();
        n = 0;
        for (Long at : entries.keySet()) {
            out.put(at, section(v, ".v" + n++, at));
        }
        return out;
    }

    /** Section index -> offsets of the JUMP26/CALL26 relocations against a far symbol. */
    private static Map<Integer, Set<Long>> farBranches(ElfFile elf, Set<String> far) throws Exception {
        Map<Integer, Set<Long>> out = new LinkedHashMap<>();
        for (int r = 1; r < elf.sectionCount(); r++) {
            ElfSection rs = elf.section(r);
            if (rs.type() != org.modutils.insmod.elf.Elf.SHT_RELA) {
                continue;
            }
            ElfSymbols syms = elf.symbols(rs.link());
            ElfRelocs rel = elf.relocations(r, syms.count());
            for (int k = 0; k < rel.count(); k++) {
                if ((rel.type(k) == 282 || rel.type(k) == 283) && syms.shndx()[rel.sym(k)] == 0
                        && far.contains(syms.name()[rel.sym(k)])) {
                    out.computeIfAbsent(rs.info(), x -> new HashSet<>()).add(rel.offset(k));
                }
            }
        }
        assertTrue(out.size() >= 2, "far branches in core and init code: " + out.keySet());
        return out;
    }

    private static String symbolAt(ElfFile elf, int sec, long off) throws Exception {
        for (int r = 1; r < elf.sectionCount(); r++) {
            ElfSection rs = elf.section(r);
            if (rs.type() == org.modutils.insmod.elf.Elf.SHT_RELA && rs.info() == sec) {
                ElfSymbols syms = elf.symbols(rs.link());
                ElfRelocs rel = elf.relocations(r, syms.count());
                for (int k = 0; k < rel.count(); k++) {
                    if (rel.offset(k) == off) {
                        return syms.name()[rel.sym(k)];
                    }
                }
            }
        }
        throw new AssertionError("no relocation at " + off);
    }

    static int index(ElfFile elf, String name) {
        for (int i = 1; i < elf.sectionCount(); i++) {
            if (elf.section(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no section " + name);
    }

    private static byte[] slice(ModMap.Placed p, List<ModuleImage.Allocation> images, int i) {
        String unit = p.rules().units()[p.layout().unit(i)];
        ModuleImage.Allocation a = images.stream().filter(x -> x.unit().equals(unit)).findFirst().orElseThrow();
        int at = (int) p.layout().offset(i);
        return Arrays.copyOfRange(a.bytes(), at, at + (int) p.elf().section(i).size());
    }

    private static byte[] section(ElfFile f, String name, long addr) throws Exception {
        for (int j = 1; j < f.sectionCount(); j++) {
            if (f.section(j).name().equals(name)) {
                assertEquals(addr, f.section(j).addr(), name + " placed by ld");
                return f.sectionData(j);
            }
        }
        throw new AssertionError("ld output has no " + name);
    }

    private static int word(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | b[at + 3] << 24;
    }

    private void run(List<String> cmd) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String log = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, pr.exitValue(), cmd + ": " + log);
    }
}
