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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSection;

/**
 * The relocated image (-O with --sections) against GNU ld linking the same module with every
 * section at the same address and every undefined symbol at the same kernel address: each
 * loaded section's bytes must be equal. Skipped without ld (binutils).
 */
class ModuleImageGnuLdTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"hello", "libcrc32c"})
    void sameBytesAsGnuLd(String module) throws Exception {
        assumeTrue(ldRuns(), "GNU ld is not installed (apt-get install binutils)");
        byte[] ko = ModMapRealKernelTest.resource(module + ".ko");
        Map<String, Long> given = ModMapRealKernelTest.recorded(module);
        MapRequest req = new MapRequest(module + ".ko", ko, given, null);
        ModMap.Placed p = ModMap.place(req);
        // the kernel's symbols: made-up addresses in the kernel's text range
        Map<String, Long> kernel = new LinkedHashMap<>();
        StringBuilder kallsyms = new StringBuilder();
        for (String name : org.modutils.insmod.modern.KoFile.parse(ko).undefinedSymbols()) {
            long a = 0xffffffff81000000L + 0x40L * kernel.size();
            kernel.put(name, a);
            kallsyms.append(String.format("%016x T %s%n", a, name));
        }
        assertEquals(kernel, KallsymsTable.parse("kallsyms", kallsyms.toString().getBytes(StandardCharsets.US_ASCII)));
        List<ModuleImage.Allocation> images = ModuleImage.build(req, kernel);

        Path obj = tmp.resolve(module + ".ko");
        Files.write(obj, withoutMerge(ko, p.elf()));
        StringBuilder script = new StringBuilder("SECTIONS {\n");
        ElfFile elf = p.elf();
        for (int i = 1; i < elf.sectionCount(); i++) {
            if (p.layout().unit(i) != KernelLayout.NONE && !elf.section(i).name().equals(".symtab")
                    && !elf.section(i).name().equals(".strtab")) {
                String n = elf.section(i).name();
                script.append(String.format("  %s 0x%x : { *(%s) }%n", n, p.address()[i], n));
            }
        }
        script.append("}\n");
        Files.writeString(tmp.resolve("map.ld"), script);
        List<String> cmd = new ArrayList<>(List.of("ld", "-m", "elf_x86_64", "-static", "-nostdlib", "--no-relax",
                "--no-check-sections", "-e", "0", "-T", "map.ld", "-o", "out.elf", obj.getFileName().toString()));
        for (Map.Entry<String, Long> e : kernel.entrySet()) {
            cmd.add(String.format("--defsym=%s=0x%x", e.getKey(), e.getValue()));
        }
        Process ld = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String log = new String(ld.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ld.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, ld.exitValue(), log);

        ElfFile out = ElfFile.parse("out.elf", Files.readAllBytes(tmp.resolve("out.elf")));
        int compared = 0;
        for (int i = 1; i < elf.sectionCount(); i++) {
            int u = p.layout().unit(i);
            ElfSection s = elf.section(i);
            if (u < 0 || s.size() == 0 || s.type() == org.modutils.insmod.elf.Elf.SHT_NOBITS
                    || s.name().equals(".symtab") || s.name().equals(".strtab")
                    || s.name().equals(".note.gnu.build-id")) { // ld keeps build-id notes only with --build-id
                continue;
            }
            byte[] theirs = null;
            for (int j = 1; j < out.sectionCount(); j++) {
                if (out.section(j).name().equals(s.name())) {
                    assertEquals(p.address()[i], out.section(j).addr(), s.name() + " placed by ld");
                    theirs = out.sectionData(j);
                }
            }
            assertTrue(theirs != null, "ld output has no " + s.name());
            ModuleImage.Allocation a = images.stream().filter(x -> x.unit().equals(p.rules().units()[u])).findFirst()
                    .orElseThrow();
            int at = (int) p.layout().offset(i);
            assertArrayEquals(theirs, Arrays.copyOfRange(a.bytes(), at, at + theirs.length), module + " " + s.name());
            compared++;
        }
        assertTrue(compared >= 10, "sections compared: " + compared);
    }

    /**
     * ld merges SHF_MERGE string sections (an empty string becomes the tail of another); the
     * kernel copies them as they are. ld gets a copy with SHF_MERGE and SHF_STRINGS cleared, so
     * it lays them out as the kernel does.
     */
    static byte[] withoutMerge(byte[] ko, ElfFile elf) {
        byte[] d = ko.clone();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = b.getShort(0x3a) & 0xffff;
        for (int i = 1; i < elf.sectionCount(); i++) {
            int at = (int) (shoff + (long) i * shentsize + 8);
            b.putLong(at, b.getLong(at) & ~0x30L);
        }
        return d;
    }

    private static boolean ldRuns() {
        return runs("ld");
    }

    /** The program runs ({@code --version} exits 0). */
    static boolean runs(String program) {
        try {
            Process p = new ProcessBuilder(program, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
