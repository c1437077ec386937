package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.modutils.insmod.kernel.remote.StreamLink;

/**
 * Builds (make -C agent ARCH=...) and starts an agent port on this host: i386 natively (or
 * under qemu-i386-static), arm and mipsel under qemu-user. The module syscalls do not exist on
 * this host's kernel, which the agent detects; everything else (framing, files) runs for real.
 */
final class AgentProcess {
    private record Runner(Path binary, List<String> prefix, String unavailable) {}

    private static final Map<String, Runner> RUNNERS = new HashMap<>();

    private AgentProcess() {}

    /** Skips the calling test with a clear message when this port cannot be built or run here. */
    static synchronized List<String> command(String arch, String... args) {
        Runner r = RUNNERS.computeIfAbsent(arch, AgentProcess::prepare);
        assumeTrue(r.unavailable() == null, () -> "agent tests for " + arch + " skipped: " + r.unavailable());
        List<String> cmd = new ArrayList<>(r.prefix());
        cmd.add(r.binary().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Runner prepare(String arch) {
        Path dir = Path.of("agent").toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("agent.c")))
            return new Runner(null, null, "no agent/ sources under " + Path.of("").toAbsolutePath());
        try {
            Process make = new ProcessBuilder("make", "-s", "-C", dir.toString(), "ARCH=" + arch)
                    .redirectErrorStream(true).start();
            String out = new String(make.getInputStream().readAllBytes());
            if (!make.waitFor(120, TimeUnit.SECONDS) || make.exitValue() != 0)
                return new Runner(null, null, "cannot build the agent (needs make and the " + arch
                        + " cross compiler, see agent/Makefile): " + out.trim());
        } catch (IOException | InterruptedException e) {
            return new Runner(null, null, "cannot run make: " + e.getMessage());
        }
        Path bin = dir.resolve("build/insmod-agent-" + arch);
        List<List<String>> ways = arch.equals("i386")
                ? List.of(List.of(), List.of("qemu-i386-static"), List.of("qemu-i386"))
                : List.of(List.of("qemu-" + arch + "-static"), List.of("qemu-" + arch));
        for (List<String> p : ways) {
            List<String> cmd = new ArrayList<>(p);
            cmd.add(bin.toString());
            try {
                Process t = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                t.getOutputStream().close();
                String out = new String(t.getInputStream().readAllBytes());
                if (t.waitFor(20, TimeUnit.SECONDS) && t.exitValue() == 2 && out.contains("usage"))
                    return new Runner(bin, p, null);
            } catch (IOException | InterruptedException e) {
                // try the next way of running it
            }
        }
        return new Runner(null, null, "this host cannot run " + arch + " binaries (no IA32 emulation / qemu-user)");
    }

    static Process startPort(String arch, String... args) throws IOException {
        return new ProcessBuilder(command(arch, args)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The i386 port. */
    static Process start(String... args) throws IOException {
        return startPort("i386", args);
    }

    /** An agent on stdin/stdout as a Link. */
    static StreamLink stdio(Process p) {
        return new StreamLink(p.getInputStream(), p.getOutputStream(), "agent --stdio", p::destroy);
    }
}
