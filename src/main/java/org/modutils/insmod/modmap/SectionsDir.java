package org.modutils.insmod.modmap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.modutils.insmod.sys.IoReasons;

/**
 * A copy of {@code /sys/module/NAME/sections} as {@code cp -r} makes it: one regular file per
 * loaded section, named after the section, holding its address as the kernel prints it
 * ({@code 0x} and hex digits, one line).
 */
public final class SectionsDir {
    private SectionsDir() {}

    /** What one section file may hold: the kernel writes "0x%px\n", a copy may lose the newline. */
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{1,16}\n?");

    /** Larger than any address line: a bigger file is not a section address. */
    private static final int MAX_FILE = 64;

    /** Section name -> address, in name order. */
    public static Map<String, Long> read(Path dir) throws MapException {
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = new ArrayList<>(list.toList());
        } catch (IOException e) {
            throw new MapException(dir + ": " + IoReasons.of(e));
        }
        Collections.sort(files);
        Map<String, Long> out = new LinkedHashMap<>();
        for (Path f : files) {
            out.put(f.getFileName().toString(), address(f));
        }
        if (out.isEmpty()) {
            throw new MapException(dir + ": no section addresses (expected a copy of /sys/module/NAME/sections)");
        }
        return out;
    }

    private static long address(Path f) throws MapException {
        if (!Files.isRegularFile(f)) {
            throw new MapException(f + ": not a section address file (a copy of /sys/module/NAME/sections "
                    + "holds only files)");
        }
        byte[] b;
        try {
            if (Files.size(f) > MAX_FILE) {
                throw new MapException(f + ": not a section address (0x followed by hex digits)");
            }
            b = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new MapException(f + ": " + IoReasons.of(e));
        }
        String s = new String(b, StandardCharsets.ISO_8859_1);
        if (!ADDRESS.matcher(s).matches()) {
            throw new MapException(f + ": not a section address (0x followed by hex digits)");
        }
        return Long.parseUnsignedLong(s.strip().substring(2), 16);
    }
}
