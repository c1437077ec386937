package org.modutils.insmod.module;

import static org.modutils.insmod.elf.Elf.*;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.Sym;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.report.UserError;

/** 2.4 module parameters: MODULE_PARM checks and symbol=value assignment, as modutils does them. */
final class Params {
    private Params() {}

    /** Result of check_module_parameters: persistence wanted, and whether an error stopped the scan. */
    record Check(boolean persist, int warnings) {}

    /**
     * check_module_parameters: validates every {@code parm_*} entry of .modinfo (except
     * {@code parm_desc_*}); warnings go to stdout with the file name, errors count.
     */
    static Check check(ObjFile f, String file, Report log) {
        if (f.find(".modinfo") == null) {
            return new Check(false, 0);
        }
        boolean persist = false;
        int warnings = 0;
        for (String e : ModInfo.entries(f)) {
            int eq = e.indexOf('=');
            if (eq >= 0) {
                if (eq >= 5 && e.startsWith("parm_") && !(eq > 10 && e.startsWith("parm_desc_"))) {
                    String key = e.substring(5, eq);
                    String p = e.substring(eq + 1);
                    Verdict r = checkOne(f, log, file, key, p);
                    if (r == Verdict.PERSISTENT) {
                        persist = true;
                    } else if (r == Verdict.WARNING) {
                        warnings++;
                        break;
                    } else if (r == Verdict.ERROR) {
                        break;
                    }
                }
            } else if (e.length() >= 5 && e.startsWith("parm_")) {
                log.error("parameter " + e + " found with no value");
                return new Check(false, warnings);
            }
        }
        return new Check(persist, warnings);
    }

    /** What checking one parameter came to. */
    private enum Verdict { FINE, WARNING, PERSISTENT, ERROR }

    private static Verdict checkOne(ObjFile f, Report log, String file, String key, String p) {
        if (f.findSymbol(key) == null) {
            log.info("Warning: " + file + " symbol for parameter " + key + " not found");
            return Verdict.WARNING;
        }
        int i = 0;
        int min, max;
        if (i < p.length() && CNum.isDigit(p.charAt(i))) {
            CNum.Parsed a = CNum.strtoul(p, i, 10, true);
            min = (int) a.value();
            i = a.end();
            if (i < p.length() && p.charAt(i) == '-') {
                CNum.Parsed b = CNum.strtoul(p, i + 1, 10, true);
                max = (int) b.value();
                i = b.end();
            } else {
                max = min;
            }
        } else {
            min = max = 1;
        }
        if (max < min) {
            log.info("Warning: " + file + " parameter " + key + " has max < min!");
            return Verdict.WARNING;
        }
        char c = i < p.length() ? p.charAt(i) : 0;
        switch (c) {
            case 'c':
                if (!(i + 1 < p.length() && CNum.isDigit(p.charAt(i + 1)))) {
                    log.info(file + " parameter " + key + " has no size after 'c'!");
                    return Verdict.WARNING;
                }
                while (i + 1 < p.length() && CNum.isDigit(p.charAt(i + 1))) {
                    i++;
                }
                break;
            case 'b': case 'h': case 'i': case 'l': case 's':
                break;
            case 0:
                log.info(file + " parameter " + key + " has no format character!");
                return Verdict.WARNING;
            default:
                log.info(file + " parameter " + key + " has unknown format character '" + c + "'");
                return Verdict.WARNING;
        }
        i++;
        char m = i < p.length() ? p.charAt(i) : 0;
        if (m == 'p') {
            if (p.charAt(i - 1) == 's') {
                log.error("parameter " + key + " is invalid persistent string");
                return Verdict.ERROR;
            }
            return Verdict.PERSISTENT;
        } else if (m != 0) {
            log.info(file + " parameter " + key + " has unknown format modifier '" + m + "'");
            return Verdict.WARNING;
        }
        return Verdict.FINE;
    }

    /**
     * process_module_arguments: assigns each {@code name=value}; {@code required} is true for the
     * command line (an unknown parameter is an error) and false for persistent data files.
     * Returns false after reporting an error.
     */
    static boolean process(ObjFile f, List<String> args, boolean required, boolean hasModinfo, boolean verbose,
                           Report log) {
        for (String arg : args) {
            int eqAt = arg.indexOf('=');
            if (eqAt < 0) {
                continue;
            }
            String name = arg.substring(0, eqAt);
            String input = arg.substring(eqAt + 1);
            String key;
            String fmt;
            int min, max;
            if (hasModinfo) {
                fmt = ModInfo.get(f, "parm_" + name);
                if (fmt == null) {
                    if (required) {
                        log.error("invalid parameter parm_" + name);
                        return false;
                    }
                    if (verbose) {
                        log.info("ignoring " + arg);
                    }
                    continue;
                }
                key = name;
                if (!fmt.isEmpty() && CNum.isDigit(fmt.charAt(0))) {
                    CNum.Parsed a = CNum.strtoul(fmt, 0, 10, f.wide);
                    min = (int) a.value();
                    int i = a.end();
                    if (i < fmt.length() && fmt.charAt(i) == '-') {
                        CNum.Parsed b = CNum.strtoul(fmt, i + 1, 10, f.wide);
                        max = (int) b.value();
                        i = b.end();
                    } else {
                        max = min;
                    }
                    fmt = fmt.substring(i);
                } else {
                    min = max = 1;
                }
            } else {
                key = name;
                fmt = !input.isEmpty() && CNum.isDigit(input.charAt(0)) ? "i" : "s";
                min = max = 0;
            }
            Sym sym = f.findSymbol(key);
            if (sym == null || sym.secidx > SHN_HIRESERVE || sym.secidx >= f.sectionCount()
                    || f.section(sym.secidx).contents() == null) {
                log.error("symbol for parameter " + key + " not found");
                return false;
            }
            if (!assign(f, sym, key, fmt, input, min, max, log)) {
                return false;
            }
        }
        return true;
    }

    private static boolean assign(ObjFile f, Sym sym, String key, String fmt, String input, int min, int max,
                                  Report log) {
        try {
            int n = assignValues(f, sym, key, fmt, input, max);
            if (min != 0 && n < min) {
                throw new UserError("too few values for " + key + " (min " + min + ")");
            }
            return true;
        } catch (UserError e) {
            e.reportTo(log);
            return false;
        }
    }

    /** Writes each comma-separated value of {@code input} in turn; returns how many there were. */
    private static int assignValues(ObjFile f, Sym sym, String key, String fmt, String input, int max)
            throws UserError {
        LinkSection sec = f.section(sym.secidx);
        long loc = sym.value;
        int n = 1;
        int in = 0;
        char type = fmt.isEmpty() ? 0 : fmt.charAt(0);
        while (in < input.length()) {
            switch (type) {
                case 's':
                case 'c': {
                    Value v = stringValue(input, in, key);
                    in = v.end();
                    loc = storeString(f, sym, sec, loc, fmt, key, v.text());
                    break;
                }
                case 'b': case 'h': case 'i': case 'l': {
                    int size = type == 'b' ? 1 : type == 'h' ? 2 : type == 'i' ? 4 : f.target.wordSize();
                    CNum.Parsed v = CNum.strtoul(input, in, 0, f.wide);
                    fits(sec, loc, size, key);
                    f.write(sec, loc, size, v.value());
                    in = v.end();
                    loc += size;
                    break;
                }
                default:
                    throw new UserError("unknown parameter type '" + (type == 0 ? "" : String.valueOf(type)) + "' for "
                            + key);
            }
            while (in < input.length() && CNum.isSpace(input.charAt(in))) {
                in++;
            }
            if (in >= input.length()) {
                break;
            }
            if (input.charAt(in) != ',') {
                throw new UserError("invalid argument syntax for " + key + ": '" + input.charAt(in) + "'");
            }
            if (max != 0 && ++n > max) {
                throw new UserError("too many values for " + key + " (max " + max + ")");
            }
            in++;
        }
        return n;
    }

    /** A string value and where the input goes on after it. */
    private record Value(String text, int end) {}

    /** A string value at {@code in}: quoted (with C escapes) or up to the next comma, cut at a NUL. */
    private static Value stringValue(String input, int in, String key) throws UserError {
        if (input.charAt(in) != '"') {
            int comma = input.indexOf(',', in);
            int end = comma >= 0 ? comma : input.length();
            return new Value(cString(input.substring(in, end)), end);
        }
        StringBuilder r = new StringBuilder();
        in++;
        while (true) {
            char ch = in < input.length() ? input.charAt(in) : 0;
            if (in >= input.length() || (ch == '\\' && (in + 1 >= input.length() || input.charAt(in + 1) == 0))) {
                throw new UserError("improperly terminated string argument for " + key);
            }
            if (ch == '"') {
                return new Value(cString(r.toString()), in + 1);
            }
            if (ch != '\\') {
                r.append(ch);
                in++;
            } else {
                in = escape(input, in + 1, r) + 1;
            }
        }
    }

    /** The escape whose letter is at {@code in}, appended to {@code r}; returns the index of its last character. */
    private static int escape(String input, int in, StringBuilder r) {
        char e = input.charAt(in);
        switch (e) {
            case 'a': r.append('\007'); break;
            case 'b': r.append('\b'); break;
            case 'e': r.append('\033'); break;
            case 'f': r.append('\f'); break;
            case 'n': r.append('\n'); break;
            case 'r': r.append('\r'); break;
            case 't': r.append('\t'); break;
            case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
                int c = e - '0';
                for (int k = 0; k < 2 && in + 1 < input.length() && input.charAt(in + 1) >= '0'
                        && input.charAt(in + 1) <= '7'; k++) {
                    c = c * 8 + input.charAt(++in) - '0';
                }
                r.append((char) (c & 0xff));
                break;
            }
            default:
                r.append(e);
        }
        return in;
    }

    /** A C string ends at its first NUL. */
    private static String cString(String s) {
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }

    /** Stores a string value: 's' a pointer to it (patched later), 'cN' the characters; returns the next place. */
    private static long storeString(ObjFile f, Sym sym, LinkSection sec, long loc, String fmt, String key, String str)
            throws UserError {
        if (fmt.charAt(0) == 's') {
            int ptr = f.target.wordSize();
            fits(sec, loc, ptr, key);
            f.stringPatch(sym.secidx, loc, str);
            return loc + ptr;
        }
        if (!(fmt.length() > 1 && CNum.isDigit(fmt.charAt(1)))) {
            throw new UserError("parameter type 'c' for " + key + " must be followed by the maximum size");
        }
        long size = CNum.strtoul(fmt, 1, 10, f.wide).value();
        if (str.length() >= size - 1) {
            throw new UserError("string too long for " + key + " (max " + (size - 1) + ")");
        }
        byte[] b = str.getBytes(StandardCharsets.ISO_8859_1);
        fits(sec, loc, b.length + 1, key);
        System.arraycopy(b, 0, sec.contents(), (int) loc, b.length);
        sec.contents()[(int) loc + b.length] = 0;
        return loc + size;
    }

    /** Where the original would write past its section, we refuse. */
    private static void fits(LinkSection sec, long loc, long size, String key) throws UserError {
        if (loc < 0 || loc + size > sec.size || sec.contents() == null || loc + size > sec.contents().length) {
            throw new UserError("values for " + key + " do not fit in section " + sec.name);
        }
    }
}
