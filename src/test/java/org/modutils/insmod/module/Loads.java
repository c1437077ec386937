package org.modutils.insmod.module;

import java.nio.file.Path;

import org.modutils.insmod.cli.Load24;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.report.Report;

/** The tests' way into a whole 2.4 load: the library and insmod's side of it, without -m. */
public final class Loads {
    private Loads() {}

    public static Load24.Result run(LoadRequest req, Report log, Kernel kernel, KernelSymbols ksyms) {
        return Load24.run(req, Load24.Output.NONE, log, kernel, ksyms, ImageLimit.DEFAULT);
    }

    /** With -O {@code blob}. */
    public static Load24.Result run(LoadRequest req, Path blob, Report log, Kernel kernel, KernelSymbols ksyms) {
        return Load24.run(req, new Load24.Output(false, blob), log, kernel, ksyms, ImageLimit.DEFAULT);
    }

    /** Records errors ("file: text") and info lines as the tool would show them. */
    public static class Capture implements Report {
        public final StringBuilder out = new StringBuilder(), err = new StringBuilder();
        public String file = "insmod";
        public int errors;

        @Override public void error(String m) { errors++; err.append(file).append(": ").append(m).append('\n'); }
        @Override public void info(String m) { out.append(m).append('\n'); }
        @Override public void warning(String m) { err.append(m).append('\n'); }
        @Override public void errorFile(String n) { file = n; }
    }
}
