package org.modutils.insmod.cli;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.sys.FileBytes;
import org.modutils.insmod.sys.FileNames;

/**
 * The command line as the bytes the user typed. The JVM decodes argv with the locale's
 * charset, so a byte that is not valid there (0xE9 under a UTF-8 or C locale) arrives as U+FFFD
 * and the original's byte is lost. The C original passed bytes through untouched (into messages,
 * the module name, parameter values), so we take the arguments again from /proc/self/cmdline —
 * the application's arguments are its last entries — and hold each byte as one char (ISO-8859-1),
 * the form every other part of insmod expects. Each entry is checked against what the JVM gave;
 * if /proc is not there or they disagree, the JVM's strings are re-encoded with the locale's
 * charset, which is exact for every argument that was valid in it.
 */
final class Argv {
    private Argv() {}

    static String[] bytes(String[] args) {
        Charset jnu = FileNames.platformCharset();
        List<byte[]> entries;
        try {
            entries = split(FileBytes.read(Path.of("/proc/self/cmdline")));
        } catch (IOException | RuntimeException e) {
            return reencoded(args, jnu);
        }
        return fromCmdline(args, entries, jnu);
    }

    /** The last {@code args.length} entries as Latin-1 strings, when each decodes to its JVM string. */
    static String[] fromCmdline(String[] args, List<byte[]> entries, Charset jnu) {
        int base = entries.size() - args.length;
        if (base < 0) {
            return reencoded(args, jnu);
        }
        String[] out = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            byte[] b = entries.get(base + i);
            if (!new String(b, jnu).equals(args[i])) {
                return reencoded(args, jnu);
            }
            out[i] = new String(b, StandardCharsets.ISO_8859_1);
        }
        return out;
    }

    /** Each string encoded with {@code jnu}, its bytes held as Latin-1 chars. */
    static String[] reencoded(String[] args, Charset jnu) {
        String[] out = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            out[i] = new String(args[i].getBytes(jnu), StandardCharsets.ISO_8859_1);
        }
        return out;
    }

    /** The NUL-terminated entries of a /proc/PID/cmdline. */
    static List<byte[]> split(byte[] cmdline) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                out.add(java.util.Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        if (start < cmdline.length) {
            out.add(java.util.Arrays.copyOfRange(cmdline, start, cmdline.length));
        }
        return out;
    }
}
