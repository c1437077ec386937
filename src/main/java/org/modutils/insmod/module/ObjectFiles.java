package org.modutils.insmod.module;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.modutils.insmod.elf.ElfSource;

/** Opening a module object as the original did: plain, or gzip by its magic number (zlib's gzopen). */
public final class ObjectFiles {
    /**
     * How much larger than the image limit the object file may be (after decompression): debug
     * information makes objects much larger than what is loaded, a gzip bomb or /dev/zero only
     * larger still.
     */
    public static final long OBJECT_FACTOR = 16;

    private ObjectFiles() {}

    /**
     * Opens the module file, inflating gzip by its magic number; null when the file, or what it
     * inflates to, is larger than {@code max} bytes. A plain regular file is read in place, piece
     * by piece as the linker needs it, so a large module is never held whole in memory; the caller
     * closes what is returned.
     */
    public static ElfSource open(Path path, long max) throws IOException {
        byte[] raw;
        if (Files.isRegularFile(path) && Files.size(path) <= max) {
            ElfSource file = ElfSource.open(path);
            boolean keep = false;
            try {
                if (file.size() > max) {
                    return null;
                }
                byte[] magic = file.head(2);
                if (!gzip(magic)) {
                    keep = true;
                    return file;
                }
                raw = new byte[(int) file.size()];
                file.read(0, raw, 0, raw.length);
            } finally {
                if (!keep) {
                    file.close();
                }
            }
        } else {
            try (InputStream in = Files.newInputStream(path)) {
                raw = readAtMost(in, max);
            }
        }
        if (raw != null && gzip(raw)) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                raw = readAtMost(in, max);
            }
        }
        return raw == null ? null : ElfSource.of(raw);
    }

    private static boolean gzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    /** The whole stream, or null once it has given more than {@code max} bytes. */
    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > max) {
                return null;
            }
            bo.write(buf, 0, n);
        }
        return bo.toByteArray();
    }

    /** The module name: the base name without .o, .mod or .o.gz (and .ko forms). */
    public static String moduleNameOf(String filename) {
        int slash = filename.lastIndexOf('/');
        String p = slash >= 0 ? filename.substring(slash + 1) : filename;
        int len = p.length();
        for (String ext : new String[] {".o", ".mod", ".o.gz", ".ko", ".ko.gz", ".ko.xz", ".ko.zst"}) {
            if (len > ext.length() && p.endsWith(ext)) {
                return p.substring(0, len - ext.length());
            }
        }
        return p;
    }
}
