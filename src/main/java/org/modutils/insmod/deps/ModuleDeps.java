package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.modutils.insmod.modern.Compression;
import org.modutils.insmod.modern.KoFile;

/**
 * kmod's depmod as a library: finds the modules, reads them (in parallel), resolves every
 * needed symbol to the module exporting it, orders the modules topologically and renders the
 * files depmod writes. {@link #run} returns the files' contents; writing them is the caller's.
 */
public final class ModuleDeps {
    /** A symbol of the table: its exporter (null for the kernel) and CRC. */
    static final class Sym {
        final String name;
        final Mod owner;
        final long crc;

        Sym(String name, Mod owner, long crc) {
            this.name = name;
            this.owner = owner;
            this.crc = crc;
        }
    }

    final DepmodRequest req;
    final DepmodLog log;
    final Map<String, Sym> symbols = new HashMap<>(1 << 15);
    List<Mod> modules;

    private ModuleDeps(DepmodRequest req, DepmodLog log) {
        this.req = req;
        this.log = log;
    }

    /** Computes everything; the result holds each file's name and bytes in kmod's writing order. */
    public static DepmodResult run(DepmodRequest req, DepmodLog log) throws DepmodException {
        ModuleDeps d = new ModuleDeps(req, log);
        d.loadKernelSymbols();
        d.findModules();
        d.loadModules();
        d.resolve();
        TopoSort.sort(d.modules, log);
        return DepmodOutput.render(d);
    }

    private void loadKernelSymbols() throws DepmodException {
        if (req.symvers() != null) {
            KernelSymbols.symvers(this, req.symvers());
        } else if (req.systemMap() != null) {
            KernelSymbols.systemMap(this, req.systemMap());
        }
    }

    private void findModules() throws DepmodException {
        DepmodConfig cfg = DepmodConfig.load(req.configPaths(), req.kversion(), log);
        ModuleScan scan = new ModuleScan(req.moduleDir(), cfg, log);
        if (req.modules().isEmpty()) {
            scan.searchAll();
        } else {
            for (String p : req.modules()) {
                if (!p.startsWith("/")) throw new DepmodException(p + ": not absolute path.", true);
                if (!Files.isRegularFile(Path.of(p)))
                    throw new DepmodException("could not create module " + p + ": No such file or directory", true);
                String name = Mod.nameOf(p);
                scan.byName.putIfAbsent(name, new Mod(p, req.moduleDir(), name));
            }
        }
        modules = scan.array();
    }

    /** Reads every module on all cores; results land in each Mod, errors are logged in order. */
    private void loadModules() {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "depmod-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<String>> results = new ArrayList<>(modules.size());
            for (Mod m : modules) results.add(pool.submit(() -> readModule(m)));
            for (int i = 0; i < modules.size(); i++) {
                String error = get(results.get(i));
                if (error != null) log.error(error);
            }
        } finally {
            pool.shutdownNow();
        }
        for (Mod m : modules) {
            if (m.facts == null) continue;
            for (ModuleFacts.Symbol s : m.facts.exports()) addSymbol(s.name(), false, s.crc(), m);
        }
    }

    private static String get(Future<String> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause());
        }
    }

    /** Reads one module; returns kmod's error line for it, or null. */
    private static String readModule(Mod m) {
        String failed = "failed to load symbols from " + m.path + ": ";
        byte[] data;
        try {
            data = Files.readAllBytes(Path.of(m.path));
        } catch (IOException e) {
            return failed + DepmodLog.reason(e);
        }
        try {
            data = Compression.detect(data).decompress(data);
        } catch (IOException | RuntimeException e) {
            return failed + "Invalid argument";
        }
        if (data.length == 0) return failed + "Invalid argument";
        if (data.length <= 16 || !KoFile.isElf(data)) return failed + "Exec format error";
        try {
            m.facts = ModuleFacts.read(data);
        } catch (KoFile.BadModuleException | RuntimeException e) {
            return failed + "Invalid argument";
        }
        if (m.facts.exportError() != null) return failed + m.facts.exportError();
        return null;
    }

    void addSymbol(String name, boolean prefixSkipped, long crc, Mod owner) {
        if (!prefixSkipped && req.symPrefix() != 0 && !name.isEmpty() && name.charAt(0) == req.symPrefix())
            name = name.substring(1);
        symbols.put(name, new Sym(name, owner, crc));
    }

    Sym findSymbol(String name) {
        if (name.startsWith(".")) name = name.substring(1);
        if (req.symPrefix() != 0 && !name.isEmpty() && name.charAt(0) == req.symPrefix()) name = name.substring(1);
        return symbols.get(name);
    }

    /** Turns each module's needed symbols into dependencies on their exporters. */
    private void resolve() {
        boolean checkCrcs = req.symvers() != null;
        boolean printUnknown = req.printUnknown() && (req.symvers() != null || req.systemMap() != null);
        for (Mod m : modules) {
            if (m.facts == null) continue;
            for (ModuleFacts.Needed n : m.facts.needs()) {
                Sym s = findSymbol(n.name());
                if (s == null) {
                    if (printUnknown && !n.weak()) log.warning(m.path + " needs unknown symbol " + n.name());
                    continue;
                }
                if (checkCrcs && s.crc != n.crc() && !n.weak() && printUnknown)
                    log.warning(m.path + " disagrees about version of symbol " + n.name());
                if (s.owner == null || !m.addDep(s.owner)) continue;
                s.owner.users++;
                log.show(m.path + " needs \"" + s.name + "\": " + s.owner.path);
            }
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
