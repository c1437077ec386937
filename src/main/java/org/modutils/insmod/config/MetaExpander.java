package org.modutils.insmod.config;

import org.modutils.insmod.report.Report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Word expansion of config-file values, with the rules of modutils {@code util/meta_expand.c}
 * (built without wordexp, with glob):
 *
 * <ol>
 * <li>{@code `uname -r`} and {@code `kernelversion`} are replaced by the release and its
 *     "major.minor" without running anything;</li>
 * <li>text without any shell meta-character is split at blanks;</li>
 * <li>text whose only specials are quotes and backslashes is split into words with one level
 *     of quotes removed; text whose only special is {@code =} is split as is;</li>
 * <li>text whose only specials are glob characters ({@code * ? [ ]}) is globbed (sorted);</li>
 * <li>anything else (and a glob that matches nothing) goes through
 *     {@code /bin/sh -c '/bin/echo "TEXT"'}, so {@code $VAR}, {@code ${VAR}} and other
 *     backquoted commands expand as in the shell; the output is split into words with one level
 *     of quotes removed.</li>
 * </ol>
 */
public final class MetaExpander {
    /** The original's SHELL_META. */
    static final String SHELL_META = "&();|<>$`\"'\\!{}[]~=+:?*";

    /** True when {@code s} holds one of the original's SHELL_META characters (a pattern, not a plain name). */
    public static boolean hasShellMeta(String s) {
        return hasAny(s, SHELL_META);
    }

    private final String release;
    private final Map<String, String> env;
    private final Report out;

    MetaExpander(String release, Map<String, String> env, Report out) {
        this.release = release;
        this.env = env;
        this.out = out;
    }

    static boolean hasAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** True when the only specials in {@code s} are glob characters. */
    static boolean globOnly(String s) {
        return !hasAny(s, "&();|<>$`\"'\\!{}~=+:") && hasAny(s, "[]?*");
    }

    /** Expands {@code text}; null when a command could not be run (the original's -1). */
    List<String> expand(String text) {
        return expand(text, "");
    }

    /**
     * Expands {@code text}; every resulting word that is an absolute path gets {@code prefix}
     * (the root, for path lines) in front, and a glob pattern is matched inside the root.
     * Returns the words, possibly none, or null when the shell could not be started.
     */
    List<String> expand(String text, String prefix) {
        String pt = builtinCommands(text);
        if (!hasAny(pt, SHELL_META)) {
            List<String> words = new ArrayList<>();
            for (String w : pt.split("[ \t\n]+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
            return rooted(words, prefix);
        }
        if (!hasAny(pt, "&();|<>$`!{}[]~=+:?*") && hasAny(pt, "\"'\\")) {
            return rooted(splitLine(pt, true), prefix);
        }
        if (!hasAny(pt, "&();|<>$`\"'\\!{}~+:[]~?*")) {
            return rooted(splitLine(pt, false), prefix); // only '=' left: module options
        }
        if (globOnly(pt)) {
            List<String> g = glob(pt.startsWith("/") ? prefix + pt : pt);
            if (!g.isEmpty()) {
                return g;
            }
        }
        List<String> echoed = echo(pt);
        return echoed == null ? null : rooted(echoed, prefix);
    }

    private static List<String> rooted(List<String> words, String prefix) {
        if (prefix.isEmpty()) {
            return words;
        }
        List<String> out = new ArrayList<>(words.size());
        for (String w : words) {
            out.add(w.startsWith("/") ? prefix + w : w);
        }
        return out;
    }

    private String builtinCommands(String pt) {
        int p;
        while ((p = pt.indexOf('`')) >= 0) {
            int s = p + 1;
            while (s < pt.length() && Character.isWhitespace(pt.charAt(s))) {
                s++;
            }
            String value;
            if (pt.startsWith("uname -r", s)) {
                value = release;
            } else if (pt.startsWith("kernelversion", s)) {
                value = ConfigContext.kernelVersion(release);
            } else {
                break;
            }
            int close = pt.indexOf('`', s);
            if (close < 0) {
                break;
            }
            pt = pt.substring(0, p) + value + pt.substring(close + 1);
        }
        return pt;
    }

    /** The original's split_line: blanks separate words, quotes group, optionally stripped. */
    static List<String> splitLine(String line, boolean stripQuotes) {
        List<String> words = new ArrayList<>();
        int n = line.length();
        int e = 0;
        while (e < n) {
            while (e < n && Character.isWhitespace(line.charAt(e))) {
                e++;
            }
            StringBuilder d = new StringBuilder();
            for (; e < n && !Character.isWhitespace(line.charAt(e)); e++) {
                char c = line.charAt(e);
                if (c == '\\') {
                    if (!stripQuotes) {
                        d.append(c);
                    }
                } else if (c == '"' || c == '\'') {
                    char match = c;
                    if (!stripQuotes) {
                        d.append(c);
                    }
                    for (e++; e < n && line.charAt(e) != match; e++) {
                        d.append(line.charAt(e));
                        if (line.charAt(e) == '\\' && e + 1 < n && line.charAt(e + 1) == match) {
                            d.append(line.charAt(++e));
                        }
                    }
                    if (!stripQuotes && e < n) {
                        d.append(line.charAt(e));
                    }
                    if (e >= n) {
                        break;
                    }
                } else {
                    d.append(c);
                }
            }
            if (d.length() > 0) {
                words.add(d.toString());
            }
        }
        return words;
    }

    /** glob(3) of an absolute or relative pattern; sorted; empty when nothing matches. */
    static List<String> glob(String pattern) {
        boolean absolute = pattern.startsWith("/");
        String[] parts = pattern.split("/+");
        List<String> current = new ArrayList<>();
        current.add(absolute ? "/" : "");
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            List<String> next = new ArrayList<>();
            for (String base : current) {
                expand(base, part, next);
            }
            current = next;
            if (current.isEmpty()) {
                return List.of();
            }
        }
        // A match that itself holds meta-characters is refused, as in the original.
        for (String c : current) {
            if (hasAny(c, SHELL_META)) {
                return List.of();
            }
        }
        return current;
    }

    /** One step of {@link #glob}: what {@code base/part} names, added to {@code next} sorted. */
    private static void expand(String base, String part, List<String> next) {
        String dir = base.isEmpty() ? "." : base;
        String joined = base.isEmpty() ? "" : (base.endsWith("/") ? base : base + "/");
        if (!hasAny(part, "[]?*")) {
            String candidate = joined + part;
            try {
                if (Files.exists(Path.of(candidate.isEmpty() ? "." : candidate))) {
                    next.add(candidate);
                }
            } catch (RuntimeException unrepresentable) {
                // a name with a NUL in it cannot exist
            }
            return;
        }
        PathMatcher m;
        try {
            m = FileSystems.getDefault().getPathMatcher("glob:" + part);
        } catch (RuntimeException bad) {
            return; // malformed bracket expression: no match
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(dir))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && !part.startsWith(".")) {
                    continue;
                }
                if (m.matches(Path.of(name))) {
                    names.add(name);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return;
        }
        names.sort(null);
        for (String name : names) {
            next.add(joined + name);
        }
    }

    private List<String> echo(String text) {
        StringBuilder cmd = new StringBuilder("/bin/echo \"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                cmd.append('\\');
            }
            cmd.append(c);
        }
        cmd.append('"');
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", cmd.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            Process proc = pb.start();
            byte[] output;
            try (InputStream in = proc.getInputStream()) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                output = buf.toByteArray();
            }
            proc.waitFor();
            return splitLine(new String(output, StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            out.error("Can't execute: " + cmd);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.error("Can't execute: " + cmd);
            return null;
        }
    }
}
