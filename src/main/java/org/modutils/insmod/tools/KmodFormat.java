package org.modutils.insmod.tools;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.modutils.insmod.modinfo.Field;

/**
 * kmod's modinfo output for one module's fields: {@code key:} padded to 16 columns (or
 * {@code key=value} with -0), parm/parmtype merged into {@code parm:} lines printed last in
 * kmod's order (the most recently first-seen parameter first), or only one field's values
 * with -F (and -F parm in kmod's {@code name:desc (type)} form).
 */
final class KmodFormat {
    private KmodFormat() {}

    /** One parameter: its description and type, either possibly absent. */
    private static final class Param {
        final String name;
        String desc, type;

        Param(String name) {
            this.name = name;
        }
    }

    /** Prints the fields; a parm entry without its ':' is reported on {@code err}, as kmod does, and skipped. */
    static void print(List<Field> fields, String field, char sep, PrintStream out, PrintStream err) {
        if ("parm".equals(field)) {
            for (Param p : params(fields, err))
                out.print((p.desc == null ? p.name + ": (" + p.type + ")" : paramText(p, "")) + sep);
            return;
        }
        List<Field> parms = new ArrayList<>();
        for (Field f : fields) {
            if (field != null) {
                if (field.equals(f.key())) out.print(f.value() + sep);
                continue;
            }
            if (f.key().equals("parm") || f.key().equals("parmtype")) {
                parms.add(f);
                continue;
            }
            if (sep == '\0') out.print(f.key() + "=" + f.value() + sep);
            else out.print(f.key() + ":" + " ".repeat(Math.abs(15 - f.key().length())) + f.value() + sep);
        }
        if (field != null) return;
        for (Param p : params(parms, err)) out.print(paramText(p, pad("parm:")) + sep);
    }

    /** printf's "%-16s". */
    static String pad(String s) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.length() < 16) sb.append(' ');
        return sb.toString();
    }

    private static String paramText(Param p, String prefix) {
        if (p.desc == null) return prefix + p.name + ":" + p.type;
        if (p.type != null) return prefix + p.name + ":" + p.desc + " (" + p.type + ")";
        return prefix + p.name + ":" + p.desc;
    }

    /** kmod's parameter list: each new name goes to the front; parm sets the text, parmtype the type. */
    private static List<Param> params(List<Field> fields, PrintStream err) {
        List<Param> list = new ArrayList<>();
        for (Field f : fields) {
            if (!f.key().equals("parm") && !f.key().equals("parmtype")) continue;
            int colon = f.value().indexOf(':');
            if (colon < 0) {
                err.print("modinfo: ERROR: Found invalid \"" + f.key() + "=" + f.value() + "\": missing ':'\n");
                continue;
            }
            String name = f.value().substring(0, colon);
            Param p = null;
            for (Param q : list) if (q.name.equals(name)) p = q;
            if (p == null) {
                p = new Param(name);
                list.add(0, p);
            }
            if (f.key().equals("parm")) p.desc = f.value().substring(colon + 1);
            else p.type = f.value().substring(colon + 1);
        }
        return list;
    }
}
