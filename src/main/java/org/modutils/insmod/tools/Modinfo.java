package org.modutils.insmod.tools;

import java.io.PrintStream;
import org.modutils.insmod.sys.Getopt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.modutils.insmod.config.ConfigContext;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.config.ModuleLocator;
import org.modutils.insmod.config.ModulesConf;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.modern.SignatureCheck;
import org.modutils.insmod.modinfo.Field;
import org.modutils.insmod.modinfo.KoReader;
import org.modutils.insmod.modinfo.LegacyModinfo;
import org.modutils.insmod.modinfo.ModinfoException;
import org.modutils.insmod.modinfo.ModuleDirectory;
import org.modutils.insmod.sys.FileNames;

/**
 * modinfo. For 2.6+ modules kmod's modinfo, output for output: the same options
 * ({@code -a -d -l -p -n -0 -m -F -k -b}), fields, order, signature fields, messages and exit
 * status; a name is looked up in {@code /lib/modules/<release>} through depmod's indexes. For a
 * 2.0-2.4 object ({@code .o}, {@code .o.gz}) modutils 2.4's modinfo format, with its
 * {@code -f FORMAT}. Beyond both: {@code --json} and {@code --verify=CERT}.
 */
public final class Modinfo {
    static final Options OPTIONS = new Options()
            .addOption(new Option("a", "author", false, null))
            .addOption(new Option("d", "description", false, null))
            .addOption(new Option("l", "license", false, null))
            .addOption(new Option("p", "parameters", false, null))
            .addOption(new Option("n", "filename", false, null))
            .addOption(new Option("0", "null", false, null))
            .addOption(new Option("m", "modname", false, null))
            .addOption(new Option("F", "field", true, null))
            .addOption(new Option("k", "set-version", true, null))
            .addOption(new Option("b", "basedir", true, null))
            .addOption(new Option("f", "format", true, null))
            .addOption(new Option("V", "version", false, null))
            .addOption(new Option("h", "help", false, null))
            .addOption(Option.builder().longOpt("json").build())
            .addOption(Option.builder().longOpt("verify").hasArg().build());

    /** The settings of one run. */
    static final class Settings {
        String field, format, kversion, root;
        char sep = '\n';
        boolean modname, json;
        final List<String> verify = new ArrayList<>();
        /** On a 2.1-2.4 kernel: modutils' module search (MODPATH, modules.conf) for a bare name; else null. */
        Function<String, Optional<Path>> legacySearch;
    }

    private final Settings s;
    private final PrintStream out;
    private final PrintStream err;
    private final String cwd;
    private final ModuleDirectory dir;
    private final Json json = new Json();

    private Modinfo(Settings s, PrintStream out, PrintStream err, String cwd, String release) {
        this.s = s;
        this.out = out;
        this.err = err;
        this.cwd = cwd;
        String root = s.root == null ? "" : s.root;
        this.dir = new ModuleDirectory(root + "/lib/modules/" + (s.kversion != null ? s.kversion : release));
    }

    /** Runs with the process's streams, working directory and kernel release. */
    public static int run(String[] args) {
        PrintStream out = Streams.out();
        PrintStream err = Streams.err();
        try {
            String release = RunningKernel.release();
            String cwd = FileNames.name(Path.of(System.getProperty("user.dir")));
            return run(args, out, err, cwd, release, legacySearch(args, release));
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * modutils' search for bare names when the running kernel is a 2.1-2.4 one (it has
     * query_module and no depmod indexes to look in); null otherwise. Asked only when some
     * argument is a bare name, so the usual run never touches the native layer.
     */
    private static Function<String, Optional<Path>> legacySearch(String[] args, String release) {
        boolean bare = false;
        for (String a : args) bare |= !a.startsWith("-") && ModuleLocator.searches(a);
        if (!bare || !RunningKernel.legacyKernel()) return null;
        ModulesConf conf = ModulesConf.read(ConfigContext.of(Path.of("/"), System.getenv(), release, false), Report.NONE);
        return new ModuleLocator(conf, true, Report.NONE)::search;
    }

    /** One run; {@code cwd} makes relative paths absolute as kmod prints them; {@code release} stands in for uname -r. */
    public static int run(String[] args, PrintStream out, PrintStream err, String cwd, String release) {
        return run(args, out, err, cwd, release, null);
    }

    /** {@link #run(String[], PrintStream, PrintStream, String, String)} with modutils' search for bare names. */
    public static int run(String[] args, PrintStream out, PrintStream err, String cwd, String release,
                          Function<String, Optional<Path>> legacySearch) {
        Settings s = new Settings();
        s.legacySearch = legacySearch;
        Getopt g;
        try {
            g = Getopt.parse(OPTIONS, args, Getopt.IGNORE);
        } catch (Getopt.UsageError e) {
            err.print("modinfo: " + e.getMessage() + "\n");
            return 1;
        }
        for (Getopt.Opt o : g.options) {
            switch (o.key()) {
                case "a": s.field = "author"; break;
                case "d": s.field = "description"; break;
                case "l": s.field = "license"; break;
                case "p": s.field = "parm"; break;
                case "n": s.field = "filename"; break;
                case "0": s.sep = '\0'; break;
                case "m": s.modname = true; break;
                case "F": s.field = o.arg(); break;
                case "k": s.kversion = o.arg(); break;
                case "b": s.root = o.arg(); break;
                case "f": s.format = o.arg(); break;
                case "json": s.json = true; break;
                case "verify":
                    for (String c : o.arg().split(",")) s.verify.add(new String(c.getBytes(StandardCharsets.ISO_8859_1), FileNames.platformCharset()));
                    break;
                case "h": out.print(help()); return 0;
                case "V": out.print("modinfo (Linux modutils) 2.4.16, kmod-compatible\n"); return 0;
                default: return 1;
            }
        }
        if (g.operands.isEmpty()) {
            err.print("modinfo: ERROR: missing module or filename.\n");
            return 1;
        }
        if (s.format != null) {
            String bad = LegacyModinfo.checkFormat(s.format);
            if (bad != null) {
                err.print("modinfo: " + bad + "\n");
                return 1;
            }
        }
        return new Modinfo(s, out, err, cwd, release).all(g.operands);
    }

    private int all(List<String> names) {
        if (s.json) json.begin('[');
        boolean failed = false;
        for (String name : names) {
            try {
                if (!one(name)) failed = true;
            } catch (ModinfoException e) {
                err.print((s.legacySearch != null ? "modinfo: " : "modinfo: ERROR: ") + e.getMessage() + "\n");
                if (s.json) json.begin('{').field("argument", name).field("error", e.getMessage()).end('}');
                failed = true;
            } catch (RuntimeException | OutOfMemoryError e) {
                err.print("modinfo: ERROR: internal error on " + name + ": " + e + "\n");
                failed = true;
            }
        }
        if (s.json) out.print(json.end(']') + "\n");
        return failed ? 1 : 0;
    }

    /** One argument: a module file, a 2.4 object, a module name (-m) or an alias. False when it failed. */
    private boolean one(String name) throws ModinfoException {
        if (s.legacySearch != null && ModuleLocator.searches(name)) {
            Optional<Path> found = s.legacySearch.apply(name);
            if (found.isEmpty()) throw new ModinfoException(Errno.ENOENT, name + ": no module by that name found");
            String f = FileNames.name(found.get());
            return isKoName(f) ? show(f, found.get()) : legacy(found.get(), f);
        }
        String shown = name.startsWith("/") ? name : cwd + "/" + name;
        Path p = ModuleDirectory.path(shown);
        boolean file = p != null && Files.isRegularFile(p);
        if (!s.modname && file && LegacyModinfo.isObjectName(name)) return legacy(p, name);
        if (s.modname) {
            ModuleDirectory.Found f = dir.lookupName(name);
            if (f == null) throw new ModinfoException(Errno.ENOENT, "Module name " + name + " not found.");
            return module(f);
        }
        if (file && isKoName(name)) return show(shown, p);
        List<ModuleDirectory.Found> found;
        try {
            found = dir.lookup(name);
        } catch (ModinfoException e) {
            throw new ModinfoException(e.errno(), "Module alias " + name + " not found.");
        }
        if (found.isEmpty()) throw new ModinfoException(Errno.ENOENT, "Module " + name + " not found.");
        boolean ok = true;
        for (ModuleDirectory.Found f : found) ok &= module(f);
        return ok;
    }

    static boolean isKoName(String name) {
        return name.endsWith(".ko") || name.endsWith(".ko.gz") || name.endsWith(".ko.xz") || name.endsWith(".ko.zst");
    }

    private boolean module(ModuleDirectory.Found f) {
        if (f.path() != null) return show(f.path(), ModuleDirectory.path(f.path()));
        if (s.json) {
            json.begin('{').field("filename", "(builtin)").field("name", f.name()).key("builtin").value(true);
            List<Field> fields = dir.builtinFields(f.name());
            fieldsJson(fields == null ? List.of() : fields);
            json.end('}');
            return true;
        }
        if (s.field == null) out.print(KmodFormat.pad("name:") + f.name() + s.sep);
        else if (s.field.equals("name")) out.print(f.name() + s.sep);
        if ("filename".equals(s.field)) {
            out.print("(builtin)" + s.sep);
            return true;
        }
        if (s.field == null) out.print(KmodFormat.pad("filename:") + "(builtin)" + s.sep);
        List<Field> fields = dir.builtinFields(f.name());
        if (fields != null) KmodFormat.print(fields, s.field, s.sep, out, err);
        return true;
    }

    /** modinfo_do for a module file shown as {@code shown}. */
    private boolean show(String shown, Path file) {
        String modname = KoReader.nameOf(shown);
        if (s.json) return showJson(shown, file, modname);
        if ("filename".equals(s.field)) {
            out.print(shown + s.sep);
            return true;
        }
        if (s.field == null) out.print(KmodFormat.pad("filename:") + shown + s.sep);
        byte[] image;
        List<Field> fields;
        try {
            image = KoReader.load(file);
            fields = new ArrayList<>(KoReader.fields(image));
        } catch (ModinfoException e) {
            err.print("modinfo: ERROR: could not get modinfo from '" + modname + "': " + e.getMessage() + "\n");
            return false;
        }
        SignatureCheck.Result v = s.verify.isEmpty() ? null : SignatureCheck.verify(image, s.verify);
        if (v != null) fields.add(new Field("verify", (v.ok() ? "ok: " : "FAILED: ") + v.message()));
        KmodFormat.print(fields, s.field, s.sep, out, err);
        return v == null || v.ok();
    }

    private boolean showJson(String shown, Path file, String modname) {
        json.begin('{').field("filename", shown).field("name", modname).key("builtin").value(false);
        try {
            byte[] image = KoReader.load(file);
            fieldsJson(KoReader.fields(image));
            if (s.verify.isEmpty()) return json.end('}') != null;
            SignatureCheck.Result v = SignatureCheck.verify(image, s.verify);
            json.key("verify").begin('{').key("ok").value(v.ok()).field("message", v.message()).end('}');
            json.end('}');
            return v.ok();
        } catch (ModinfoException e) {
            err.print("modinfo: ERROR: could not get modinfo from '" + modname + "': " + e.getMessage() + "\n");
            json.field("error", e.getMessage()).end('}');
            return false;
        }
    }

    /** "format", "fields", "parameters" and "signature" of a 2.6+ module (schema: docs/json.md). */
    private void fieldsJson(List<Field> fields) {
        json.field("format", "kmod");
        ModuleJson.fields(json, fields);
    }

    private boolean legacy(Path file, String name) {
        if (s.json) return ModuleJson.legacy(json, file, name, err);
        String format = s.format;
        if (format == null) {
            format = s.field == null ? LegacyModinfo.DEFAULT_FORMAT
                    : "parm".equals(s.field) ? "%p\n" : "filename".equals(s.field) ? "%n\n" : "%{" + s.field + "}\n";
        }
        LegacyModinfo.Result r = LegacyModinfo.show(file, name, format, s.sep);
        out.print(r.out());
        for (String e : r.errors()) err.print(e + "\n");
        return r.errors().isEmpty();
    }

    static String help() {
        return "Usage:\n"
                + "\tmodinfo [options] <modulename|filename> [args]\n"
                + "Options:\n"
                + "\t-a, --author                Print only 'author'\n"
                + "\t-d, --description           Print only 'description'\n"
                + "\t-l, --license               Print only 'license'\n"
                + "\t-p, --parameters            Print only 'parm'\n"
                + "\t-n, --filename              Print only 'filename'\n"
                + "\t-0, --null                  Use \\0 instead of \\n\n"
                + "\t-m, --modname               Handle argument as module name instead of alias or filename\n"
                + "\t-F, --field=FIELD           Print only provided FIELD\n"
                + "\t-k, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
                + "\t-b, --basedir=DIR           Use DIR as filesystem root for /lib/modules\n"
                + "\t-f, --format=FORMAT         2.4 objects (.o): modutils' query string (%n %d %a %l %p %{tag})\n"
                + "\t    --json                  Print one JSON array (docs/json.md)\n"
                + "\t    --verify=CERT[,CERT]    Check each module's signature against these certificates\n"
                + "\t-V, --version               Show version\n"
                + "\t-h, --help                  Show this help\n";
    }
}
