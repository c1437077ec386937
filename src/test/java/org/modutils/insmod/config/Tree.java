package org.modutils.insmod.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds throwaway file trees for the search tests. */
final class Tree {
    final Path root;

    Tree(Path root) {
        this.root = root;
    }

    /** The real path for an absolute name inside the tree, as text. */
    String at(String abs) {
        return root + abs;
    }

    Path path(String abs) {
        return Path.of(at(abs));
    }

    /** Creates a file (and its parents) under the root. */
    Path file(String abs) {
        return write(abs, "module " + abs + "\n");
    }

    Path write(String abs, String content) {
        try {
            Path p = path(abs);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content, StandardCharsets.UTF_8);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir(String abs) {
        try {
            return Files.createDirectories(path(abs));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path link(String abs, String target) {
        try {
            Path p = path(abs);
            Files.createDirectories(p.getParent());
            return Files.createSymbolicLink(p, Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void delete(String abs) {
        try {
            Files.delete(path(abs));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean runningAsRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
