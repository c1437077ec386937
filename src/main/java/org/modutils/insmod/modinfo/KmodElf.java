package org.modutils.insmod.modinfo;

import java.util.ArrayList;
import java.util.List;

/**
 * The ELF checks and the {@code .modinfo} split of libkmod (kmod_elf_new, kmod_elf_get_strings),
 * so a damaged module fails with the errno kmod's modinfo reports: ENOEXEC for a file that is
 * not ELF, EINVAL for a broken header or section table, ENOENT when there is no .modinfo.
 */
final class KmodElf {
    static final int ENOEXEC = 8;
    static final int EINVAL = 22;
    static final int ENOENT = 2; // kmod 30 reports a missing section so (later kmods: ENODATA)

    /** A failure carrying the errno kmod would report. */
    static final class Failure extends Exception {
        final int errno;

        Failure(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    private final byte[] m;
    private final boolean x32;
    private final boolean msb;
    private final long shoff;
    private final int shnum;
    private final int shentsize;
    private long strOff;
    private long strSize;

    /** Checks {@code m} as kmod_elf_new does. */
    KmodElf(byte[] m) throws Failure {
        this.m = m;
        if (m.length <= 16 || m[0] != 0x7f || m[1] != 'E' || m[2] != 'L' || m[3] != 'F') throw new Failure(ENOEXEC);
        if (m[4] == 1) {
            if (m.length <= 52) throw new Failure(EINVAL);
            x32 = true;
        } else if (m[4] == 2) {
            if (m.length <= 64) throw new Failure(EINVAL);
            x32 = false;
        } else {
            throw new Failure(EINVAL);
        }
        if (m[5] != 1 && m[5] != 2) throw new Failure(EINVAL);
        msb = m[5] == 2;
        shoff = x32 ? uint(0x20, 4) : uint(0x28, 8);
        shentsize = (int) uint(x32 ? 0x2e : 0x3a, 2);
        shnum = (int) uint(x32 ? 0x30 : 0x3c, 2);
        int shstrndx = (int) uint(x32 ? 0x32 : 0x3e, 2);
        if (shentsize != (x32 ? 40 : 64)) throw new Failure(EINVAL);
        long need = (long) shentsize * shnum;
        if (shoff < 0 || shoff + need < shoff || shoff + need > m.length) throw new Failure(EINVAL);
        long[] strs = sectionInfo(shstrndx);
        if (strs == null) throw new Failure(EINVAL);
        strOff = strs[0];
        strSize = strs[1];
        if (strSize == 0 || strOff >= m.length || m[(int) (strOff + strSize - 1)] != 0) throw new Failure(EINVAL);
    }

    private long uint(long at, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            int b = m[(int) at + (msb ? i : size - 1 - i)] & 0xff;
            v = (v << 8) | b;
        }
        return v;
    }

    /** {offset, size, nameoff} of section {@code idx}, or null when it is 0, out of range or outside the file. */
    private long[] sectionInfo(int idx) {
        if (idx == 0 || idx >= shnum) return null;
        long at = shoff + (long) idx * shentsize;
        long size = x32 ? uint(at + 20, 4) : uint(at + 32, 8);
        long off = x32 ? uint(at + 16, 4) : uint(at + 24, 8);
        long name = uint(at, 4);
        if (off < 0 || size < 0 || off + size < off || off + size > m.length) return null;
        return new long[] {off, size, name};
    }

    private boolean nameIs(long nameoff, String want) {
        if (nameoff >= strSize) return false;
        int at = (int) (strOff + nameoff);
        for (int i = 0; i < want.length(); i++, at++) if (m[at] != want.charAt(i)) return false;
        return m[at] == 0;
    }

    /** {offset, size} of the section called {@code name}, or null (kmod_elf_get_section). */
    long[] section(String name) {
        for (int i = 1; i < shnum; i++) {
            long[] s = sectionInfo(i);
            if (s != null && nameIs(s[2], name)) return new long[] {s[0], s[1]};
        }
        return null;
    }

    boolean is32() {
        return x32;
    }

    /** An unsigned value of {@code size} bytes at {@code at}, in the file's byte order. */
    long value(long at, int size) {
        return uint(at, size);
    }

    /** The strings of {@code .modinfo} as libkmod splits them: runs of NULs separate, empty strings vanish. */
    static List<String> modinfoStrings(byte[] module) throws Failure {
        long[] s = new KmodElf(module).section(".modinfo");
        if (s == null) throw new Failure(ENOENT);
        return split(module, (int) s[0], (int) s[1]);
    }

    static List<String> split(byte[] b, int off, int size) {
        List<String> out = new ArrayList<>();
        int i = off, end = off + size;
        while (i < end) {
            while (i < end && b[i] == 0) i++;
            int start = i;
            while (i < end && b[i] != 0) i++;
            if (i > start) out.add(new String(b, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return out;
    }
}
