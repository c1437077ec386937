package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorded cases of the original only use 32/64, HI22, LO10 and WDISP30; testdata/sparc64/relocs.o
 * (made by testdata/sparc64/build.sh with binutils-sparc64-linux-gnu) uses every relocation type we link
 * for sparc64, and GNU ld (ld -m elf64_sparc) linking it at the addresses of our load map must give the
 * same bytes (there is no GOT or PLT on sparc64, so every field compares byte for byte).
 */
class Sparc64LinkTest {
    static final Path DIR = Paths.get("testdata/sparc64");
    static final String LD = "sparc64-linux-gnu-ld", OBJCOPY = "sparc64-linux-gnu-objcopy";

    @TempDir
    Path tmp;

    @Test
    void everyRelocationAgreesWithGnuLd() throws Exception {
        assumeTrue(GnuLd.available(LD), "GNU ld for sparc is not installed (Debian package binutils-sparc64-linux-gnu)");
        assumeTrue(GnuLd.available(OBJCOPY), "objcopy for sparc is not installed (binutils-sparc64-linux-gnu)");
        Path obj = DIR.resolve("relocs.o");
        Set<Integer> types = new TreeSet<>();
        for (S390LinkTest.Rel r : S390LinkTest.relocations(obj)) {
            types.add(r.type() & 0xff);
        }
        assertEquals(39, types.size(), "relocation types in the test object: " + types);
        GnuLd.Comparison c = GnuLd.compare(obj, DIR.resolve("ksyms.txt"), "2.4.27", LD, OBJCOPY, "elf64_sparc",
                tmp.resolve("work"));
        assertTrue(c.differences().isEmpty(), "relocs.o differs from GNU ld:\n" + String.join("\n", c.differences())
                + "\n" + c.map());
        assertTrue(c.bytesCompared() > 100, "compared only " + c.bytesCompared() + " bytes");
    }

    /**
     * The recorded usemod case links at the -n dummy base against a kernel at 0xffffffff80000000:
     * the original or-ed the unmasked HI22 of othermod_var into the sethi and truncated the call to
     * printk (2.4 GB away), and the oracle case holds those bytes. For a real kernel the same link is
     * refused by name.
     */
    @Test
    void farKernelSymbolsAreErrorsForARealKernel() throws Exception {
        Path obj = Paths.get("testdata/oracle/sparc64/obj/usemod.o");
        RealLoad.Outcome real = RealLoad.load(obj, Paths.get("testdata/oracle/ksyms/ksyms64.txt"), 0x10000000L);
        assertEquals(1, real.status(), real.errors().toString());
        assertTrue(real.errors().stream().anyMatch(e -> e.startsWith("Relocation overflow of type 9 for othermod_var")),
                real.errors().toString());
        assertTrue(real.errors().stream().anyMatch(e -> e.startsWith("Relocation overflow of type 7 for printk")),
                real.errors().toString());
    }

    /** Within the medlow model's 4 GB (a 2.4 sparc64 kernel lives at 0x400000) the real load links. */
    @Test
    void nearKernelLinksForARealKernel() throws Exception {
        RealLoad.Outcome real = RealLoad.load(DIR.resolve("relocs.o"), DIR.resolve("ksyms.txt"), 0x10000000L);
        assertEquals(0, real.status(), real.errors().toString());
    }
}
