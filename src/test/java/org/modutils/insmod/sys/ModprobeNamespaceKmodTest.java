package org.modutils.insmod.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.NativeLong;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.deps.ModprobeConfig;
import org.modutils.insmod.tools.Modprobe;

/**
 * What kmod 30's modprobe reads and writes outside its arguments, compared in a private mount
 * namespace (root and unshare(1) needed, else skipped): the kernel command line (a file of ours
 * bound over /proc/cmdline; quotes, dots, modprobe.blacklist, bad names) against our reading of
 * the same text, and -s (a datagram socket of ours bound over /dev/log) against our syslog
 * lines, time stamps aside.
 */
class ModprobeNamespaceKmodTest {
    private static final int MSG_DONTWAIT = 0x40;

    @TempDir
    Path tmp;
    private String kmod;
    private int listener = -1;

    @BeforeEach
    void setUp() throws Exception {
        for (String p : new String[] {"/var/cache/vmtest/kmod/bin/modprobe", "/usr/sbin/modprobe", "/sbin/modprobe"}) {
            if (Files.isExecutable(Path.of(p)) && run(List.of(p, "-V"), null).out.startsWith("kmod version")) {
                kmod = p;
                break;
            }
        }
        assumeTrue(kmod != null, "no kmod modprobe");
        assumeTrue(run(List.of("unshare", "-m", "true"), null).status == 0, "no private mount namespace (root and unshare needed)");
    }

    @AfterEach
    void close() {
        if (listener >= 0) LibC.get().close(listener);
    }

    private record Run(int status, String out, String err) {}

    /** {@code cmd}, after {@code setup} (shell) in a private mount namespace when given. */
    private Run run(List<String> cmd, String setup) throws Exception {
        List<String> full = new ArrayList<>();
        if (setup != null) full.addAll(List.of("unshare", "-m", "sh", "-c", setup + " && exec \"$@\"", "sh"));
        full.addAll(cmd);
        Path o = Files.createTempFile(tmp, "out", "");
        Path e = Files.createTempFile(tmp, "err", "");
        ProcessBuilder pb = new ProcessBuilder(full).redirectOutput(o.toFile()).redirectError(e.toFile());
        pb.environment().remove("MODPROBE_OPTIONS");
        int st = pb.start().waitFor();
        return new Run(st, Files.readString(o), Files.readString(e));
    }

    @Test
    void kernelCommandLine() throws Exception {
        List<String> lines = List.of(
                "a.b.c=1 x=y.z=2 \"q.r=s t\" u.v=\"w x\" mod-x.p=1 modprobe.blacklist=aa,bb-c dot.=3 .e=4 f.g",
                "\"m.n=a\"b c\" k.l=1", "\"m.n=\"a b\"\" k.l=1", "m.n=a \"k.l=1\"", "a[b.c=1 k.l=1 a]b.x=2",
                "\"modprobe.blacklist=a b,c\" modprobe.blacklist=,x, m.n=a\tb.c=1",
                "x \"m.n\"=1 y.z=2 m\".n=a\" m.\"n=a b\" modprobe.blacklist", "m.n=\"a\tb\" z  w.x=1\n",
                "m.n=x\" k.l=1", "\"m.n=a b k.l=1", "BOOT_IMAGE=/vmlinuz root=UUID=1 ro quiet snd-hda.model=auto -- i.j=2");
        Path cmdline = tmp.resolve("cmdline");
        Path none = tmp.resolve("none");
        for (String line : lines) {
            Files.writeString(cmdline, line + "\n");
            Run k = run(List.of(kmod, "-C", "/dev/null", "-d", none.toString(), "-S", "1", "-c"),
                    "mount --bind " + cmdline + " /proc/cmdline");
            List<String> complaints = new ArrayList<>();
            ModprobeConfig cfg = ModprobeConfig.load(List.of("/dev/null"), none.toString(), line + "\n",
                    (kind, text) -> complaints.add(text));
            StringBuilder ours = new StringBuilder();
            for (String l : cfg.showConfig()) ours.append(l).append('\n');
            assertEquals(k.out.substring(0, k.out.indexOf("\n# End of configuration")), ours.toString(), line);
            List<String> kerr = k.err.isEmpty() ? List.of() : List.of(k.err.split("\n"));
            assertEquals(kerr.size(), complaints.size(), line);
            for (int i = 0; i < kerr.size(); i++) {
                assertTrue(kerr.get(i).endsWith("kcmdline_parse_result: " + complaints.get(i)), kerr.get(i));
            }
        }
    }

    private String listen() {
        Path sock = tmp.resolve("log");
        LibC c = LibC.get();
        listener = c.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM, 0);
        assertTrue(listener >= 0);
        byte[] addr = LibC.sockaddrUn(sock.toString());
        assertEquals(0, c.bind(listener, addr, addr.length));
        return sock.toString();
    }

    /** Every datagram waiting, the time stamp replaced. */
    private List<String> received() {
        List<String> out = new ArrayList<>();
        byte[] buf = new byte[8192];
        while (true) {
            long n = LibC.get().recv(listener, buf, new NativeLong(buf.length), MSG_DONTWAIT).longValue();
            if (n < 0) return out;
            out.add(new String(buf, 0, (int) n, StandardCharsets.UTF_8).replaceFirst("^(<\\d+>)\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ", "$1STAMP "));
        }
    }

    @Test
    void syslog() throws Exception {
        String sock = listen();
        Path none = tmp.resolve("none");
        String setup = "mount -t tmpfs none /dev && touch /dev/log && mount --bind " + sock + " /dev/log";
        List<List<String>> cases = List.of(List.of("-s", "nosuch"), List.of("-s", "-a", "nosuch", "other"), List.of("-s"),
                List.of("-s", "-q", "nosuch"), List.of("-s", "-w", "y"), List.of("--syslog", "--show-exports", "/nonexistent"),
                List.of("-s", "-r", "nosuch"));
        for (List<String> c : cases) {
            List<String> args = new ArrayList<>(List.of("-C", "/dev/null", "-d", none.toString(), "-S", "1"));
            args.addAll(c);
            List<String> cmd = new ArrayList<>(List.of(kmod));
            cmd.addAll(args);
            Run k = run(cmd, setup);
            List<String> theirs = received();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int st;
            try (PrintStream po = new PrintStream(out, true, StandardCharsets.UTF_8);
                 PrintStream pe = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                st = Modprobe.run(args.toArray(new String[0]), Map.of(), sock, po, pe);
            }
            String what = String.join(" ", c);
            assertEquals(theirs, received(), what);
            assertEquals(k.out, out.toString(StandardCharsets.UTF_8), what);
            assertEquals(k.err, err.toString(StandardCharsets.UTF_8), what);
            assertEquals(k.status, st, what);
        }
    }
}
