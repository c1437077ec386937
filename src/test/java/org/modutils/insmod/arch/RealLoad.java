package org.modutils.insmod.arch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.KsymsParser;
import org.modutils.insmod.cli.Load24;
import org.modutils.insmod.module.LoadRequest;
import org.modutils.insmod.module.Loads;
import org.modutils.insmod.report.Report;

/**
 * A load into a pretend 2.4 kernel (not -n): create_module hands out {@code address}, init_module
 * keeps the image. Relocations are then checked strictly, as for a real kernel.
 */
final class RealLoad {
    private RealLoad() {}

    record Outcome(int status, List<String> errors, byte[] image) {}

    static Outcome load(Path obj, Path ksyms, long address) throws Exception {
        KernelSymbols table = KsymsParser.parse(Files.readAllBytes(ksyms));
        byte[][] loaded = new byte[1][];
        Kernel kernel = new Kernel() {
            @Override public String release() { return "2.4.27"; }
            @Override public String version() { return "#1 Sat Jan 1 00:00:00 UTC 2005"; }
            @Override public boolean legacy() { return true; }
            @Override public KernelSymbols symbols() { return table; }
            @Override public long createModule(String name, long size) { return address; }
            @Override public void initModule(String name, byte[] image) { loaded[0] = image; }
            @Override public void deleteModule(String name) {}
            @Override public byte[] readFile(String path) { return null; }
            @Override public int tainted() { return 0; }
            @Override public void setTainted(int value) {}
        };
        List<String> errors = new ArrayList<>();
        Report log = new Report() {
            private String file = "insmod";

            @Override public void error(String message) { errors.add(message); }
            @Override public void info(String message) {}
            @Override public void warning(String message) {}
            @Override public void errorFile(String name) { file = name; }
        };
        String name = obj.getFileName().toString().replaceFirst("\\.o$", "");
        LoadRequest req = LoadRequest.builder(obj.toString(), Files.readAllBytes(obj))
                .realPath(obj.toAbsolutePath(), 0x40000000L).moduleName(name)
                .kernel(kernel.release(), kernel.version()).noload(false)
                .option(LoadRequest.Option.LOCK, false).build();
        Load24.Result r = Loads.run(req, log, kernel, table);
        return new Outcome(r.status(), errors, loaded[0]);
    }
}
