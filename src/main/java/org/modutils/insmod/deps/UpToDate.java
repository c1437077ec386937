package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;

/** depmod -A's question: is modules.dep newer than every module of the tree? */
public final class UpToDate {
    private UpToDate() {}

    /**
     * True when up to date; false when some module is newer, or when modules.dep or the tree
     * cannot be read (said through {@code error}).
     */
    public static boolean check(String dirname, Consumer<String> error) {
        long depTime;
        try {
            depTime = Files.getLastModifiedTime(Path.of(dirname, "modules.dep")).toMillis() / 1000;
        } catch (IOException e) {
            error.accept("could not fstatat(" + dirname + ", modules.dep): " + DepmodLog.reason(e));
            return false;
        }
        try {
            return walk(Path.of(dirname), depTime);
        } catch (IOException e) {
            error.accept("could not open directory " + dirname + ": " + DepmodLog.reason(e));
            return false;
        }
    }

    private static boolean walk(Path dir, long depTime) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.equals("build") || name.equals("source")) continue;
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                if (a.isDirectory()) {
                    if (!walk(p, depTime)) return false;
                } else if (a.isRegularFile() && ModuleScan.isModuleFile(name)) {
                    if (a.lastModifiedTime().toMillis() / 1000 > depTime) return false;
                }
            }
        }
        return true;
    }
}
