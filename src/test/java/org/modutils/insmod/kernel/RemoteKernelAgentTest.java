package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.kernel.remote.LinkException;
import org.modutils.insmod.kernel.remote.RemoteKernel;

/** RemoteKernel against the real agent binary running on this (modern) host. */
class RemoteKernelAgentTest {
    private static final RemoteKernel.Options QUICK = new RemoteKernel.Options(5_000, 5_000, 30);

    @TempDir
    Path tmp;

    private Process agent;

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.destroy();
            agent.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private RemoteKernel stdioKernel() throws Exception {
        agent = AgentProcess.start("--stdio");
        Process p = agent;
        return RemoteKernel.over("stdio", () -> AgentProcess.stdio(p), QUICK);
    }

    @Test
    void unameIsTheHostsBecauseTheAgentRunsHere() throws Exception {
        try (RemoteKernel k = stdioKernel()) {
            assertEquals(System.getProperty("os.version"), k.release());
            assertEquals("Linux", k.sysname());
            assertEquals("i386", k.agent().arch());
            assertEquals(4, k.agent().wordSize());
            assertFalse(k.agent().bigEndian());
        }
    }

    @Test
    void modernHostHasNoLegacyModuleCalls() throws Exception {
        try (RemoteKernel k = stdioKernel()) {
            assertFalse(k.legacy(), "query_module must be absent on a modern kernel");
            KernelException e = assertThrows(KernelException.class, () -> k.createModule("x", 4096));
            assertEquals(38, e.errno());
            assertFalse(e instanceof LinkException);
            KernelException d = assertThrows(KernelException.class, () -> k.deleteModule("x"));
            assertEquals(38, d.errno());
            // Falls back to /proc/ksyms, which a modern kernel lacks.
            KernelException s = assertThrows(KernelException.class, k::symbols);
            assertEquals(2, s.errno());
            // The link is still good after those refusals.
            assertTrue(k.isDirectory("/proc"));
        }
    }

    @Test
    void readsLargeFilesInChunksAndReportsMissingOnesAsNull() throws Exception {
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        Path f = tmp.resolve("big.bin");
        Files.write(f, data);
        try (RemoteKernel k = stdioKernel()) {
            assertArrayEquals(data, k.readFile(f.toString()));
            assertArrayEquals(new byte[0], k.readFile(Files.createFile(tmp.resolve("empty")).toString()));
            assertNull(k.readFile(tmp.resolve("absent").toString()));
            byte[] version = k.readFile("/proc/version");
            assertTrue(new String(version).startsWith("Linux version "));
        }
    }

    @Test
    void readsAByteRangeAndHasNoModuleTableOnAModernHost() throws Exception {
        byte[] data = new byte[70_000];
        new Random(11).nextBytes(data);
        Path f = tmp.resolve("range.bin");
        Files.write(f, data);
        try (RemoteKernel k = stdioKernel()) {
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 65_530, 65_630), k.readAt(f.toString(), 65_530, 100));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 69_990, 70_000), k.readAt(f.toString(), 69_990, 100));
            KernelException e = assertThrows(KernelException.class, () -> k.readAt(tmp.resolve("no").toString(), 0, 4));
            assertEquals(Errno.ENOENT, e.errno());
            KernelException q = assertThrows(KernelException.class, () -> k.moduleTable(ModuleQuery.STATUS));
            assertEquals("QM_MODULES: Function not implemented", q.getMessage());
        }
    }

    @Test
    void writesAndAppendsFiles() throws Exception {
        byte[] data = new byte[70_000];
        new Random(8).nextBytes(data);
        Path f = tmp.resolve("snap.ksyms");
        try (RemoteKernel k = stdioKernel()) {
            k.writeFile(f.toString(), data);
            assertArrayEquals(data, Files.readAllBytes(f));
            k.writeFile(f.toString(), "short\n".getBytes());
            assertEquals("short\n", Files.readString(f), "write truncates");
            k.appendFile(f.toString(), "more\n".getBytes());
            assertEquals("short\nmore\n", Files.readString(f));
            KernelException e = assertThrows(KernelException.class,
                    () -> k.writeFile(tmp.resolve("no/such/dir/x").toString(), new byte[1]));
            assertEquals(2, e.errno());
            assertTrue(e.getMessage().contains("cannot create"), e.getMessage());
        }
    }

    @Test
    void statTimeAndKernelLog() throws Exception {
        try (RemoteKernel k = stdioKernel()) {
            assertTrue(k.isDirectory(tmp.toString()));
            Path file = Files.writeString(tmp.resolve("f"), "x");
            assertFalse(k.isDirectory(file.toString()));
            assertFalse(k.isDirectory(tmp.resolve("none").toString()));
            long t = k.time();
            assertTrue(Math.abs(t - System.currentTimeMillis() / 1000) < 60, "target clock " + t);
            assertTrue(k.tainted() >= 0);
        }
    }

    @Test
    void tcpListenModeAndALostLink() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        agent = AgentProcess.start("--listen", Integer.toString(port));
        RemoteKernel k = null;
        for (int i = 0; i < 50 && k == null; i++) {
            try {
                k = RemoteKernel.open("tcp:127.0.0.1:" + port, QUICK);
            } catch (LinkException e) {
                Thread.sleep(100);                          // not listening yet
            }
        }
        assertTrue(k != null, "agent did not listen on " + port);
        assertEquals(System.getProperty("os.version"), k.release());
        agent.destroyForcibly();
        agent.waitFor(5, TimeUnit.SECONDS);
        RemoteKernel kk = k;
        KernelException e = assertThrows(KernelException.class, () -> kk.readFile("/proc/version"));
        assertInstanceOf(LinkException.class, e);
        assertTrue(e.getMessage().contains("tcp:127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("reading /proc/version"), e.getMessage());
        // Once broken, it stays broken with the same explanation instead of hanging.
        KernelException again = assertThrows(KernelException.class, () -> kk.readFile("/proc/version"));
        assertEquals(e.getMessage(), again.getMessage());
        k.close();
    }

    @Test
    void silentPeerTimesOutWithAClearMessage() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            Thread t = new Thread(() -> {
                try (Socket c = s.accept()) {
                    c.getInputStream().readAllBytes();      // accepts, never answers
                } catch (IOException ignored) {
                    // test over
                }
            });
            t.setDaemon(true);
            t.start();
            long start = System.nanoTime();
            KernelException e = assertThrows(KernelException.class, () -> RemoteKernel.open(
                    "tcp:127.0.0.1:" + s.getLocalPort(), new RemoteKernel.Options(1_000, 1_000, 30)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(LinkException.class, e);
            assertTrue(e.getMessage().contains("no insmod agent answered"), e.getMessage());
            assertTrue(ms < 10_000, "took " + ms + " ms");
        }
    }

    @Test
    void nobodyListening() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        KernelException e = assertThrows(KernelException.class, () -> RemoteKernel.open("tcp:127.0.0.1:" + port));
        assertTrue(e.getMessage().startsWith("cannot reach the target tcp:127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void badSpecsAreExplained() {
        for (String spec : new String[] {"tcp:host", "tcp:host:0", "tcp:host:99999", "tcp::5", "serial", "/dev/ttyS0,fast"}) {
            KernelException e = assertThrows(KernelException.class, () -> RemoteKernel.opener(spec), spec);
            assertTrue(e.getMessage().startsWith("bad target " + spec), e.getMessage());
        }
    }

    /** The agent behind a {@link LossyLink}: every request gets through once, whatever the line loses. */
    private RemoteKernel lossyKernel(LossyLink[] holder) throws Exception {
        agent = AgentProcess.start("--stdio");
        Process p = agent;
        return RemoteKernel.over("lossy", () -> holder[0] = new LossyLink(AgentProcess.stdio(p)),
                new RemoteKernel.Options(20_000, 20_000, 30));
    }

    private static byte[] randomBytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void anAppendSurvivesCutDamagedAndLostFramesAndHappensOnce() throws Exception {
        LossyLink[] link = new LossyLink[1];
        Path f = tmp.resolve("log");
        byte[] first = randomBytes(1000, 1);
        byte[] second = randomBytes(5000, 2);            // 12 STAGE frames and the WRITE_FILE
        try (RemoteKernel k = lossyKernel(link)) {
            k.writeFile(f.toString(), first);
            int base = link[0].sent, answers = link[0].received;
            link[0].out.put(base + 2, LossyLink.Fault.CUT);        // a STAGE frame loses its tail
            link[0].out.put(base + 5, LossyLink.Fault.FLIP);       // one arrives damaged: the agent says so
            link[0].in.put(answers + 7, LossyLink.Fault.DROP);     // a STAGE done, its answer lost
            link[0].in.put(answers + 9, LossyLink.Fault.FLIP);     // a STAGE done, its answer damaged
            link[0].in.put(answers + 12, LossyLink.Fault.DROP);    // the append done, its answer lost
            long t0 = System.nanoTime();
            k.appendFile(f.toString(), second);
            assertTrue(link[0].out.isEmpty() && link[0].in.isEmpty(), "every fault was applied");
            assertTrue(link[0].sent > base + 13, "lost frames were sent again: " + (link[0].sent - base));
            assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "recovered by resending, not by timing out");
        }
        byte[] want = new byte[first.length + second.length];
        System.arraycopy(first, 0, want, 0, first.length);
        System.arraycopy(second, 0, want, first.length, second.length);
        assertArrayEquals(want, Files.readAllBytes(f), "the append happened exactly once");
    }

    @Test
    void aReadWhoseDataFrameIsLostIsAskedAgain() throws Exception {
        LossyLink[] link = new LossyLink[1];
        byte[] data = randomBytes(100_000, 3);                  // seven DATA frames and an OK
        Path f = tmp.resolve("big");
        Files.write(f, data);
        try (RemoteKernel k = lossyKernel(link)) {
            link[0].in.put(link[0].received + 3, LossyLink.Fault.DROP);
            assertArrayEquals(data, k.readFile(f.toString()));
            link[0].in.put(link[0].received + 1, LossyLink.Fault.FLIP);
            assertArrayEquals(data, k.readFile(f.toString()));
            assertEquals(Map.of(), link[0].in);
        }
    }
}
