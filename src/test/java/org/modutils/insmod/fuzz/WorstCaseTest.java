package org.modutils.insmod.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.modutils.insmod.elf.ElfLimits;

/**
 * An i386 object at every limit of {@link ElfLimits} at once (sections, symbols, relocations),
 * all of it valid, links through the whole -n -m -O path within the fuzzers' rules: under a
 * second of CPU and memory a small multiple of the file. Every global is exported (export-all),
 * the costliest path.
 */
class WorstCaseTest {
    static byte[] object(int sections, int symbols, int relocs) {
        ByteArrayOutputStream shstr = new ByteArrayOutputStream();
        String[] names = {"", ".a", ".symtab", ".strtab", ".shstrtab", ".rel.a", ".modinfo"};
        int[] nameAt = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            nameAt[i] = shstr.size();
            shstr.writeBytes((names[i] + "\0").getBytes(StandardCharsets.ISO_8859_1));
        }
        ByteArrayOutputStream str = new ByteArrayOutputStream();
        str.write(0);
        ByteBuffer sym = ByteBuffer.allocate(16 * (symbols + 1)).order(ByteOrder.LITTLE_ENDIAN);
        sym.position(16);
        for (int k = 0; k < symbols; k++) {
            sym.putInt(str.size()).putInt(0).putInt(0).put((byte) 0x10).put((byte) 0).putShort((short) (1 + k % sections));
            str.writeBytes(("sym_" + k + "\0").getBytes(StandardCharsets.ISO_8859_1));
        }
        ByteBuffer rel = ByteBuffer.allocate(8 * relocs).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < relocs; k++) {
            rel.putInt(0).putInt(((1 + k % symbols) << 8) | 1); // R_386_32 at offset 0 of .a #1
        }
        byte[] modinfo = "kernel_version=2.4.27\0license=GPL\0".getBytes(StandardCharsets.ISO_8859_1);
        byte[][] blobs = {new byte[16], sym.array(), str.toByteArray(), shstr.toByteArray(), rel.array(), modinfo};
        int[] at = new int[blobs.length];
        int pos = 52;
        for (int i = 0; i < blobs.length; i++) {
            pos = (pos + 3) & ~3;
            at[i] = pos;
            pos += blobs[i].length;
        }
        int shoff = (pos + 3) & ~3;
        int shnum = sections + 6;
        ByteBuffer b = ByteBuffer.allocate(shoff + 40 * shnum).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1}).position(16);
        b.putShort((short) 1).putShort((short) 3).putInt(1).putInt(0).putInt(0).putInt(shoff).putInt(0)
                .putShort((short) 52).putShort((short) 0).putShort((short) 0).putShort((short) 40)
                .putShort((short) shnum).putShort((short) (sections + 3));
        for (int i = 0; i < blobs.length; i++) {
            b.put(at[i], blobs[i]);
        }
        b.position(shoff + 40);
        for (int i = 0; i < sections; i++) {
            b.putInt(nameAt[1]).putInt(1).putInt(6).putInt(0).putInt(at[0]).putInt(16).putInt(0).putInt(0).putInt(4).putInt(0);
        }
        b.putInt(nameAt[2]).putInt(2).putInt(0).putInt(0).putInt(at[1]).putInt(blobs[1].length).putInt(sections + 2)
                .putInt(1).putInt(4).putInt(16);
        b.putInt(nameAt[3]).putInt(3).putInt(0).putInt(0).putInt(at[2]).putInt(blobs[2].length).putInt(0).putInt(0)
                .putInt(1).putInt(0);
        b.putInt(nameAt[4]).putInt(3).putInt(0).putInt(0).putInt(at[3]).putInt(blobs[3].length).putInt(0).putInt(0)
                .putInt(1).putInt(0);
        b.putInt(nameAt[5]).putInt(9).putInt(0).putInt(0).putInt(at[4]).putInt(blobs[4].length).putInt(sections + 1)
                .putInt(1).putInt(4).putInt(8);
        b.putInt(nameAt[6]).putInt(1).putInt(2).putInt(0).putInt(at[5]).putInt(blobs[5].length).putInt(0).putInt(0)
                .putInt(1).putInt(0);
        return b.array();
    }

    @Test
    void aLargeHostileObjectLinksWithinTheBudget() {
        // At the section limit (the one quadratic dimension), with 8191 symbols and 2^18
        // relocations: twice the largest real module's symbols, a hundred times its relocations.
        byte[] obj = object(ElfLimits.MAX_SECTIONS - 6, (1 << 13) - 1, 1 << 18);
        FuzzHarness.Outcome o = FuzzHarness.insmod(obj, FuzzHarness.KSYMS32, List.of(), List.of(), obj.length);
        assertEquals(0, o.rc(), o.err());
    }
}
