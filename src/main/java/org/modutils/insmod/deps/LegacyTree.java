package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.modutils.insmod.config.ConfigContext;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.config.ModuleLocator;
import org.modutils.insmod.config.ModulesConf;

/**
 * modutils 2.4's {@code depmod -a}: modules.conf read as insmod reads it (its {@code path}
 * lines, or the default search list, under the -b base directory), every file of those
 * directories loaded in the walk's order ({@code config_lstmod}), and the generated files'
 * names: modules.conf's {@code depfile=}, {@code pcimapfile=}... (expanded, under the base
 * directory), else {@code BASE/lib/modules/VERSION/modules.dep} and so on. {@code -A} first looks whether
 * any generated file is missing or older than modules.conf or than an object of
 * {@code BASE/lib/modules/VERSION}; when none is, there is nothing to do.
 */
public final class LegacyTree {
    /**
     * The run asked for.
     *
     * @param baseDir    -b as typed ("" for none)
     * @param version    the kernel release whose tree is read (the operand, else uname -r)
     * @param configFile -C, or null
     * @param ksymsFile  -F, or null
     * @param rootCheck  false with -r (modules not owned by root are taken too)
     * @param env        the environment the configuration sees
     * @param runningKernel without -F, the running 2.4 kernel's exported names (or null)
     */
    public record Request(String baseDir, String version, String configFile, String ksymsFile, boolean quick,
                          boolean showErrors, boolean quiet, boolean unresolvedError, boolean rootCheck,
                          Map<String, String> env, List<String> runningKernel) {}

    /**
     * The outcome: {@code upToDate} when -A found nothing newer (nothing else is set then);
     * {@code configFailed} when the configuration could not be read; else the result and the
     * files to write, in the order of {@link LegacyDepmod#FILES}.
     */
    public record Outcome(boolean upToDate, boolean configFailed, LegacyDepmod.Result result, List<Path> files) {}

    private LegacyTree() {}

    public static Outcome run(Request req, Report out) {
        String base = req.baseDir();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        ConfigContext ctx = ConfigContext.under(base, req.env(), req.configFile(), req.version(), false);
        ModulesConf conf = ModulesConf.read(ctx, quietFailure(out));
        if (conf.failed()) return new Outcome(false, true, null, List.of()); // no generated names then
        List<Path> files = new ArrayList<>();
        for (String f : LegacyDepmod.FILES) files.add(Path.of(conf.generatedFile(f)));
        if (req.quick() && !needUpdate(files, base, req.version())) return new Outcome(true, false, null, files);
        List<String> objects = new ModuleLocator(conf, req.rootCheck(), out).listAll();
        LegacyDepmod.Result r = LegacyDepmod.run(new LegacyDepmod.Request(objects, req.ksymsFile(), base,
                req.showErrors(), req.quiet(), req.unresolvedError(), req.runningKernel()));
        return new Outcome(false, false, r, files);
    }

    /** depmod does not say insmod's "Failed handle configuration". */
    private static Report quietFailure(Report out) {
        return Report.of(text -> {
            if (!text.equals("Failed handle configuration")) out.error(text);
        }, out::info, out::warning);
    }

    /** modutils' need_update: a file missing, or modules.conf or an object newer than one of them. */
    static boolean needUpdate(List<Path> files, String base, String version) {
        if (version.length() > 50) return true;
        long oldest = Long.MAX_VALUE;
        try {
            for (Path f : files) {
                if (!Files.exists(f)) return true;
                oldest = Math.min(oldest, Files.getLastModifiedTime(f).toMillis() / 1000);
            }
            Path conf = Path.of("/etc/modules.conf");
            if (!Files.exists(conf)) conf = Path.of("/etc/conf.modules");
            if (!Files.exists(conf)) return true;
            if (seconds(Files.getLastModifiedTime(conf)) > oldest) return true;
            Path dir = Path.of(base + "/lib/modules/" + version);
            if (!Files.isDirectory(dir)) return true;
            final long limit = oldest;
            try (Stream<Path> s = Files.walk(dir)) {
                return s.anyMatch(p -> isObject(p.toString()) && Files.isRegularFile(p) && newer(p, limit));
            }
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean isObject(String name) {
        return name.endsWith(".o") || name.endsWith(".mod") || name.endsWith(".o.gz");
    }

    private static boolean newer(Path p, long limit) {
        try {
            return seconds(Files.getLastModifiedTime(p)) > limit;
        } catch (IOException e) {
            return true;
        }
    }

    private static long seconds(FileTime t) {
        return t.toMillis() / 1000;
    }
}
