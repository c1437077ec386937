package org.modutils.insmod.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs our tools in-process and the reference tools (kmod) as processes, capturing bytes. */
final class ToolRun {
    final int status;
    final String out;
    final String err;

    private ToolRun(int status, byte[] out, byte[] err) {
        this.status = status;
        this.out = new String(out, StandardCharsets.ISO_8859_1);
        this.err = new String(err, StandardCharsets.ISO_8859_1);
    }

    interface Tool {
        int run(PrintStream out, PrintStream err);
    }

    static ToolRun ours(Tool t) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        PrintStream po = new PrintStream(o, false, StandardCharsets.ISO_8859_1);
        PrintStream pe = new PrintStream(e, false, StandardCharsets.ISO_8859_1);
        int rc = t.run(po, pe);
        po.flush();
        pe.flush();
        return new ToolRun(rc, o.toByteArray(), e.toByteArray());
    }

    /** modinfo of ours, in-process, with {@code cwd} as the working directory. */
    static ToolRun modinfo(String cwd, List<String> args) {
        return ours((o, e) -> Modinfo.run(args.toArray(new String[0]), o, e, cwd, "6.1.0-test"));
    }

    /** A reference program, run in {@code cwd}; stdout and stderr go through files (they can be large). */
    static ToolRun external(Path cwd, List<String> cmd) throws IOException, InterruptedException {
        Path o = Files.createTempFile("toolrun", ".out"), e = Files.createTempFile("toolrun", ".err");
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(o.toFile()).redirectError(e.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("timeout: " + cmd.get(0));
            }
            return new ToolRun(p.exitValue(), Files.readAllBytes(o), Files.readAllBytes(e));
        } finally {
            Files.deleteIfExists(o);
            Files.deleteIfExists(e);
        }
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }
}
