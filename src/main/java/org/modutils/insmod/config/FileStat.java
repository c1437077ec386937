package org.modutils.insmod.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/** The two fields of stat(2) the search looks at: st_mode (with the type bits) and st_uid. */
record FileStat(int mode, int uid) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    static final int S_IRUSR = 0400;

    boolean isRegular() {
        return (mode & S_IFMT) == S_IFREG;
    }

    boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    boolean isLink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** Path.of, with a name the platform cannot represent (a NUL in it) as "no such file". */
    static Path path(String name) throws IOException {
        try {
            return Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new java.nio.file.NoSuchFileException(name);
        }
    }

    /** stat(2) ({@code follow}) or lstat(2). */
    static FileStat of(String path, boolean follow) throws IOException {
        LinkOption[] opts = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        Map<String, Object> a = Files.readAttributes(path(path), "unix:mode,uid", opts);
        return new FileStat((Integer) a.get("mode"), (Integer) a.get("uid"));
    }
}
