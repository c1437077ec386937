package org.modutils.insmod.tools;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modutils.insmod.modinfo.Field;
import org.modutils.insmod.modinfo.LegacyModinfo;
import org.modutils.insmod.modinfo.ModinfoException;

/** The per-module members of modinfo's --json (schema: docs/json.md). */
final class ModuleJson {
    private ModuleJson() {}

    private static final List<String> SIG = List.of("sig_id", "signer", "sig_key", "sig_hashalgo", "signature");

    /** "fields" (every .modinfo entry in file order), "parameters" and "signature" of a 2.6+ module. */
    static void fields(Json json, List<Field> fields) {
        json.key("fields").begin('[');
        Map<String, String[]> params = new LinkedHashMap<>();
        Map<String, String> sig = new LinkedHashMap<>();
        for (Field f : fields) {
            if (SIG.contains(f.key())) {
                sig.put(f.key(), f.value().replace("\n\t\t", ""));
                continue;
            }
            json.begin('{').field("key", f.key()).field("value", f.value()).end('}');
            int colon = f.value().indexOf(':');
            if ((f.key().equals("parm") || f.key().equals("parmtype")) && colon >= 0) {
                String[] p = params.computeIfAbsent(f.value().substring(0, colon), k -> new String[2]);
                p[f.key().equals("parm") ? 0 : 1] = f.value().substring(colon + 1);
            }
        }
        json.end(']');
        json.key("parameters").begin('[');
        for (Map.Entry<String, String[]> e : params.entrySet())
            json.begin('{').field("name", e.getKey()).field("description", e.getValue()[0])
                    .field("type", e.getValue()[1]).end('}');
        json.end(']');
        json.key("signature");
        if (sig.isEmpty()) {
            json.value((String) null);
            return;
        }
        json.begin('{').field("id", sig.get("sig_id")).field("signer", sig.get("signer")).field("key", sig.get("sig_key"))
                .field("hash", sig.get("sig_hashalgo")).field("signature", sig.get("signature")).end('}');
    }

    /** A 2.4 object: its .modinfo entries and the parm_ parameters with their type strings. */
    static boolean legacy(Json json, Path file, String name, PrintStream err) {
        json.begin('{').field("filename", name).key("builtin").value(false).field("format", "modutils-2.4");
        List<Field> fields;
        try {
            fields = LegacyModinfo.fields(file, name);
        } catch (ModinfoException e) {
            err.print(e.getMessage() + "\n");
            json.field("error", e.getMessage()).end('}');
            return false;
        }
        json.key("fields").begin('[');
        List<String[]> params = new ArrayList<>();
        for (Field f : fields) {
            json.begin('{').field("key", f.key()).field("value", f.value()).end('}');
            if (f.key().startsWith("parm_") && !(f.key().length() > 10 && f.key().startsWith("parm_desc_")))
                params.add(new String[] {f.key().substring(5), f.value()});
        }
        json.end(']');
        json.key("parameters").begin('[');
        for (String[] p : params) {
            String desc = null;
            for (Field f : fields) if (f.key().equals("parm_desc_" + p[0])) { desc = f.value(); break; }
            json.begin('{').field("name", p[0]).field("description", desc).field("type", p[1]).end('}');
        }
        json.end(']').key("signature").value((String) null).end('}');
        return true;
    }
}
