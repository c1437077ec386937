package org.modutils.insmod.modern.check;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modutils.insmod.modern.KoFile;

/**
 * The parameters a module declares, read from its {@code __param} section (struct kernel_param:
 * name, ops, arg) through the section's relocations: the ops pointer names the type
 * (param_ops_int, param_array_ops, ...), a string's kparam_string gives its buffer size, an
 * array's kparam_array its maximum count and element ops. Modules whose relocations cannot be
 * followed fall back to the {@code parmtype=NAME:TYPE} tags of .modinfo (no sizes then).
 */
final class ParamDecls extends ImageWords {
    /** One declared parameter: type as in parmtype ("int", "charp", "string", ...), element type and sizes. */
    record Decl(String name, String type, String elemType, int maxlen, int maxCount) {
        boolean isArray() {
            return elemType != null;
        }
    }

    private final boolean is64;
    private final List<KoFile.Section> sections;

    private ParamDecls(KoFile ko, byte[] image) {
        super(image, image[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        this.is64 = ko.is64();
        this.sections = ko.sections();
    }

    /** The declarations by name (never null). */
    static Map<String, Decl> of(KoFile ko, byte[] image) {
        Map<String, Decl> out = new LinkedHashMap<>();
        try {
            new ParamDecls(ko, image).fromParamSection(out);
        } catch (RuntimeException e) {
            out.clear(); // relocations we cannot follow: the tags below
        }
        if (out.isEmpty()) fromTags(ko, out);
        return out;
    }

    private static void fromTags(KoFile ko, Map<String, Decl> out) {
        List<String> tags = ko.modinfo().get("parmtype");
        if (tags == null) return;
        for (String t : tags) {
            int colon = t.indexOf(':');
            if (colon <= 0) continue;
            String name = t.substring(0, colon), type = t.substring(colon + 1);
            if (type.startsWith("array of ")) out.put(name, new Decl(name, "array", type.substring(9), -1, -1));
            else out.put(name, new Decl(name, type, null, -1, -1));
        }
    }

    private int ptr() {
        return is64 ? 8 : 4;
    }

    private void fromParamSection(Map<String, Decl> out) {
        int idx = index("__param");
        if (idx < 0) return;
        KoFile.Section p = sections.get(idx);
        int size = is64 ? 40 : 20;
        for (long off = 0; off + size <= p.size(); off += size) {
            Target name = target(idx, off);
            Target ops = target(idx, off + 2L * ptr());
            if (name == null || ops == null) throw new IllegalStateException("unrelocated kernel_param");
            String pname = cstring(name);
            String type = opsType(ops.symbol());
            Target arg = target(idx, off + (is64 ? 32 : 16));
            if (type.equals("string")) {
                out.put(pname, new Decl(pname, "string", null, arg == null ? -1 : (int) u32(arg), -1));
            } else if (type.equals("array")) {
                int max = arg == null ? -1 : (int) u32(arg);
                Target elemOps = arg == null ? null : target(arg.section(), arg.offset() + 2L * ptr());
                String elem = elemOps == null ? "?" : opsType(elemOps.symbol());
                out.put(pname, new Decl(pname, "array", elem, -1, max));
            } else {
                out.put(pname, new Decl(pname, type, null, -1, -1));
            }
        }
    }

    private static String opsType(String sym) {
        if (sym == null) return "?";
        if (sym.equals("param_array_ops")) return "array";
        if (sym.startsWith("param_ops_")) return sym.substring("param_ops_".length());
        return "?" + sym;
    }

    /** Where a relocated pointer field points: a section and offset, and the symbol it names. */
    private record Target(int section, long offset, String symbol) {}

    private int index(String name) {
        for (int i = 0; i < sections.size(); i++) if (sections.get(i).name().equals(name)) return i;
        return -1;
    }

    private final Map<Integer, Map<Long, Target>> relocs = new java.util.HashMap<>();

    /** The relocation of the word at {@code off} of section {@code sec}, resolved; null when none. */
    private Target target(int sec, long off) {
        Map<Long, Target> m = relocs.get(sec);
        if (m == null) {
            m = relocationsOf(sec);
            relocs.put(sec, m);
        }
        return m.get(off);
    }

    private Map<Long, Target> relocationsOf(int sec) {
        Map<Long, Target> out = new java.util.HashMap<>();
        String name = sections.get(sec).name();
        boolean rela = true;
        int r = index(".rela" + name);
        if (r < 0) {
            r = index(".rel" + name);
            rela = false;
        }
        if (r < 0) return out;
        KoFile.Section rs = sections.get(r);
        KoFile.Section symtab = sections.get(rs.link());
        KoFile.Section strtab = sections.get(symtab.link());
        int esz = is64 ? (rela ? 24 : 16) : (rela ? 12 : 8);
        for (long at = rs.offset(); at + esz <= rs.offset() + rs.size(); at += esz) {
            long roff = is64 ? u64(at) : u32(at);
            long info = is64 ? u64(at + 8) : u32(at + 4);
            long symIdx = is64 ? info >>> 32 : info >>> 8;
            long addend = rela ? (is64 ? u64(at + 16) : (int) u32(at + 8)) : word(sec, roff);
            long s = symtab.offset() + symIdx * (is64 ? 24 : 16);
            if (symIdx < 0 || s + (is64 ? 24 : 16) > symtab.offset() + symtab.size())
                throw new IllegalStateException("symbol index out of range");
            long nameOff = u32(s);
            int shndx = u16(s + (is64 ? 6 : 14));
            long value = is64 ? u64(s + 8) : u32(s + 4);
            String symName = nameOff == 0 ? null : cstringAt(strtab.offset() + nameOff, strtab.offset() + strtab.size());
            out.put(roff, new Target(shndx, value + addend, symName));
        }
        return out;
    }

    /** The implicit addend of a REL relocation: the word at the place. */
    private long word(int sec, long off) {
        KoFile.Section s = sections.get(sec);
        if (off < 0 || off + ptr() > s.size()) throw new IllegalStateException("relocation outside its section");
        return is64 ? u64(s.offset() + off) : u32(s.offset() + off);
    }

    private String cstring(Target t) {
        KoFile.Section s = sections.get(t.section());
        return cstringAt(s.offset() + t.offset(), s.offset() + s.size());
    }

    private long u32(Target t) {
        KoFile.Section s = sections.get(t.section());
        if (t.offset() < 0 || t.offset() + 4 > s.size()) throw new IllegalStateException("outside its section");
        return u32(s.offset() + t.offset());
    }

    private String cstringAt(long from, long limit) {
        if (from < 0 || from >= limit) throw new IllegalStateException("string outside its section");
        int end = (int) from;
        while (end < limit && d[end] != 0) end++;
        return new String(d, (int) from, end - (int) from, StandardCharsets.ISO_8859_1);
    }
}
