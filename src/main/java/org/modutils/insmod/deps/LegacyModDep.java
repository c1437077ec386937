package org.modutils.insmod.deps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.modutils.insmod.config.ConfigLines;
import org.modutils.insmod.report.UserError;
import org.modutils.insmod.sys.IoReasons;

/**
 * A modules.dep in modutils 2.4's layout, as its modprobe reads it ({@code read_depfile}): logical
 * lines as in modules.conf (comments, {@code \} continuations), {@code PATH: DEP DEP...}; each
 * module is known by its key, the file name without directory and {@code .o}, {@code .mod} or
 * {@code .o.gz}. The list starts with the pseudo-module {@code null}, as the original's.
 */
public final class LegacyModDep {
    /** One entry: its key, its path as written, its dependencies in order. */
    public record Node(String key, String path, List<Node> deps) {}

    private final List<Node> nodes;

    private LegacyModDep(List<Node> nodes) {
        this.nodes = nodes;
    }

    /**
     * Reads the file. A missing or unreadable file is {@code Can't open dependencies file F
     * (REASON)}, a line without a colon {@code line N: Invalid dependency\n\tLINE}.
     */
    public static LegacyModDep read(Path file) throws UserError {
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node("null", "null", List.of()));
        try (BufferedReader br = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file), StandardCharsets.ISO_8859_1))) {
            ConfigLines lines = new ConfigLines(br);
            String l;
            while ((l = lines.next()) != null) {
                String line = l.strip();
                if (line.isEmpty()) continue;
                int colon = 0;
                while (colon < line.length() && line.charAt(colon) != ':' && !Character.isWhitespace(line.charAt(colon))) {
                    colon++;
                }
                if (colon >= line.length() || line.charAt(colon) != ':') {
                    throw new UserError("line " + lines.lineno() + ": Invalid dependency\n\t" + line);
                }
                String path = line.substring(0, colon);
                List<Node> deps = new ArrayList<>();
                for (String d : line.substring(colon + 1).trim().split("[\\x00-\\x20]+")) {
                    if (!d.isEmpty()) deps.add(new Node(stripo(d), d, List.of()));
                }
                nodes.add(new Node(stripo(path), path, List.copyOf(deps)));
            }
        } catch (IOException e) {
            throw new UserError("Can't open dependencies file " + file + " (" + IoReasons.of(e) + ")");
        }
        return new LegacyModDep(List.copyOf(nodes));
    }

    /** stripo: the file name without its directory and without {@code .o}, {@code .mod}, {@code .o.gz}. */
    public static String stripo(String fname) {
        String base = fname.substring(fname.lastIndexOf('/') + 1);
        for (String suffix : new String[] {".o", ".mod", ".o.gz"}) {
            if (base.length() > suffix.length() && base.endsWith(suffix)) {
                return base.substring(0, base.length() - suffix.length());
            }
        }
        return base;
    }

    /** lookup: the entry written with this path. */
    public Optional<Node> byPath(String path) {
        return nodes.stream().filter(n -> n.path().equals(path)).findFirst();
    }

    /** lookup_key: the first entry with this key at or after index {@code from}. */
    public Optional<Node> byKey(String key, int from) {
        for (int i = from; i < nodes.size(); i++) if (nodes.get(i).key().equals(key)) return Optional.of(nodes.get(i));
        return Optional.empty();
    }

    /** The next entry with the same key as {@code n}, for trying another file of the same name. */
    public Optional<Node> nextWithSameKey(Node n) {
        int i = nodes.indexOf(n);
        return i < 0 ? Optional.empty() : byKey(n.key(), i + 1);
    }
}
