package org.modutils.insmod.modinfo;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.modern.Compression;

/** Reads a 2.6+ module file (plain, gzip, xz or zstd by magic number) into what kmod's modinfo shows. */
public final class KoReader {
    private KoReader() {}

    /** libkmod's module name for a path: the base name up to the first '.', '-' as '_'. */
    public static String nameOf(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        return (dot >= 0 ? base.substring(0, dot) : base).replace('-', '_');
    }

    /** The module bytes, decompressed by magic number. */
    public static byte[] load(Path file) throws ModinfoException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModinfoException(Errno.ENOENT);
        } catch (AccessDeniedException e) {
            throw new ModinfoException(13);
        } catch (IOException | OutOfMemoryError e) {
            throw new ModinfoException(Errno.EIO);
        }
        if (raw.length == 0) throw new ModinfoException(Errno.EINVAL); // mmap of 0 bytes
        Compression c = Compression.detect(raw);
        try {
            return c.decompress(raw);
        } catch (IOException | RuntimeException e) {
            throw new ModinfoException(Errno.EINVAL);
        }
    }

    /**
     * The fields of a module whose bytes are {@code module}: the .modinfo strings (a string without
     * '=' is both key and value, as libkmod has it), then the signature fields.
     */
    public static List<Field> fields(byte[] module) throws ModinfoException {
        List<String> strings;
        try {
            strings = KmodElf.modinfoStrings(module);
        } catch (KmodElf.Failure f) {
            throw new ModinfoException(f.errno);
        }
        List<Field> out = new ArrayList<>(strings.size() + 5);
        for (String s : strings) {
            int eq = s.indexOf('=');
            out.add(eq < 0 ? new Field(s, s) : new Field(s.substring(0, eq), s.substring(eq + 1)));
        }
        out.addAll(SignatureFields.of(module));
        return out;
    }
}
