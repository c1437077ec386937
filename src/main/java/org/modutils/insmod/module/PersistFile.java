package org.modutils.insmod.module;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.modutils.insmod.sys.FileNames;
import org.modutils.insmod.report.Report;

/**
 * The persistent-data file as modutils 2.4's rmmod rewrote it: two generated comments
 * ("#% Kernel sysname nodename release version machine", "#% Data saved <asctime> GMT"), the
 * old file's comments and assignments in their order with each known parameter's value
 * replaced, "#% Warning: parameter X is not supported in this kernel" before an assignment of
 * an unknown one, then the parameters the file did not have yet. Written to FILE.PID and
 * renamed over FILE; the directories leading to it are made first.
 */
final class PersistFile {
    private static final int LINE_MAX = 4096;       // fgets' buffer in the original

    private PersistFile() {}

    /** One value as rmmod wrote it: decimal numbers or quoted, escaped strings, comma-separated. */
    static String format(PersistentParms.Parm p, byte[] b, boolean be) {
        StringBuilder out = new StringBuilder();
        for (int j = 0; j < p.max(); j++) {
            if (j > 0) {
                out.append(',');
            }
            int off = j * p.size();
            switch (p.type()) {
                case 'c' -> {
                    out.append('"');
                    for (int k = 0; k < p.size() && b[off + k] != 0; k++) {
                        char c = (char) (b[off + k] & 0xff);
                        if (c == '\n') {
                            out.append("\\n");
                            continue;
                        }
                        if (c == '"' || c == '\\') {
                            out.append('\\');
                        }
                        out.append(c);
                    }
                    out.append('"');
                }
                case 'b' -> out.append(b[off]);
                default -> out.append(signed(b, off, p.size(), be));
            }
        }
        return out.toString();
    }

    private static long signed(byte[] b, int off, int size, boolean be) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            int idx = be ? off + i : off + size - 1 - i;
            v = (v << 8) | (b[idx] & 0xff);
        }
        int shift = 64 - 8 * size;
        return (v << shift) >> shift;
    }

    /** update_persistent_data; true when FILE was replaced. */
    static boolean update(String persist, List<String> values, PersistSave.Request r, Report log) {
        int slash = persist.lastIndexOf('/');
        if (slash < 0) {
            log.error("Persistent filenames must be absolute, ignoring '" + persist + "'");
            return false;
        }
        if (!makeDirs(persist.substring(0, slash), r.verbose(), log)) {
            return false;
        }
        Path target, temp;
        try {
            target = FileNames.path(persist);       // the _P symbol holds the file name's bytes
            temp = FileNames.path(persist + "." + r.pid());
        } catch (java.nio.file.InvalidPathException e) {
            log.error("Cannot create " + persist + "." + r.pid() + ": " + e.getReason());
            return false;
        }
        List<String> text = new ArrayList<>();
        text.add("#% Kernel " + String.join(" ", r.uname()));
        text.add("#% Data saved " + asctime(r.now()) + " GMT");
        if (!merge(persist, values, text, log)) {
            return false;
        }
        try {
            Files.deleteIfExists(temp);
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
                for (String l : text) {
                    out.write((l + "\n").getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            log.error("Cannot create " + persist + "." + r.pid() + ": " + PersistSave.ioReason(e));
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // nothing more to clean
            }
            return false;
        }
    }

    /** The old file's lines with the new values merged in, appended to {@code text}; false on a bad line. */
    private static boolean merge(String persist, List<String> values, List<String> text, Report log) {
        boolean[] written = new boolean[values.size()];
        byte[] old;
        try {
            old = Files.readAllBytes(FileNames.path(persist));
        } catch (NoSuchFileException e) {
            old = new byte[0];
        } catch (IOException | java.nio.file.InvalidPathException e) {
            old = new byte[0];                      // fopen failed: the original went on without it
        }
        String all = new String(old, StandardCharsets.ISO_8859_1);
        int pos = 0;
        while (pos < all.length()) {
            int nl = all.indexOf('\n', pos);
            if (nl < 0 || nl - pos >= LINE_MAX - 1) {
                log.error("Persistent data line in " + persist + " is too long\n"
                        + all.substring(pos, Math.min(all.length(), pos + LINE_MAX - 1)));
                return false;
            }
            String line = all.substring(pos, nl);
            pos = nl + 1;
            String p = line.stripLeading();
            if (p.startsWith("#%")) {
                continue;                           // generated comments are made afresh
            }
            if (p.isEmpty() || p.startsWith("#")) {
                text.add(line);
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                log.error("No value for " + p + " in " + persist);
                return false;
            }
            String name = p.substring(0, eq);
            int i = indexOf(values, name);
            if (i >= 0) {
                text.add(values.get(i));
                written[i] = true;
            } else {
                text.add("#% Warning: parameter " + name + " is not supported in this kernel");
                text.add(line);
            }
        }
        for (int i = 0; i < values.size(); i++) {
            if (!written[i]) {
                text.add(values.get(i));
            }
        }
        return true;
    }

    private static int indexOf(List<String> values, String name) {
        for (int i = 0; i < values.size(); i++) {
            if (PersistSave.nameOf(values.get(i)).equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** mkdir of each directory leading to the file, 0755; existing ones are fine. */
    private static boolean makeDirs(String dir, boolean verbose, Report log) {
        int i = 1;
        while (i <= dir.length()) {
            int next = dir.indexOf('/', i);
            String d = next < 0 ? dir : dir.substring(0, next);
            try {
                Files.createDirectory(FileNames.path(d), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwxr-xr-x")));
                if (verbose) {
                    log.info("mkdir " + d);
                }
            } catch (FileAlreadyExistsException e) {
                if (verbose) {
                    log.info("mkdir " + d + ": File exists");
                }
            } catch (IOException e) {
                log.error("Cannot mkdir " + d + " for persistent data: " + PersistSave.ioReason(e));
                return false;
            } catch (java.nio.file.InvalidPathException e) {
                log.error("Cannot mkdir " + d + " for persistent data: " + e.getReason());
                return false;
            }
            if (next < 0) {
                break;
            }
            i = next + 1;
        }
        return true;
    }

    /** asctime(gmtime(t)) without the newline: "Thu Dec  3 13:15:40 2026". */
    static String asctime(long epochSeconds) {
        ZonedDateTime t = Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC);
        String[] days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        String[] months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        return String.format(Locale.ROOT, "%s %s%3d %02d:%02d:%02d %d", days[t.getDayOfWeek().getValue() - 1],
                months[t.getMonthValue() - 1], t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(),
                t.getYear());
    }
}
