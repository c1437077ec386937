package org.modutils.insmod.modern.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel's parse_args over the module's parameters: the argument string split as next_arg
 * splits it (blanks outside double quotes, quotes dropped), each name matched with '-' and '_'
 * alike, each value put through the declared type's parser.
 */
final class ParamCheck {
    private ParamCheck() {}

    record Arg(String name, String value) {}

    /** The kernel's next_arg over the whole string. */
    static List<Arg> split(String args) {
        List<Arg> out = new ArrayList<>();
        int at = 0;
        while (at < args.length()) {
            while (at < args.length() && Character.isWhitespace(args.charAt(at))) at++;
            if (at >= args.length()) break;
            boolean quoted = false, inQuote = false;
            if (args.charAt(at) == '"') {
                at++;
                quoted = inQuote = true;
            }
            int i = at, equals = -1;
            for (; i < args.length(); i++) {
                char c = args.charAt(i);
                if (Character.isWhitespace(c) && !inQuote) break;
                if (equals < 0 && c == '=') equals = i;
                if (c == '"') inQuote = !inQuote;
            }
            int end = i;
            String name, val = null;
            if (equals < 0) {
                name = args.substring(at, end);
            } else {
                name = args.substring(at, equals);
                int vs = equals + 1;
                if (vs < end && args.charAt(vs) == '"') {
                    vs++;
                    if (end > vs && args.charAt(end - 1) == '"') end--;
                }
                val = args.substring(Math.min(vs, end), end);
                if (quoted && val.endsWith("\"")) val = val.substring(0, val.length() - 1);
            }
            if (quoted && equals < 0 && name.endsWith("\"")) name = name.substring(0, name.length() - 1);
            out.add(new Arg(name, val));
            at = i + 1;
        }
        return out;
    }

    static void check(String module, String argString, Map<String, ParamDecls.Decl> decls, boolean is64,
                      List<Finding> out) {
        int before = out.size();
        for (Arg a : split(argString)) {
            if (a.value() == null && a.name().equals("--")) break;
            ParamDecls.Decl d = find(decls, a.name());
            if (d == null) {
                if (!ignoredByKernel(a.name()))
                    out.add(Finding.warning("param", "unknown parameter '" + a.name() + "': " + module
                            + " declares no such parameter; the kernel ignores it with a warning ("
                            + declared(decls) + ")"));
                continue;
            }
            String err = value(d, a.value(), is64);
            if (err == null) {
                out.add(Finding.pass("param", a.name() + "=" + (a.value() == null ? "" : a.value()) + ": valid, "
                        + describe(d)));
                continue;
            }
            out.add(Finding.error("param", "`" + (a.value() == null ? "" : a.value()) + "' "
                    + ("ENOSPC".equals(err) ? "too large" : "invalid") + " for parameter `" + a.name() + "' -- "
                    + a.name() + " is " + describe(d) + ": " + why(d, a.value(), err)));
        }
        if (out.size() == before && !decls.isEmpty())
            out.add(Finding.pass("param", "no parameters given (" + declared(decls) + ")"));
    }

    /** async_probe and dyndbg are taken by the kernel itself. */
    private static boolean ignoredByKernel(String name) {
        return name.equals("async_probe") || name.equals("dyndbg") || name.endsWith(".dyndbg");
    }

    private static String declared(Map<String, ParamDecls.Decl> decls) {
        return decls.isEmpty() ? "it has no parameters" : "it has " + String.join(", ", decls.keySet());
    }

    private static ParamDecls.Decl find(Map<String, ParamDecls.Decl> decls, String name) {
        String n = KernelView.normalize(name);
        for (ParamDecls.Decl d : decls.values()) if (KernelView.normalize(d.name()).equals(n)) return d;
        return null;
    }

    private static boolean noArg(String type) {
        return type.equals("bool") || type.equals("bool_enable_only");
    }

    /** Null when accepted, else the errno name. */
    static String value(ParamDecls.Decl d, String val, boolean is64) {
        if (val == null && !noArg(d.type())) return "EINVAL";
        if (d.type().equals("string")) return d.maxlen() > 0 && val.length() + 1 > d.maxlen() ? "ENOSPC" : null;
        if (!d.isArray()) return KernelParsers.scalar(d.type(), val, is64);
        String[] elems = val.split(",", -1);
        if (d.maxCount() > 0 && elems.length > d.maxCount()) return "EINVAL";
        for (String e : elems) {
            String r = KernelParsers.scalar(d.elemType(), e, is64);
            if (r != null) return r;
        }
        return null;
    }

    private static String describe(ParamDecls.Decl d) {
        if (d.type().equals("string"))
            return "a string" + (d.maxlen() > 0 ? " of at most " + (d.maxlen() - 1) + " characters" : "");
        if (d.isArray()) return "an array of " + d.elemType() + (d.maxCount() > 0 ? " (at most " + d.maxCount() + ")" : "");
        return "of type " + d.type();
    }

    private static String why(ParamDecls.Decl d, String val, String err) {
        if (val == null) return "it needs a value (" + d.name() + "=VALUE)";
        if (d.type().equals("string")) return "give at most " + (d.maxlen() - 1) + " characters";
        if (d.isArray() && d.maxCount() > 0 && val.split(",", -1).length > d.maxCount())
            return "give at most " + d.maxCount() + " comma-separated values";
        String t = d.isArray() ? d.elemType() : d.type();
        if (t.equals("charp")) return "give at most 1024 characters";
        if (t.contains("bool")) return "give y, n, 1, 0, on or off";
        if (err.equals("ERANGE")) return "out of range for " + t;
        return "not a number the kernel reads (decimal, 0x hex or 0 octal" + (t.startsWith("u") || t.equals("byte")
                || t.equals("hexint") ? ", no sign" : "") + ")";
    }
}
