package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The indexes of modules built into the kernel: modules.builtin.bin (each name listed in
 * modules.builtin) and modules.builtin.alias.bin (the aliases in modules.builtin.modinfo,
 * "module.key=value" strings separated by NULs).
 */
final class Builtin {
    private Builtin() {}

    static byte[] index(String dir, DepmodLog log) {
        byte[] text = read(dir, "modules.builtin", log);
        IndexWriter idx = new IndexWriter();
        if (text == null) return new byte[0];
        String all = new String(text, StandardCharsets.UTF_8);
        int start = 0;
        while (start < all.length()) {
            int nl = all.indexOf('\n', start);
            String line = nl < 0 ? all.substring(start) : all.substring(start, nl + 1);
            start = nl < 0 ? all.length() : nl + 1;
            if (line.isEmpty() || !Character.isLetter(line.charAt(0)) || line.charAt(0) > 127) {
                log.error("Invalid modules.builtin line: " + line.replace("\n", ""));
                continue;
            }
            idx.insert(Mod.nameOf(line.replace("\n", "")), "", 0);
        }
        return idx.toBytes();
    }

    static byte[] aliasIndex(String dir, DepmodLog log) {
        byte[] text = read(dir, "modules.builtin.modinfo", log);
        if (text == null) return new byte[0];
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        int at = 0;
        while (at < text.length) {
            int z = at;
            while (z < text.length && text[z] != 0) z++;
            String entry = new String(text, at, z - at, StandardCharsets.UTF_8);
            at = z + 1;
            int dot = entry.indexOf('.');
            if (dot <= 0) continue;
            List<String> list = aliases.computeIfAbsent(entry.substring(0, dot), k -> new ArrayList<>());
            if (entry.startsWith("alias=", dot + 1)) list.add(entry.substring(dot + 1 + "alias=".length()));
        }
        IndexWriter idx = new IndexWriter();
        int count = 0;
        for (Map.Entry<String, List<String>> e : aliases.entrySet()) {
            for (String a : e.getValue()) {
                String key = Aliases.normalize(a);
                if (key == null) {
                    log.warning("Unmatched bracket in " + a);
                    continue;
                }
                idx.insert(key, e.getKey(), 0);
                count++;
            }
        }
        return count == 0 ? new byte[0] : idx.toBytes();
    }

    private static byte[] read(String dir, String name, DepmodLog log) {
        try {
            return Files.readAllBytes(Path.of(dir, name));
        } catch (IOException e) {
            log.warning("could not open " + name + " at " + dir + ": " + DepmodLog.reason(e));
            return null;
        }
    }
}
