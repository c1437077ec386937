package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.modutils.insmod.kernel.remote.StreamLink;

/** Builds (make -C agent) and starts the i386 agent on this host, natively or under qemu-i386-static. */
final class AgentProcess {
    private static Path binary;
    private static List<String> prefix;
    private static String unavailable;

    private AgentProcess() {}

    /** Skips the calling test with a clear message when the agent cannot be built or run here. */
    static synchronized List<String> command(String... args) {
        if (binary == null && unavailable == null)
            prepare();
        assumeTrue(unavailable == null, () -> "agent tests skipped: " + unavailable);
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void prepare() {
        Path dir = Path.of("agent").toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("agent.c"))) {
            unavailable = "no agent/ sources under " + Path.of("").toAbsolutePath();
            return;
        }
        try {
            Process make = new ProcessBuilder("make", "-s", "-C", dir.toString()).redirectErrorStream(true).start();
            String out = new String(make.getInputStream().readAllBytes());
            if (!make.waitFor(120, TimeUnit.SECONDS) || make.exitValue() != 0) {
                unavailable = "cannot build the agent (needs make and i686-linux-gnu-gcc): " + out.trim();
                return;
            }
        } catch (IOException | InterruptedException e) {
            unavailable = "cannot run make: " + e.getMessage();
            return;
        }
        Path bin = dir.resolve("build/insmod-agent-i386");
        for (List<String> p : List.of(List.<String>of(), List.of("qemu-i386-static"), List.of("qemu-i386"))) {
            List<String> cmd = new ArrayList<>(p);
            cmd.add(bin.toString());
            try {
                Process t = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                t.getOutputStream().close();
                String out = new String(t.getInputStream().readAllBytes());
                if (t.waitFor(20, TimeUnit.SECONDS) && t.exitValue() == 2 && out.contains("usage")) {
                    binary = bin;
                    prefix = p;
                    return;
                }
            } catch (IOException | InterruptedException e) {
                // try the next way of running it
            }
        }
        unavailable = "this host runs neither 32-bit i386 binaries (IA32 emulation) nor qemu-i386-static";
    }

    static Process start(String... args) throws IOException {
        return new ProcessBuilder(command(args)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** An agent on stdin/stdout as a Link. */
    static StreamLink stdio(Process p) {
        return new StreamLink(p.getInputStream(), p.getOutputStream(), "agent --stdio", p::destroy);
    }
}
