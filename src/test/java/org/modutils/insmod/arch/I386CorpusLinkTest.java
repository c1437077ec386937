package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSection;

/**
 * The real 2.4.18 modules of testdata/corpus-i386 link against their kernel's exported symbols
 * with nothing unresolved, and every relocated byte agrees with GNU ld (ld -m elf_i386) linking
 * the same object at the addresses of our load map. ext3 links against a loaded jbd, so its
 * .kmodtab dependency is exercised.
 */
class I386CorpusLinkTest {
    static final Path DIR = Paths.get("testdata/corpus-i386/2.4.18-14custom");
    static final String RELEASE = "2.4.18-14custom";

    @TempDir
    Path tmp;

    static String ld() {
        return GnuLd.available("i686-linux-gnu-ld") ? "i686-linux-gnu-ld" : "ld";
    }

    @ParameterizedTest
    @ValueSource(strings = {"fs/jbd/jbd.o", "fs/cramfs/cramfs.o", "net/tux/tux.o", "net/sched/sch_prio.o",
            "drivers/net/e1000/e1000.o", "drivers/addon/bcm5700/bcm5700.o", "fs/ext3/ext3.o"})
    void agreesWithGnuLd(String module) throws Exception {
        assumeTrue(GnuLd.available(ld()), "GNU ld for i386 is not installed (binutils)");
        assumeTrue(GnuLd.available("objcopy"), "objcopy is not installed (binutils)");
        Path ksyms = DIR.resolve("derived/ksyms-from-bzImage-__ksymtab.txt");
        if (module.endsWith("ext3.o")) {
            ksyms = withLoadedModule(ksyms, DIR.resolve("fs/jbd/jbd.o"), "jbd", 0xd0880000L, tmp);
        }
        GnuLd.Comparison c = GnuLd.compare(DIR.resolve(module), ksyms, RELEASE, ld(), "objcopy", "elf_i386",
                tmp.resolve("work"));
        assertTrue(c.differences().isEmpty(), module + " differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() > 1000, "compared only " + c.bytesCompared() + " bytes");
        if (module.endsWith("ext3.o")) {
            assertTrue(c.map().contains(".kmodtab        0000000c"), "ext3 must depend on jbd:\n" + c.map());
        }
    }

    /** The kernel table plus {@code name}'s exports (its .kstrtab strings) as a loaded module at {@code base}, written in {@code dir}. */
    static Path withLoadedModule(Path kernel, Path obj, String name, long base, Path dir) throws Exception {
        ElfFile elf = ElfFile.parse(obj.toString(), Files.readAllBytes(obj));
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%08x __insmod_%s_O/lib/modules/%s/kernel/fs/%s/%s.o_M3F5A1B2C_V132114\t[%s]", base,
                name, RELEASE, name, name, name));
        for (int i = 0; i < elf.sectionCount(); i++) {
            ElfSection s = elf.section(i);
            if (s.name().equals(".kstrtab")) {
                String[] names = new String(elf.sectionData(i), StandardCharsets.ISO_8859_1).split("\0");
                long addr = base + 0x100;
                for (String n : names) {
                    if (!n.isEmpty()) {
                        lines.add(String.format("%08x %s\t[%s]", addr, n, name));
                        addr += 0x10;
                    }
                }
            }
        }
        Path out = Files.createTempFile(dir, "ksyms-" + name, ".txt");
        List<String> all = new ArrayList<>(lines);
        all.addAll(Files.readAllLines(kernel));
        Files.write(out, all);
        return out;
    }
}
