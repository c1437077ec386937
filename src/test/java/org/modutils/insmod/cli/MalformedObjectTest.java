package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.Endian;

/** Damaged objects give one line on stderr, exit status 1, and no -O file. */
class MalformedObjectTest {
    static final Path HELLO = Paths.get("testdata/oracle/i386/obj/hello.o");

    @TempDir
    Path tmp;

    record Outcome(int rc, String out, String err, boolean blobWritten) {}

    Outcome run(byte[] object) throws Exception {
        Path obj = tmp.resolve("bad.o");
        Files.write(obj, object);
        Path blob = tmp.resolve("blob.bin");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(new String[] {"--ksyms=testdata/oracle/ksyms/ksyms32.txt", "--uname-release=2.4.27",
                "-n", "-m", "-O", blob.toString(), obj.toString()}, new PrintStream(out, true),
                new PrintStream(err, true), Map.of());
        return new Outcome(rc, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1),
                Files.exists(blob));
    }

    static byte[] hello() throws Exception {
        return Files.readAllBytes(HELLO);
    }

    static ElfSection section(byte[] b, String name) throws Exception {
        ElfFile e = ElfFile.parse("x", b);
        for (int i = 0; i < e.sectionCount(); i++) {
            if (e.section(i).name().equals(name)) {
                return e.section(i);
            }
        }
        throw new AssertionError(name);
    }

    void assertRefused(UnaryOperator<byte[]> damage, String expectedText) throws Exception {
        Outcome o = run(damage.apply(hello()));
        assertEquals(1, o.rc(), o.err());
        String[] lines = o.err().split("\n");
        assertEquals(1, lines.length, "exactly one line: " + o.err());
        assertTrue(lines[0].startsWith(tmp.resolve("bad.o") + ": "), lines[0]);
        assertTrue(lines[0].contains(expectedText), lines[0]);
        assertFalse(o.err().contains("Exception"), o.err());
        assertFalse(o.blobWritten(), "no -O file on error");
        assertEquals("", o.out());
    }

    @Test
    void truncatedHeader() throws Exception {
        assertRefused(b -> Arrays.copyOf(b, 30), "cannot read ELF header from");
    }

    @Test
    void sectionTablePastEnd() throws Exception {
        assertRefused(b -> {
            Endian.put32(b, 32, b.length - 10, false);
            return b;
        }, "section header table extends past end of file");
    }

    @Test
    void badSectionNameIndex() throws Exception {
        assertRefused(b -> {
            int shoff = (int) Endian.u32(b, 32, false);
            Endian.put32(b, shoff + 40 * 1, 0x7fffff, false);
            return b;
        }, "bad name index");
    }

    @Test
    void badSymbolNameIndex() throws Exception {
        assertRefused(b -> {
            try {
                ElfSection symtab = section(b, ".symtab");
                Endian.put32(b, (int) symtab.offset() + 16 * 9, 0x7fffff, false);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return b;
        }, "bad name index");
    }

    @Test
    void relocationOutsideItsSection() throws Exception {
        assertRefused(b -> {
            try {
                ElfSection rel = section(b, ".rel.text");
                Endian.put32(b, (int) rel.offset(), 0x10000, false);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return b;
        }, "lies outside section .text");
    }

    @Test
    void relocationAtTheLastBytesOfItsSection() throws Exception {
        // Inside the section, but the 4-byte field runs past its end.
        assertRefused(b -> {
            try {
                ElfSection rel = section(b, ".rel.text");
                Endian.put32(b, (int) rel.offset(), 0x50, false);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return b;
        }, "extends past the end of section .text");
    }

    @Test
    void symbolIndexOutOfRange() throws Exception {
        assertRefused(b -> {
            try {
                ElfSection rel = section(b, ".rel.text");
                Endian.put32(b, (int) rel.offset() + 4, (0xffff << 8) | 1, false);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return b;
        }, "Bad symbol index");
    }

    @Test
    void notElf() throws Exception {
        assertRefused(b -> "this is not an object file at all, just text padding".getBytes(), "is not an ELF file");
    }

    @Test
    void wrongClass() throws Exception {
        assertRefused(b -> {
            b[4] = 7;
            return b;
        }, "not for this architecture");
    }

    @Test
    void existingBlobIsKeptOnError() throws Exception {
        Path blob = tmp.resolve("blob.bin");
        Files.writeString(blob, "old");
        run(Arrays.copyOf(hello(), 30));
        assertEquals("old", Files.readString(blob));
    }
}
