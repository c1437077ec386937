package org.modutils.insmod.config;

import org.modutils.insmod.report.Report;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.modutils.insmod.sys.IoReasons;

/**
 * The recursive part of the module search, after modutils {@code util/xftw.c}.
 *
 * <p>Every directory is read and sorted by name. A directory is "type 1" when it was on the
 * search list, holds a sub-directory with one of the known type names, and does not end in
 * {@code /kernel}; otherwise it is "type 2". In a type 1 directory the prune list is applied,
 * then the known sub-directories are walked in the historical order of the type list
 * (2.4.26's fix; 2.4.16 walked them alphabetically), then the other sub-directories
 * alphabetically, then the remaining entries are offered to the visitor. A type 2 directory
 * offers itself and then each entry in order, descending into sub-directories, to at most 64
 * levels. Symbolic links are resolved before the visitor sees them (so it sees the real path,
 * dangling links are skipped silently) and are never descended into.
 */
final class TreeWalk {
    /** Receives regular files and directories; returns true to stop the walk. */
    interface Visitor {
        boolean visit(String path, FileStat stat);
    }

    /** The walk ran to its end. */
    static final int DONE = 0;
    /** The visitor stopped it, or a directory could not be read (the original stops then too). */
    static final int STOPPED = 1;
    /** The start was not a directory or its link could not be resolved. */
    static final int FAILED = -1;

    private static final int MAXDEPTH = 64;

    private final List<String> types;
    private final List<String> prune;
    private final Report out;

    TreeWalk(List<String> types, List<String> prune, Report out) {
        this.types = types;
        this.prune = prune;
        this.out = out;
    }

    private record Entry(String name, String fullname, FileStat stat) {}

    int walk(String directory, Visitor v) {
        FileStat st;
        try {
            st = FileStat.of(directory, false);
        } catch (IOException e) {
            return DONE; // a missing search directory is not an error
        }
        if (st.isLink()) {
            try {
                directory = FileStat.path(directory).toRealPath().toString();
                st = FileStat.of(directory, false);
            } catch (NoSuchFileException e) {
                return DONE;
            } catch (IOException e) {
                out.warning(directory + ": " + IoReasons.of(e));
                return FAILED;
            }
        }
        if (!st.isDirectory()) {
            out.error(directory + " is not a directory");
            return FAILED;
        }
        List<Entry> entries = readdir(directory);
        if (entries == null) {
            return STOPPED;
        }
        return isType1(directory, entries) ? type1(entries, v) : type2(directory, 0, v);
    }

    /** A "type 1" directory: not .../kernel and holding a directory named after a type. */
    private boolean isType1(String directory, List<Entry> entries) {
        String trimmed = directory.endsWith("/") ? directory.substring(0, directory.length() - 1) : directory;
        if (trimmed.endsWith("/kernel")) {
            return false;
        }
        for (Entry e : entries) {
            if (e.stat.isDirectory() && types.contains(e.name)) {
                return true;
            }
        }
        return false;
    }

    /** The type directories in type order, then the other directories, then the files; prune list skipped. */
    private int type1(List<Entry> entries, Visitor v) {
        List<Entry> left = new ArrayList<>();
        for (Entry e : entries) {
            if (!prune.contains(e.name)) {
                left.add(e);
            }
        }
        for (String type : types) {
            for (int i = 0; i < left.size(); i++) {
                Entry e = left.get(i);
                if (e.stat.isDirectory() && e.name.equals(type)) {
                    int r = type2(e.fullname, 1, v);
                    if (r != DONE) {
                        return r;
                    }
                    left.remove(i);
                    break;
                }
            }
        }
        List<Entry> files = new ArrayList<>();
        for (Entry e : left) {
            if (!e.stat.isDirectory()) {
                files.add(e);
                continue;
            }
            int r = type2(e.fullname, 1, v);
            if (r != DONE) {
                return r;
            }
        }
        for (Entry e : files) {
            if (offer(e.fullname, e.stat, v)) {
                return STOPPED;
            }
        }
        return DONE;
    }

    private int type2(String dirname, int depth, Visitor v) {
        if (depth > MAXDEPTH) {
            out.error("xftw_type2 exceeded maxdepth");
            return STOPPED;
        }
        List<Entry> entries = readdir(dirname);
        if (entries == null) {
            return STOPPED;
        }
        try {
            if (offer(dirname, FileStat.of(dirname, false), v)) {
                return STOPPED;
            }
        } catch (IOException e) {
            return STOPPED;
        }
        for (Entry e : entries) {
            if (e.stat.isDirectory()) {
                int r = type2(e.fullname, depth + 1, v);
                if (r != DONE) {
                    return r;
                }
            } else if (offer(e.fullname, e.stat, v)) {
                return STOPPED;
            }
        }
        return DONE;
    }

    /** xftw_do_name: resolve a link, refuse what is neither file nor directory, call the visitor. */
    private boolean offer(String name, FileStat st, Visitor v) {
        if (st.isLink()) {
            try {
                name = FileStat.path(name).toRealPath().toString();
                st = FileStat.of(name, false);
            } catch (NoSuchFileException e) {
                return false; // dangling symlink ignored
            } catch (IOException e) {
                out.warning(name + ": " + IoReasons.of(e));
                return false;
            }
        }
        if (!st.isRegular() && !st.isDirectory()) {
            out.error(name + " is not plain file nor directory");
            return false;
        }
        return v.visit(name, st);
    }

    /** The sorted entries of {@code directory} with their lstat, or null when it cannot be read. */
    private List<Entry> readdir(String directory) {
        List<Entry> list = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(FileStat.path(directory))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                String full = directory.isEmpty() ? name : directory + "/" + name;
                try {
                    list.add(new Entry(name, full, FileStat.of(full, false)));
                } catch (IOException e) {
                    out.warning(full + ": " + IoReasons.of(e));
                    return null;
                }
            }
        } catch (IOException e) {
            out.warning(directory + ": " + IoReasons.of(e));
            return null;
        }
        list.sort(Comparator.comparing(Entry::name));
        return list;
    }
}
