package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * m68k objects of testdata/arch-asm/m68k (m68k-linux-gnu-as): 32/16/8, PC32/PC16/PC8 and PLT32
 * agree with GNU ld (m68k-linux-gnu-ld) at our map's addresses; a 16-bit pc-relative reference to
 * a far kernel symbol is the overflow error the original also gave, naming the symbol.
 */
class M68kLinkTest {
    static final String LD = "m68k-linux-gnu-ld";
    static final String OBJCOPY = "m68k-linux-gnu-objcopy";

    @TempDir
    Path tmp;

    static Map<String, Long> table() {
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("printk", 0x00012340L);
        t.put("kfree", 0x00020000L);
        t.put("tiny16", 0x1234L);
        t.put("tiny8", 0x7fL);
        return t;
    }

    @Test
    void agreesWithGnuLd() throws Exception {
        assumeTrue(GnuLd.available(LD), "GNU ld for m68k is not installed (Debian package binutils-m68k-linux-gnu)");
        assumeTrue(GnuLd.available(OBJCOPY), "objcopy for m68k is not installed (binutils-m68k-linux-gnu)");
        GnuLd.Comparison c = GnuLd.compare(AsmObjects.DIR.resolve("m68k/basic.o"), AsmObjects.ksyms(tmp, table()),
                AsmObjects.RELEASE, LD, OBJCOPY, null, tmp.resolve("work"));
        assertTrue(c.differences().isEmpty(), "basic.o differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() >= 40, "compared only " + c.bytesCompared() + " bytes");
    }

    @Test
    void pc16OverflowNamesTheSymbol() throws Exception {
        AsmObjects.Run r = AsmObjects.insmod(tmp, AsmObjects.DIR.resolve("m68k/overflow.o"), table(), true);
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("Relocation overflow of type 5 for printk"), r.err());
    }
}
