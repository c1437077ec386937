package org.modutils.insmod.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The ksymoops snapshot insmod takes at exit (modutils {@code util/snap_shot.c}).
 *
 * <p>When the snapshot directory ({@code /var/log/ksymoops}) exists, insmod copies
 * {@code /proc/ksyms} and {@code /proc/modules} byte for byte into
 * {@code YYYYMMDDHHMMSS.ksyms} and {@code YYYYMMDDHHMMSS.modules} (local time), flushes and
 * syncs them, so that ksymoops can later decode an oops against the symbol table of that
 * moment. The original takes it once per run when it was not {@code -n}, whether the load
 * worked or not (so also for {@code -p} and failed loads).
 *
 * <p>A missing directory means "snapshots are off" and is silent. Any other failure (a
 * read-only directory, a full disk) is reported once through the error callback, with the
 * original's wording ({@code cannot create DIR/FILE REASON}, {@code unable to write to FILE
 * REASON}, {@code cannot open /proc/ksyms REASON}), and stops the snapshot; it never makes the
 * load fail. Unlike the original this does not chdir into the directory.
 */
public final class Snapshot {
    /** Where the original keeps snapshots. */
    public static final Path DEFAULT_DIR = Path.of("/var/log/ksymoops");

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMddHHmmss");

    private final Path dir;
    private final Clock clock;
    private final Consumer<String> error;

    /**
     * @param dir   the snapshot directory ({@link #DEFAULT_DIR} outside tests)
     * @param clock the time source; its zone gives the local time of the file names
     * @param error receives at most one message per {@link #take} (the original's error(),
     *              so the CLI prefixes it like every other error)
     */
    public Snapshot(Path dir, Clock clock, Consumer<String> error) {
        this.dir = Objects.requireNonNull(dir);
        this.clock = Objects.requireNonNull(clock);
        this.error = Objects.requireNonNull(error);
    }

    /** The base name of a snapshot taken at {@code time} (its files add ".ksyms" and ".modules"). */
    public static String stamp(LocalDateTime time) {
        return STAMP.format(time);
    }

    /** The real thing: {@code /var/log/ksymoops}, the system clock and zone. */
    public static Snapshot standard(Consumer<String> error) {
        return new Snapshot(DEFAULT_DIR, Clock.systemDefaultZone(), error);
    }

    /** Whether snapshots are on: the directory exists (a missing one means "off", silently). */
    public boolean enabled() {
        return Files.isDirectory(dir);
    }

    /**
     * Writes the two snapshot files.
     *
     * @param ksyms   the bytes of /proc/ksyms ({@code Kernel#readFile("/proc/ksyms")}), or null
     *                when the kernel has none
     * @param modules the bytes of /proc/modules, or null when absent
     * @return the files written, in order (.ksyms, .modules); empty when the directory does not
     *         exist or a failure was reported
     */
    public List<Path> take(byte[] ksyms, byte[] modules) {
        if (!enabled()) {
            return List.of();
        }
        String stamp = stamp(LocalDateTime.now(clock));
        String[] suffix = {"ksyms", "modules"};
        String[] source = {"/proc/ksyms", "/proc/modules"};
        byte[][] data = {ksyms, modules};
        List<Path> written = new ArrayList<>(2);
        for (int i = 0; i < 2; i++) {
            String name = stamp + "." + suffix[i];
            Path out = dir.resolve(name);
            if (data[i] == null) {
                error.accept("cannot open " + source[i] + " No such file or directory");
                return List.of();
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(out, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                error.accept("cannot create " + dir + "/" + name + " " + IoReasons.of(e));
                return List.of();
            }
            try (ch) {
                ByteBuffer b = ByteBuffer.wrap(data[i]);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(false); // fdatasync
            } catch (IOException e) {
                error.accept("unable to write to " + name + " " + IoReasons.of(e));
                return List.of();
            }
            written.add(out);
        }
        return written;
    }
}
