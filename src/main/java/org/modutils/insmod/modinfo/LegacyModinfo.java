package org.modutils.insmod.modinfo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.modutils.insmod.link.Target;
import org.modutils.insmod.arch.Targets;
import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.module.ModInfo;
import org.modutils.insmod.sys.IoReasons;

/**
 * modutils 2.4's modinfo for a 2.0-2.4 object ({@code .o}, {@code .o.gz}): the query-string
 * format ({@code %n %d %a %l %p %{tag} %%} and backslash escapes), applied line by line; a line
 * naming {@code %p} or {@code %{parm}} is repeated for each {@code parm_} entry of .modinfo with
 * the parameter's type read from its MODULE_PARM string and its {@code parm_desc_} text.
 */
public final class LegacyModinfo {
    /** modutils' default format. */
    public static final String DEFAULT_FORMAT =
            "filename:    %n\ndescription: %d\nauthor:      %a\nlicense:     %l\nparm:        %p\n";
    private static final int MAX_TAG_LEN = 128;

    /** The text for stdout and the error lines (without the "file: " prefix) for stderr. */
    public record Result(String out, List<String> errors) {}

    private final ObjFile f;
    private final String filename;
    private final char lineEnd;
    private final StringBuilder out = new StringBuilder();
    private final List<String> errors = new ArrayList<>();

    private LegacyModinfo(ObjFile f, String filename, char lineEnd) {
        this.f = f;
        this.filename = filename;
        this.lineEnd = lineEnd;
    }

    /**
     * Checks a format as modutils' format_check_string does; null when it is good, else the error
     * ("missing replacement", "unterminated %{...} construct", ...).
     */
    public static String checkFormat(String format) {
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                i += c == '\\' ? 2 : 1;
                continue;
            }
            if (++i >= format.length()) return "missing replacement";
            char r = format.charAt(i++);
            if (r == '{') {
                int end = format.indexOf('}', i);
                if (end < 0) return "unterminated %{...} construct";
                if (end - i > MAX_TAG_LEN - 1) return "%{...} construct is too large";
                i = end + 1;
            } else if ("%adnlp".indexOf(r) < 0) {
                return r + ": unknown replacement";
            }
        }
        return null;
    }

    /** Is this file a 2.0-2.4 object by its name as modutils' modinfo would read it (.o, .o.gz, .mod)? */
    public static boolean isObjectName(String name) {
        return name.endsWith(".o") || name.endsWith(".o.gz") || name.endsWith(".mod");
    }

    /**
     * Loads the object at {@code file} (gzip by magic number) and formats it; a file that cannot
     * be loaded gives no output and one error line, in obj_load's words.
     */
    public static Result show(Path file, String filename, String format, char lineEnd) {
        ObjFile f;
        try {
            f = load(file, filename);
        } catch (IOException e) {
            return new Result("", List.of(filename + ": " + IoReasons.of(e)));
        } catch (ElfException e) {
            return new Result("", List.of(e.getMessage()));
        }
        LegacyModinfo m = new LegacyModinfo(f, filename, lineEnd);
        m.formatAll(format);
        return new Result(m.out.toString(), m.errors);
    }

    /** The .modinfo entries of a 2.4 object as fields ({@code key=value}; a bare key has the value ""). */
    public static List<Field> fields(Path file, String filename) throws ModinfoException {
        ObjFile f;
        try {
            f = load(file, filename);
        } catch (IOException e) {
            throw new ModinfoException(0, filename + ": " + IoReasons.of(e));
        } catch (ElfException e) {
            throw new ModinfoException(0, e.getMessage());
        }
        List<Field> out = new ArrayList<>();
        for (String e : ModInfo.entries(f)) {
            if (e.isEmpty()) continue;
            int eq = e.indexOf('=');
            out.add(eq < 0 ? new Field(e, "") : new Field(e.substring(0, eq), e.substring(eq + 1)));
        }
        return out;
    }

    static ObjFile load(Path file, String filename) throws IOException, ElfException {
        byte[] b = Files.readAllBytes(file);
        if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
                b = in.readNBytes(1 << 30);
            }
        }
        ElfFile elf = ElfFile.parse(filename, b);
        Target t = Targets.forObject(elf.machine(), elf.is64(), elf.bigEndian());
        if (t == null) throw new ElfException("ELF file " + filename + " not for this architecture");
        return ObjLoader.load(elf, t);
    }

    private List<String> entries() {
        return ModInfo.entries(f);
    }

    /** get_modinfo_value: "filename" is the file; else the value after {@code key=}, "" for a bare key, or null. */
    private String value(String key) {
        if (key.equals("filename")) return filename;
        return f.find(".modinfo") == null ? null : ModInfo.get(f, key);
    }

    private void formatAll(String format) {
        int start = 0;
        while (start < format.length()) {
            int p = start;
            boolean parm = false;
            for (; p < format.length(); p++) {
                if (p > start && format.charAt(p - 1) == '%' && format.charAt(p) == 'p') parm = true;
                if (p >= start + 6 && format.startsWith("%{parm}", p - 6)) parm = true;
                if (p > start && format.charAt(p - 1) == '\n') break;
                if (p > start + 1 && format.charAt(p - 2) == '\\' && format.charAt(p - 1) == 'n') break;
            }
            String line = format.substring(start);
            if (parm) parameters(line);
            else line(line, null, null, null);
            start = p;
        }
    }

    private void parameters(String format) {
        if (f.find(".modinfo") == null) {
            errors.add(filename + ": module does not support typed parameters");
            return;
        }
        for (String e : entries()) {
            int eq = e.indexOf('=');
            if (eq < 0) {
                if (e.length() >= 5 && e.startsWith("parm_")) errors.add(filename + ": parameter " + e + " found with no value");
                continue;
            }
            if (eq >= 5 && e.startsWith("parm_") && !(eq > 10 && e.startsWith("parm_desc_"))) {
                String name = e.substring(5, eq);
                line(format, name, e.substring(eq + 1), value("parm_desc_" + name));
            }
        }
    }

    /** format_query_line: one line of the format, stopping after its newline. */
    private void line(String format, String key, String val, String desc) {
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                if (c == '\\') c = ++i < format.length() ? escape(format.charAt(i)) : '\0';
                i++;
                if (c == '\n') {
                    out.append(lineEnd);
                    return;
                }
                out.append(c);
                continue;
            }
            char r = ++i < format.length() ? format.charAt(i) : '\0';
            i++;
            switch (r) {
                case '%': out.append('%'); break;
                case 'a': tag("author", true); break;
                case 'd': tag("description", true); break;
                case 'n': tag("filename", false); break;
                case 'l': tag("license", true); break;
                case 'p': ParamText.append(out, f, key, val, desc); break;
                case '{': {
                    int end = format.indexOf('}', i);
                    String tag = format.substring(i, end);
                    if (tag.equals("parm")) ParamText.append(out, f, key, val, desc);
                    else tag(tag, tag.equals("author") || tag.equals("description") || tag.equals("license"));
                    i = end + 1;
                    break;
                }
                default: break;
            }
        }
    }

    /** append_modinfo_tag with the default "<none>": multi-line values in quotes, continuation lines indented. */
    private void tag(String tag, boolean multiLine) {
        String v = value(tag);
        if (v == null) {
            out.append("<none>");
        } else if (!multiLine) {
            out.append(v);
        } else {
            out.append('"').append(v.replace("\n", "\n  ")).append('"');
        }
    }

    static char escape(char c) {
        switch (c) {
            case 'a': return 7;
            case 'v': return 11;
            case 'b': return '\b';
            case 'e': case 'E': return 27;
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            default: return c;
        }
    }

}
