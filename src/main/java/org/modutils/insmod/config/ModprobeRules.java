package org.modutils.insmod.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What modutils 2.4's modprobe takes from modules.conf besides the search list: the lists
 * {@code alias}, {@code options}, {@code above}, {@code below}, {@code probe}, {@code probeall}
 * (each NAME with its words, in the order the names first appeared; a later line for the same
 * NAME replaces its words, or adds to them after {@code add}; an {@code alias} line always
 * replaces), and the commands {@code pre-install install post-install pre-remove remove
 * post-remove} in file order. The built-in entries of modutils 2.4.16 (util/alias.h) come
 * first. {@code options -k NAME ...} marks NAME as not to be loaded with autoclean.
 */
public final class ModprobeRules {
    /** The lists, in the order {@code modprobe -c} shows them; {@link #keyword()} is the modules.conf keyword. */
    public enum Kind {
        ABOVE, BELOW, ALIAS, OPTIONS, PROBE, PROBEALL;

        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Optional<Kind> of(String keyword) {
            for (Kind k : values()) if (k.keyword().equals(keyword)) return Optional.of(k);
            return Optional.empty();
        }
    }

    /** When a command runs; {@link #keyword()} is its modules.conf keyword. */
    public enum When {
        PRE_INSTALL, INSTALL, POST_INSTALL, PRE_REMOVE, REMOVE, POST_REMOVE;

        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        static Optional<When> of(String keyword) {
            for (When w : values()) if (w.keyword().equals(keyword)) return Optional.of(w);
            return Optional.empty();
        }
    }

    /** One list entry: NAME, its expanded words, and false after {@code options -k}. */
    public record Entry(String name, List<String> words, boolean autoclean) {}

    /** One command line: when, the module name as written, the rest of the line. */
    public record Exec(When when, String module, String command) {}

    private final Map<Kind, LinkedHashMap<String, Entry>> lists = new EnumMap<>(Kind.class);
    private final List<Exec> execs = new ArrayList<>();

    ModprobeRules() {
        for (Kind k : Kind.values()) lists.put(k, new LinkedHashMap<>());
    }

    /** The rules with modutils' built-in entries only. */
    static ModprobeRules defaults() {
        ModprobeRules r = new ModprobeRules();
        try (InputStream in = ModprobeRules.class.getResourceAsStream("modprobe24-defaults.txt");
             BufferedReader br = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = br.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                Words w = Words.next(line);
                Words n = Words.next(w.rest);
                Kind k = Kind.of(w.word).orElseThrow();
                r.put(k, n.word, List.of(n.rest.split(" ")), true, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r;
    }

    /** decode_list: NAME WORDS... ({@code -k NAME} for options); false when -k has no module after it. */
    boolean decode(Kind kind, String arg, boolean adding, MetaExpander meta) {
        Words w = Words.next(arg);
        boolean autoclean = true;
        boolean ok = true;
        if (kind == Kind.OPTIONS && w.word.equals("-k")) {
            ok = !w.rest.isEmpty();
            w = Words.next(w.rest);
            autoclean = false;
        }
        List<String> g = meta.expand(w.rest);
        put(kind, w.word, g == null ? List.of() : g, autoclean, adding && kind != Kind.ALIAS);
        return ok;
    }

    private void put(Kind kind, String name, List<String> words, boolean autoclean, boolean adding) {
        LinkedHashMap<String, Entry> list = lists.get(kind);
        Entry old = list.get(name);
        if (old == null) {
            list.put(name, new Entry(name, List.copyOf(words), autoclean));
            return;
        }
        List<String> merged = new ArrayList<>(adding ? old.words() : List.of());
        merged.addAll(words);
        list.put(name, new Entry(name, List.copyOf(merged), old.autoclean() && autoclean));
    }

    /** decode_exec: MODULE COMMAND. */
    void exec(When when, String arg) {
        Words w = Words.next(arg);
        execs.add(new Exec(when, w.word, w.rest));
    }

    /** The entry of a list for NAME. */
    public Optional<Entry> get(Kind kind, String name) {
        return Optional.ofNullable(lists.get(kind).get(name));
    }

    /** A list's entries in their order. */
    public List<Entry> entries(Kind kind) {
        return List.copyOf(lists.get(kind).values());
    }

    /** Every command, in file order. */
    public List<Exec> execs() {
        return Collections.unmodifiableList(execs);
    }

    /** exec_cmd: the first command of this kind for the module, if any. */
    public Optional<String> command(When when, String module) {
        for (Exec e : execs) if (e.when() == when && e.module().equals(module)) return Optional.of(e.command());
        return Optional.empty();
    }
}
