package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.cli.Insmod;

/**
 * hppa calls go through .stub with a 17-bit word displacement (+-256 KiB). The original wrote
 * a wrapped branch when the stub was farther; we refuse, naming the symbol.
 */
class HppaRangeTest {
    static final String AS = "hppa-linux-gnu-as";

    @TempDir
    Path tmp;

    @Test
    void callBeyondStubRangeIsAnErrorNamingTheSymbol() throws Exception {
        assumeTrue(GnuLd.available(AS), AS + " is not installed (Debian package binutils-hppa-linux-gnu)");
        Path obj = tmp.resolve("far.o");
        GnuLd.run(tmp, List.of(AS, "-o", obj.toString(), Paths.get("testdata/arch-hppa/far.s").toAbsolutePath().toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(new String[] {"--ksyms=testdata/oracle/ksyms/ksyms-hppa.txt", "--uname-release=2.4.27",
                "-n", obj.toString()}, new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.ISO_8859_1), Map.of());
        assertEquals(1, rc);
        assertEquals(obj + ": Relocation overflow of type 12 for printk (stub out of branch range)\n",
                err.toString(StandardCharsets.ISO_8859_1));
    }
}
