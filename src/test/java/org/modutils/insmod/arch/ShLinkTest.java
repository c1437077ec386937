package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SuperH objects of testdata/arch-asm/sh (sh4-linux-gnu-as, little- and big-endian): DIR32, REL32
 * and PLT32 agree with GNU ld (sh4-linux-gnu-ld) at our map's addresses; the GOT types are
 * checked by meaning (ld builds its own GOT); a type the original never learned is refused by name.
 */
class ShLinkTest {
    static final String LD = "sh4-linux-gnu-ld";
    static final String OBJCOPY = "sh4-linux-gnu-objcopy";

    @TempDir
    Path tmp;

    static Map<String, Long> table() {
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("printk", 0x8c012340L);
        t.put("kfree", 0x8c020000L);
        t.put("_GLOBAL_OFFSET_TABLE_", 0x8c100000L);
        return t;
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic.o", "basic-be.o"})
    void agreesWithGnuLd(String obj) throws Exception {
        assumeTrue(GnuLd.available(LD), "GNU ld for SH is not installed (Debian package binutils-sh4-linux-gnu)");
        assumeTrue(GnuLd.available(OBJCOPY), "objcopy for SH is not installed (binutils-sh4-linux-gnu)");
        List<String> flags = obj.endsWith("-be.o") ? List.of("-EB") : List.of();
        GnuLd.Comparison c = GnuLd.compareExcept(AsmObjects.DIR.resolve("sh").resolve(obj),
                AsmObjects.ksyms(tmp, table()), AsmObjects.RELEASE, LD, OBJCOPY, null, flags, tmp.resolve("work"),
                (sec, off) -> false);
        assertTrue(c.differences().isEmpty(), obj + " differs from GNU ld:\n" + String.join("\n", c.differences()));
        assertTrue(c.bytesCompared() >= 40, "compared only " + c.bytesCompared() + " bytes");
    }

    @Test
    void gotTypesByMeaning() throws Exception {
        AsmObjects.Run r = AsmObjects.insmod(tmp, AsmObjects.DIR.resolve("sh/got.o"), table(), false);
        assertEquals(0, r.rc(), r.err());
        // One 4-byte entry per GOT32 symbol, in relocation order, 4-aligned.
        assertTrue(r.out().matches("(?s).*\n\\.got +00000008 +[0-9a-f]+ +2\\*\\*2\n.*"), r.out());
        long got = r.addr(".got");
        long gotpc = r.sym("gotpc");
        assertEquals(got - gotpc, r.word(gotpc), "GOTPC: .got - P");
        assertEquals(0, r.word(r.sym("got1")), "printk's entry");
        assertEquals(4, r.word(r.sym("got2")), "kfree's entry");
        assertEquals(0, r.word(r.sym("got3")), "one entry per symbol");
        assertEquals(0x8c012340L, r.word(got));
        assertEquals(0x8c020000L, r.word(got + 4));
        assertEquals(r.sym("counter") - got, r.word(r.sym("gotoff")), "GOTOFF: S - .got");
    }

    @Test
    void ind12wIsRefusedByName() throws Exception {
        AsmObjects.Run r = AsmObjects.insmod(tmp, AsmObjects.DIR.resolve("sh/bsr.o"), table(), false);
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("R_SH_IND12W") && r.err().contains("printk"), r.err());
    }
}
