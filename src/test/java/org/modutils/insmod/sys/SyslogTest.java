package org.modutils.insmod.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.NativeLong;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listens on a unix datagram socket of its own and reads back what {@link Syslog} sent. The
 * expected lines follow syslog(3)'s local format: {@code <facility|level>Mmm dd hh:mm:ss tag: msg},
 * LOG_DAEMON = 3<<3, LOG_ERR = 3, LOG_INFO = 6.
 */
class SyslogTest {
    private static final int MSG_DONTWAIT = 0x40;

    @TempDir
    Path tmp;
    int listener = -1;

    @AfterEach
    void closeListener() {
        if (listener >= 0) {
            LibC.get().close(listener);
        }
    }

    private String listen(String name) {
        Path sock = tmp.resolve(name);
        LibC c = LibC.get();
        listener = c.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM, 0);
        assertTrue(listener >= 0, "socket: " + LibC.describe(LibC.errno()));
        byte[] addr = LibC.sockaddrUn(sock.toString());
        assertEquals(0, c.bind(listener, addr, addr.length), "bind: " + LibC.describe(LibC.errno()));
        return sock.toString();
    }

    /** The next datagram, waiting up to 5 s; null if none came. */
    private String receive() throws InterruptedException {
        byte[] buf = new byte[8192];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            long n = LibC.get().recv(listener, buf, new NativeLong(buf.length), MSG_DONTWAIT).longValue();
            if (n >= 0) {
                return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
            }
            Thread.sleep(5);
        }
        return null;
    }

    private String receiveNow() {
        byte[] buf = new byte[8192];
        long n = LibC.get().recv(listener, buf, new NativeLong(buf.length), MSG_DONTWAIT).longValue();
        return n < 0 ? null : new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }

    private static Clock at(String instant, String zone) {
        return Clock.fixed(Instant.parse(instant), ZoneId.of(zone));
    }

    @Test
    void errorsGoAtLogErrAndTheRestAtLogInfo() throws InterruptedException {
        String path = listen("log");
        try (Syslog s = Syslog.open("insmod", Syslog.LOG_DAEMON, path, at("2024-01-05T03:04:05Z", "UTC"), null)) {
            s.error("foo.o: unresolved symbol bar");
            assertEquals("<27>Jan  5 03:04:05 insmod: foo.o: unresolved symbol bar", receive());
            s.info("Using /lib/modules/2.4.20/misc/foo.o");
            assertEquals("<30>Jan  5 03:04:05 insmod: Using /lib/modules/2.4.20/misc/foo.o", receive());
        }
    }

    @Test
    void theTimeStampIsLocalTime() throws InterruptedException {
        String path = listen("log");
        Clock clock = Clock.fixed(Instant.parse("2023-11-15T23:30:00Z"), ZoneOffset.ofHours(2));
        try (Syslog s = Syslog.open("insmod", Syslog.LOG_DAEMON, path, clock, null)) {
            s.info("x");
            assertEquals("<30>Nov 16 01:30:00 insmod: x", receive());
        }
    }

    @Test
    void deferredMessagesWaitForClose() throws InterruptedException {
        String path = listen("log");
        Syslog s = Syslog.open("insmod", Syslog.LOG_DAEMON, path, at("2024-01-05T03:04:05Z", "UTC"), null);
        try (Syslog.Deferred d = new Syslog.Deferred(s)) {
            d.info("first");
            d.error("second");
            Thread.sleep(50);
            assertNull(receiveNow(), "nothing may be sent before exit");
        }
        assertEquals("<30>Jan  5 03:04:05 insmod: first", receive());
        assertEquals("<27>Jan  5 03:04:05 insmod: second", receive());
    }

    @Test
    void withoutASocketTheMessageGoesToTheConsole() throws Exception {
        Path console = Files.createFile(tmp.resolve("console"));
        try (Syslog s = Syslog.open("insmod", Syslog.LOG_DAEMON, tmp.resolve("none").toString(),
                at("2024-01-05T03:04:05Z", "UTC"), console)) {
            s.error("it failed");
        }
        assertEquals("insmod: it failed\r\n", Files.readString(console));
    }

    @Test
    void withNeitherSocketNorConsoleNothingThrows() {
        try (Syslog s = Syslog.open("insmod", Syslog.LOG_DAEMON, tmp.resolve("none").toString(),
                Clock.systemUTC(), null)) {
            s.error("lost");
        }
    }

    @Test
    void insmodUsesDaemonFacilityAndDevLog() {
        assertEquals(24, Syslog.LOG_DAEMON);
        assertEquals("/dev/log", Syslog.DEFAULT_SOCKET);
        assertEquals("<27>Feb 29 12:00:00 insmod: m",
                Syslog.format(Syslog.LOG_DAEMON | Syslog.LOG_ERR, "insmod", "m",
                        Instant.parse("2024-02-29T12:00:00Z").atZone(ZoneOffset.UTC)));
    }
}
