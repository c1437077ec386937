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
 * The recorded cases of the original only use 32/64, HI22, LO10 and WDISP30; testdata/sparc/relocs.o
 * (made by testdata/sparc/build.sh with binutils-sparc64-linux-gnu) uses every relocation type we link
 * for sparc, and GNU ld (ld -m elf32_sparc) linking it at the addresses of our load map must give the
 * same bytes (there is no GOT or PLT on sparc, so every field compares byte for byte).
 */
class SparcLinkTest {
    static final Path DIR = Paths.get("testdata/sparc");
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
        assertEquals(24, types.size(), "relocation types in the test object: " + types);
        GnuLd.Comparison c = GnuLd.compare(obj, DIR.resolve("ksyms.txt"), "2.4.27", LD, OBJCOPY, "elf32_sparc",
                tmp.resolve("work"));
        assertTrue(c.differences().isEmpty(), "relocs.o differs from GNU ld:\n" + String.join("\n", c.differences())
                + "\n" + c.map());
        assertTrue(c.bytesCompared() > 100, "compared only " + c.bytesCompared() + " bytes");
    }

    /** A 22-bit branch that cannot reach: silently truncated at the -n dummy base as the original did, an error naming the symbol for a real kernel. */
    @Test
    void outOfRangeBranchIsAnErrorForARealKernel() throws Exception {
        Path obj = DIR.resolve("range.o");
        RealLoad.Outcome real = RealLoad.load(obj, DIR.resolve("ksyms.txt"), 0x10000000L);
        assertEquals(1, real.status(), real.errors().toString());
        assertTrue(real.errors().stream().anyMatch(e -> e.startsWith("Relocation overflow of type 8 for printk")),
                real.errors().toString());
        String[] dummy = S390LinkTest.run("--ksyms=" + DIR.resolve("ksyms.txt"), "--uname-release=2.4.27", "-n", "-O",
                tmp.resolve("blob").toString(), obj.toString());
        assertEquals("0", dummy[0], dummy[2]);
    }
}
