package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * The configuration directories of depmod and modprobe: their files by base name (a name already
 * seen in an earlier directory is skipped), and each file's logical lines (physical lines joined
 * at a trailing backslash). The two tools differ only in which entries they take and in their words.
 */
final class ConfigFiles {
    private ConfigFiles() {}

    /** Whether a tool takes a directory's entry; it says why it passes one over, if it does. */
    interface Filter {
        boolean take(Path dir, String name, Path file);
    }

    /** What a tool does when a directory cannot be read. */
    interface Unreadable {
        void failed(Path dir, IOException e);
    }

    /** A logical line and the number of its last physical line. */
    interface LineSink {
        void line(int number, String text);
    }

    /**
     * Adds {@code dir}'s entries that {@code filter} takes to {@code files} (a file given as
     * {@code dir} is taken as it is; a missing one is nothing); a directory that cannot be read
     * goes to {@code unreadable}.
     */
    static void list(Path dir, TreeMap<String, Path> files, Filter filter, Unreadable unreadable) {
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir)) {
            files.putIfAbsent(dir.getFileName().toString(), dir);
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String name = f.getFileName().toString();
                if (!name.startsWith(".") && filter.take(dir, name, f)) files.putIfAbsent(name, f);
            }
        } catch (IOException e) {
            unreadable.failed(dir, e);
        }
    }

    /**
     * Gives {@code file}'s logical lines to {@code sink}; a last line that ends in a backslash
     * counts only when {@code unfinishedCounts}.
     */
    static void lines(Path file, boolean unfinishedCounts, LineSink sink) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        int number = 0;
        StringBuilder joined = new StringBuilder();
        for (String raw : lines) {
            number++;
            if (raw.endsWith("\\")) {
                joined.append(raw, 0, raw.length() - 1);
                continue;
            }
            joined.append(raw);
            String line = joined.toString();
            joined.setLength(0);
            sink.line(number, line);
        }
        if (unfinishedCounts && joined.length() > 0) sink.line(number, joined.toString());
    }
}
