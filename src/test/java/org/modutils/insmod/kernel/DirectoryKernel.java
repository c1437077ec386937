package org.modutils.insmod.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in 2.4 kernel kept in a directory, for tests of the whole command in another process
 * ({@code org.modutils.insmod.cli.DirectoryKernelMain} runs insmod with it). {@code ksyms} is its symbol
 * table, {@code release} its uname -r; create_module makes {@code modules/<name>} (EEXIST if it
 * is there), init_module writes {@code modules/<name>.image}; every call is appended to
 * {@code calls} with the caller's pid. {@code delay-ms} makes symbols() slow, to widen races.
 */
public final class DirectoryKernel implements Kernel {
    private final Path dir;
    private final long pid = ProcessHandle.current().pid();

    public DirectoryKernel(Path dir) {
        this.dir = dir;
    }

    private void record(String call) throws KernelException {
        try {
            Files.writeString(dir.resolve("calls"), pid + " " + call + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new KernelException(5, "stand-in kernel: " + e.getMessage());
        }
    }

    private String read(String name, String dflt) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.ISO_8859_1).strip();
        } catch (IOException e) {
            return dflt;
        }
    }

    @Override public String release() { return read("release", "2.4.27"); }
    @Override public String version() { return read("version", "#1 Sat Jan 1 00:00:00 UTC 2005"); }
    @Override public boolean legacy() { return true; }

    @Override
    public KernelSymbols symbols() throws KernelException {
        record("symbols");
        try {
            Thread.sleep(Long.parseLong(read("delay-ms", "0")));
            KernelSymbols table = KsymsParser.parse(Files.readAllBytes(dir.resolve("ksyms")));
            List<LoadedModule> mods = new ArrayList<>();
            Path m = dir.resolve("modules");
            if (Files.isDirectory(m)) {
                try (var s = Files.list(m)) {
                    for (Path p : s.filter(x -> !x.toString().endsWith(".image")).sorted().toList()) {
                        mods.add(new LoadedModule(p.getFileName().toString(), 0xd0800000L,
                                List.of(new KernelSymbol(0xd0800000L, "__insmod_" + p.getFileName() + "_O/x_M0_V0"))));
                    }
                }
            }
            mods.addAll(table.modules());
            return new KernelSymbols(mods, table.kernel());
        } catch (IOException | KernelException | InterruptedException | NumberFormatException e) {
            throw new KernelException(5, "stand-in kernel: " + e.getMessage());
        }
    }

    @Override
    public long createModule(String name, long size) throws KernelException {
        record("create_module " + name + " " + size);
        try {
            Files.createDirectories(dir.resolve("modules"));
            Files.writeString(dir.resolve("modules").resolve(name), Long.toString(size), StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            throw new KernelException(17, "File exists");
        } catch (IOException e) {
            throw new KernelException(12, "Cannot allocate memory");
        }
        return 0xd0900000L;
    }

    @Override
    public void initModule(String name, byte[] image) throws KernelException {
        record("init_module " + name + " " + image.length);
        try {
            Files.write(dir.resolve("modules").resolve(name + ".image"), image);
        } catch (IOException e) {
            throw new KernelException(5, "Input/output error");
        }
    }

    @Override
    public void deleteModule(String name) throws KernelException {
        record("delete_module " + name);
        try {
            Files.deleteIfExists(dir.resolve("modules").resolve(name));
            Files.deleteIfExists(dir.resolve("modules").resolve(name + ".image"));
        } catch (IOException e) {
            throw new KernelException(5, "Input/output error");
        }
    }

    @Override
    public byte[] readFile(String path) {
        try {
            return path.equals("/proc/ksyms") ? Files.readAllBytes(dir.resolve("ksyms")) : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override public int tainted() { return Integer.parseInt(read("tainted", "0")); }

    @Override
    public void setTainted(int value) throws KernelException {
        record("tainted " + value);
        try {
            Files.writeString(dir.resolve("tainted"), Integer.toString(value));
        } catch (IOException e) {
            throw new KernelException(5, "Input/output error");
        }
    }
}
