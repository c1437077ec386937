package org.modutils.insmod.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.modutils.insmod.kernel.DirectoryKernel;

/**
 * insmod as a process whose running kernel is the stand-in kept in the directory named by the
 * INSMOD_TEST_KERNEL environment variable (for tests that need several real processes).
 */
public final class DirectoryKernelMain {
    private DirectoryKernelMain() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.ISO_8859_1);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.ISO_8859_1);
        Path dir = Path.of(System.getenv("INSMOD_TEST_KERNEL"));
        int rc = Insmod.run(Argv.bytes(args), new Insmod.Host(out, err, System.getenv(), () -> new DirectoryKernel(dir),
                t -> { }), true, false);
        out.flush();
        err.flush();
        System.exit(rc);
    }
}
