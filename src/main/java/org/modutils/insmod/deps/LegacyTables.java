package org.modutils.insmod.deps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.elf.Elf;
import org.modutils.insmod.elf.Endian;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.Relocator;
import org.modutils.insmod.link.Sym;

/**
 * The device tables modutils 2.4's depmod reads out of a module for the map files: the module
 * relocated at 0x1000 with every undefined symbol as absolute 0, then each
 * {@code __module_<kind>_device_table} pointer followed through the image, entries of the
 * kernel's 2.4 struct layouts (sized by the target's word) up to the all-zero terminator.
 * Each entry is kept as the map file's line (without the module name column).
 */
final class LegacyTables {
    static final int GENERIC = 0;
    static final int PCI = 1;
    static final int ISAPNP = 2;
    static final int USB = 3;
    static final int PARPORT = 4;
    static final int IEEE1394 = 5;
    static final int PNPBIOS = 6;
    static final int KINDS = 7;

    private static final long BASE = 0x1000;
    private static final String CHANGED = "\n\tIt is likely that the kernel structure has changed, if so then"
            + "\n\tyou probably need a new version of modutils to handle this kernel."
            + "\n\tCheck linux/Documentation/Changes.";

    private final ObjFile f;
    private final String filename;
    private final List<String> errors;
    private final int w;
    private byte[] image;
    private long size;
    /** Per kind, the entries' columns after the name. */
    final List<List<String>> lines = new ArrayList<>();

    private LegacyTables(ObjFile f, String filename, List<String> errors) {
        this.f = f;
        this.filename = filename;
        this.errors = errors;
        this.w = f.target.wordSize();
        for (int i = 0; i < KINDS; i++) lines.add(new ArrayList<>());
    }

    /** Reads the tables of {@code f} (consumed: it is relocated); errors go to {@code errors}. */
    static LegacyTables read(ObjFile f, String filename, List<String> errors) {
        LegacyTables t = new LegacyTables(f, filename, errors);
        for (Sym s : f.symbols().ordered()) {
            if (s.secidx == Elf.SHN_UNDEF) {
                s.secidx = Elf.SHN_ABS;
                s.value = 0;
            }
        }
        f.allocateCommons();
        t.size = f.loadSize();
        boolean relocated;
        try {
            relocated = Relocator.relocate(f, BASE, false, false).isEmpty();
        } catch (org.modutils.insmod.report.UserError e) {
            relocated = false; // the sections could not be placed (ia64 GP): obj_relocate failed
        }
        if (!relocated) {
            errors.add("depmod obj_relocate failed\n");
            return null;
        }
        t.generic();
        t.image = f.createImage(t.size);
        t.pci();
        t.isapnp();
        t.usb();
        t.parport();
        t.ieee1394();
        t.pnpbios();
        return t;
    }

    private void generic() {
        LinkSection sec = f.find(".modstring");
        if (sec == null || sec.contents() == null) return;
        byte[] c = sec.contents();
        int end = (int) Math.min(sec.size, c.length);
        int p = 0;
        while (p < end) {
            int s = p;
            while (p < end && c[p] != 0) p++;
            if (p >= end) {
                errors.add("unterminated generic string '" + str(c, s, p - s) + "'");
                break;
            }
            if (p++ == s) continue;
            lines.get(GENERIC).add(str(c, s, p - 1 - s));
        }
    }

    private long value(String name) {
        return f.finalValue(f.findSymbol(name));
    }

    private boolean inRange(long start, long length) {
        return start >= BASE && start + length - 1 - BASE <= size;
    }

    private long word(long addr, int n) {
        long v = Endian.word(image, (int) (addr - BASE), n, f.bigEndian);
        return n < 8 ? v & ((1L << (8 * n)) - 1) : v;
    }

    /** The table's address and entry size, or null (with an error when the size is wrong). */
    private long[] table(String kind, long expected, boolean sizeOptional) {
        long refSize = value("__module_" + kind + "_size");
        long entSize;
        if (refSize == 0 && sizeOptional) {
            entSize = expected;
        } else {
            if (!inRange(refSize, w)) return null;
            entSize = word(refSize, w);
        }
        long refRef = value("__module_" + kind + "_table");
        if (!inRange(refRef, w)) return null;
        long start = word(refRef, w);
        if (!kind.equals("isapnp_card") && !version(kind)) return null;
        if (entSize != expected) {
            errors.add("Unexpected value (" + entSize + ") in '" + filename + "' for " + kind + "_size" + CHANGED);
            return null;
        }
        return new long[] {start, entSize};
    }

    private boolean version(String kind) {
        long ref = value("__module_" + kind + "_ver");
        long ver = 1;
        if (ref != 0) {
            if (!inRange(ref, w)) return false;
            ver = word(ref, w);
        }
        if (ver != 1) {
            errors.add("Module " + filename + " has an unknown version (" + ver + ") " + kind + " table" + CHANGED);
        }
        return true;
    }

    private int align(int off, int a) {
        return (off + a - 1) / a * a;
    }

    private String hex(long v, int digits) {
        String h = Long.toHexString(v);
        StringBuilder b = new StringBuilder("0x");
        for (int i = h.length(); i < digits; i++) b.append('0');
        return b.append(h).toString();
    }

    private void pci() {
        int sz = align(24 + w, w);
        long[] t = table("pci_device", sz, true);
        if (t == null) return;
        for (long at = t[0]; inRange(at, sz); at += sz) {
            long vendor = word(at, 4);
            if (vendor == 0) break;
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 6; i++) b.append(hex(word(at + 4L * i, 4), 8)).append(' ');
            b.append(hex(word(at + 24, w), 2 * w));
            lines.get(PCI).add(b.toString());
        }
    }

    private void isapnp() {
        int sz = align(8 + w, w);
        long[] t = table("isapnp_device", sz, false);
        if (t != null) {
            for (long at = t[0]; inRange(at, sz); at += sz) {
                if (word(at, 2) == 0) break;
                lines.get(ISAPNP).add(hex(word(at, 2), 4) + "     " + hex(word(at + 2, 2), 4) + "     "
                        + hex(word(at + 8, w), 2 * w) + "  " + hex(word(at + 4, 2), 4) + "     "
                        + hex(word(at + 6, 2), 4));
            }
        }
        int csz = align(w + 4 + 32, w);
        long[] c = table("isapnp_card", csz, false);
        if (c == null) return;
        for (long at = c[0]; inRange(at, csz); at += csz) {
            if (word(at + w, 2) == 0) break;
            StringBuilder b = new StringBuilder(hex(word(at + w, 2), 4) + "     " + hex(word(at + w + 2, 2), 4)
                    + "     " + hex(word(at, w), 2 * w) + " ");
            for (int l = 0; l < 8; l++) {
                long dev = at + w + 4 + 4L * l;
                if (word(dev, 2) != 0) b.append(" ").append(hex(word(dev, 2), 4)).append("     ")
                        .append(hex(word(dev + 2, 2), 4)).append("    ");
            }
            lines.get(ISAPNP).add(b.toString());
        }
    }

    private void usb() {
        int sz = align(16 + w, w);
        long[] t = table("usb_device", sz, false);
        if (t == null) return;
        String[] gaps = {"   ", "    ", "       ", "       ", "         ", "            ", "            ",
            "            ", "               ", "               "};
        for (long at = t[0]; inRange(at, sz); at += sz) {
            long info = word(at + 16, w);
            if (word(at + 2, 2) == 0 && image[(int) (at + 10 - BASE)] == 0 && image[(int) (at + 13 - BASE)] == 0
                    && info == 0) break;
            StringBuilder b = new StringBuilder(hex(word(at, 2), 4)).append("      ");
            for (int i = 0; i < 4; i++) b.append(hex(word(at + 2 + 2L * i, 2), 4)).append(gaps[i]);
            for (int i = 0; i < 6; i++) b.append(hex(word(at + 10 + i, 1), 2)).append(gaps[4 + i]);
            lines.get(USB).add(b.append(hex(info, 2 * w)).toString());
        }
    }

    private void parport() {
        long[] t = table("parport_device", w, false);
        if (t == null) return;
        for (long at = t[0]; inRange(at, w); at += w) {
            long pattern = word(at, w);
            if (pattern == 0) break;
            lines.get(PARPORT).add(inRange(pattern, 1) ? cstring((int) (pattern - BASE)) : "Start address of out range");
        }
    }

    private void ieee1394() {
        int sz = align(20 + w, w);
        long[] t = table("ieee1394_device", sz, false);
        if (t == null) return;
        for (long at = t[0]; inRange(at, sz); at += sz) {
            if (word(at, 4) == 0) break;
            lines.get(IEEE1394).add(hex(word(at, 4), 8) + "  " + hex(word(at + 4, 4), 6) + "  "
                    + hex(word(at + 8, 4), 6) + " " + hex(word(at + 12, 4), 6) + "     " + hex(word(at + 16, 4), 6));
        }
    }

    private void pnpbios() {
        int sz = align(8 + w, w);
        long[] t = table("pnpbios_device", sz, false);
        if (t == null) return;
        for (long at = t[0]; inRange(at, sz); at += sz) {
            int off = (int) (at - BASE);
            if (image[off] == 0) break;
            int n = 0;
            while (n < 8 && image[off + n] != 0) n++;
            lines.get(PNPBIOS).add(n < 8 ? str(image, off, n) : cstring(off));
        }
    }

    private String cstring(int off) {
        int e = off;
        while (e < image.length && image[e] != 0) e++;
        return str(image, off, e - off);
    }

    private static String str(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }
}
