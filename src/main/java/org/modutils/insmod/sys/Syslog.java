package org.modutils.insmod.sys;

import com.sun.jna.NativeLong;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * syslog(3) for {@code insmod -s}, written so that the socket it talks to can be chosen.
 *
 * <p>The original calls {@code openlog("insmod", LOG_CONS, LOG_DAEMON)}, queues every
 * message and sends them at exit: {@code error()} at {@code LOG_ERR}, everything else at
 * {@code LOG_INFO}. glibc's syslog can only reach {@code /dev/log}, so a test could never
 * see what was sent; this class does what glibc does itself: it formats the local RFC 3164
 * line {@code <PRI>Mmm dd hh:mm:ss ident: message} (no host name, no pid without
 * {@code LOG_PID}) and sends it as one datagram over an {@code AF_UNIX} socket (through
 * JNA; the JDK has no unix datagram sockets), retrying over a stream socket (message plus a
 * NUL, as glibc does) when the path is a stream socket. When it cannot deliver and a console
 * is configured ({@code LOG_CONS}) it writes {@code ident: message\r\n} there instead.
 * Failures are never reported: logging must not make insmod fail.
 */
public final class Syslog implements AutoCloseable {
    /** LOG_DAEMON, the facility insmod uses. */
    public static final int LOG_DAEMON = 3 << 3;
    /** LOG_CRIT (kmod's "FATAL"). */
    public static final int LOG_CRIT = 2;
    /** Priority of {@link #error(String)}. */
    public static final int LOG_ERR = 3;
    /** LOG_WARNING. */
    public static final int LOG_WARNING = 4;
    /** Priority of {@link #info(String)}. */
    public static final int LOG_INFO = 6;
    /** kmod's words for the priorities, LOG_EMERG to LOG_DEBUG. */
    private static final String[] LEVEL_NAMES = {"EMERGENCY", "ALERT", "FATAL", "ERROR", "WARNING", "NOTICE", "INFO",
        "DEBUG"};

    /** glibc's _PATH_LOG. */
    public static final String DEFAULT_SOCKET = "/dev/log";
    /** glibc's _PATH_CONSOLE, used for LOG_CONS. */
    public static final Path DEFAULT_CONSOLE = Path.of("/dev/console");

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    /** The word kmod's tools put before a message of priority {@code prio} ("FATAL", "ERROR"...). */
    public static String levelName(int prio) {
        return LEVEL_NAMES[prio];
    }

    private final String ident;
    private final int facility;
    private final String socketPath;
    private final Clock clock;
    private final Path console;
    private int fd = -1;
    private boolean stream;

    private Syslog(String ident, int facility, String socketPath, Clock clock, Path console) {
        this.ident = ident;
        this.facility = facility;
        this.socketPath = socketPath;
        this.clock = clock;
        this.console = console;
    }

    /**
     * A logger sending to {@code socketPath}.
     *
     * @param ident    the tag, e.g. "insmod"
     * @param facility e.g. {@link #LOG_DAEMON}
     * @param clock    gives the local time of the time stamp
     * @param console  where to write when the socket cannot be reached (LOG_CONS), or null
     */
    public static Syslog open(String ident, int facility, String socketPath, Clock clock, Path console) {
        return new Syslog(ident, facility, socketPath, clock, console);
    }

    /** Sends {@code message} at LOG_ERR. */
    public void error(String message) {
        log(LOG_ERR, message);
    }

    /** Sends {@code message} at LOG_INFO. */
    public void info(String message) {
        log(LOG_INFO, message);
    }

    /** Sends {@code message} at {@code level} (0-7) of this logger's facility. */
    public synchronized void log(int level, String message) {
        ZonedDateTime now = ZonedDateTime.now(clock);
        String line = format(facility | (level & 7), ident, message, now);
        byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
        if (deliver(bytes) || reconnectAndDeliver(bytes)) {
            return;
        }
        toConsole(ident + ": " + message + "\r\n");
    }

    /** The datagram text: {@code <PRI>Mmm dd hh:mm:ss ident: message}. */
    static String format(int priority, String ident, String message, ZonedDateTime time) {
        return "<" + priority + ">" + STAMP.format(time) + " " + ident + ": " + message;
    }

    private boolean reconnectAndDeliver(byte[] bytes) {
        disconnect();
        return deliver(bytes);
    }

    private boolean deliver(byte[] bytes) {
        try {
            if (fd < 0 && !connect()) {
                return false;
            }
            LibC c = LibC.get();
            byte[] out = bytes;
            if (stream) {
                out = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, out, 0, bytes.length);
            }
            long n = c.send(fd, out, new NativeLong(out.length), 0).longValue();
            return n == out.length;
        } catch (RuntimeException | LinkageError e) {
            return false; // no JNA or no libc: fall back to the console
        }
    }

    private boolean connect() {
        LibC c = LibC.get();
        byte[] addr = LibC.sockaddrUn(socketPath);
        for (int type : new int[] {LibC.SOCK_DGRAM, LibC.SOCK_STREAM}) {
            int s = c.socket(LibC.AF_UNIX, type, 0);
            if (s < 0) {
                continue;
            }
            if (c.connect(s, addr, addr.length) == 0) {
                fd = s;
                stream = type == LibC.SOCK_STREAM;
                return true;
            }
            c.close(s);
        }
        return false;
    }

    private void disconnect() {
        if (fd >= 0) {
            try {
                LibC.get().close(fd);
            } catch (RuntimeException | LinkageError ignored) {
                // nothing to do
            }
            fd = -1;
        }
    }

    private void toConsole(String text) {
        if (console == null) {
            return;
        }
        try (OutputStream o = Files.newOutputStream(console, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            o.write(text.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException ignored) {
            // as glibc: nothing more can be done
        }
    }

    /** Closes the socket (closelog). */
    @Override
    public synchronized void close() {
        disconnect();
    }

    /**
     * A queue in front of a {@link Syslog}, as the original keeps its messages and sends them
     * from an atexit handler: {@link #error}/{@link #info} only record, {@link #close()} sends
     * them all in order and closes the logger.
     */
    public static final class Deferred implements AutoCloseable {
        private final Syslog target;
        private final List<Object[]> queue = new ArrayList<>();

        public Deferred(Syslog target) {
            this.target = target;
        }

        public synchronized void error(String message) {
            queue.add(new Object[] {LOG_ERR, message});
        }

        public synchronized void info(String message) {
            queue.add(new Object[] {LOG_INFO, message});
        }

        /** Sends everything queued so far. */
        public synchronized void flush() {
            for (Object[] m : queue) {
                target.log((Integer) m[0], (String) m[1]);
            }
            queue.clear();
        }

        @Override
        public synchronized void close() {
            flush();
            target.close();
        }
    }
}
