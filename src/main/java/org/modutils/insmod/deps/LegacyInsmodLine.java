package org.modutils.insmod.deps;

import java.util.ArrayList;
import java.util.List;

/**
 * The insmod command line modutils 2.4's modprobe runs for one module: {@code /sbin/insmod},
 * {@code -k} (with -k, unless {@code options -k} said no), {@code -q}, {@code -s}, the words of
 * {@code insmod_opt=}, the module's path (under the base directory, if any), then its options from modules.conf (the deepest alias
 * level's first; a later {@code NAME=} replaces an earlier one with the same NAME, a later
 * {@code -o NAME} the earlier {@code -o}; a word that is neither ends that level's list), then
 * the PARAM=VALUE words of the command line, replacing configured ones of the same name.
 */
final class LegacyInsmodLine {
    private LegacyInsmodLine() {}

    static List<String> argv(LegacyStack.Desc d, LegacyProbe.Settings s, List<String> cmdline) {
        List<String> argv = new ArrayList<>();
        argv.add("/sbin/insmod");
        if (s.autoclean() && d.autoclean) argv.add("-k");
        if (s.quiet()) argv.add("-q");
        if (s.syslog()) argv.add("-s");
        if (s.insmodOpt() != null) {
            for (String w : s.insmodOpt().split("[ \t]+")) if (!w.isEmpty()) argv.add(w);
        }
        argv.add(d.nod.path().startsWith("/") ? s.base() + d.nod.path() : d.nod.path());
        int modopts = argv.size();
        for (List<String> level : d.options) configured(argv, modopts, level);
        if (cmdline != null) {
            for (String o : cmdline) {
                if (o.indexOf('=') < 0) break;
                replaceOrAdd(argv, modopts, o);
            }
        }
        return argv;
    }

    private static void configured(List<String> argv, int modopts, List<String> level) {
        for (int n = 0; n < level.size(); n++) {
            String opt = level.get(n);
            if (opt.equals("-o")) {
                String value = n + 1 < level.size() ? level.get(++n) : "";
                int j = argv.subList(modopts, argv.size()).indexOf("-o");
                if (j >= 0 && modopts + j + 1 < argv.size()) {
                    argv.set(modopts + j + 1, value);
                } else {
                    argv.add("-o");
                    argv.add(value);
                }
            } else if (opt.indexOf('=') >= 0) {
                replaceOrAdd(argv, modopts, opt);
            } else {
                return;
            }
        }
    }

    /** An option NAME=VALUE: in place of the first one from {@code modopts} on with the same "NAME=", else at the end. */
    private static void replaceOrAdd(List<String> argv, int modopts, String opt) {
        String key = opt.substring(0, opt.indexOf('=') + 1);
        for (int j = modopts; j < argv.size(); j++) {
            if (argv.get(j).startsWith(key)) {
                argv.set(j, opt);
                return;
            }
        }
        argv.add(opt);
    }
}
