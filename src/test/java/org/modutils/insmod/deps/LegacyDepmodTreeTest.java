package org.modutils.insmod.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code depmod -a -b ROOT -F System.map VERSION} (modutils 2.4's tree mode) over the real 2.4
 * trees of testdata laid out as ROOT/lib/modules/VERSION, with their kernels' System.map:
 * modules.dep against GNU nm's view of the same objects (the kernel's {@code __kstrtab_} names,
 * the modules' {@code __ksymtab_} exports, a {@code _R<crc>} need satisfied by the kernel's
 * plain name), modules.pcimap against the device tables GNU ld and objdump read from the same
 * objects, the other map files' headers as modutils 2.4 writes them, and the bad-input paths.
 */
class LegacyDepmodTreeTest {
    private static final String V18 = "2.4.18-14custom";
    private static final String V27 = "2.4.27-aks";
    private static final Path TREE18 = Path.of("testdata/corpus-i386/2.4.18-14custom");
    private static final Path MAP18 = Path.of("testdata/corpus-i386/System.map-2.4.18-14custom.gz");
    private static final Path TREE27 = Path.of("testdata/legacy-kernels/2.4.27-aks");
    private static final Path MAP27 = Path.of("testdata/legacy-kernels/System.map-2.4.27-aks.gz");

    @TempDir
    Path root;

    @Test
    void redHat2418Tree() throws IOException {
        check(TREE18, MAP18, V18);
    }

    @Test
    void stock2427Tree() throws IOException {
        check(TREE27, MAP27, V27);
    }

    @Test
    void showWritesNothingAndPrintsTheSameFiles() throws IOException {
        Path map = setup(TREE27, MAP27, V27);
        DepTrees.Run r = DepTrees.ours("-n", "-r", "-a", "-b", root.toString(), "-F", map.toString(), V27);
        assertEquals(0, r.status(), r.err());
        assertFalse(Files.exists(dir(V27).resolve("modules.dep")));
        DepTrees.Run w = DepTrees.ours("-r", "-a", "-b", root.toString(), "-F", map.toString(), V27);
        assertEquals(0, w.status(), w.err());
        StringBuilder all = new StringBuilder();
        for (String f : LegacyDepmod.FILES) all.append(Files.readString(dir(V27).resolve("modules." + f)));
        assertEquals(all.toString(), r.out());
    }

    @Test
    void quickBuildsWhatIsMissingOrOlderThanAnObject() throws IOException {
        Path map = setup(TREE27, MAP27, V27);
        DepTrees.Run r = DepTrees.ours("-r", "-A", "-b", root.toString(), "-F", map.toString(), V27);
        assertEquals(0, r.status(), r.err());
        List<Path> files = new ArrayList<>();
        for (String f : LegacyDepmod.FILES) files.add(dir(V27).resolve("modules." + f));
        for (Path f : files) assertTrue(Files.exists(f), "-A writes a missing " + f);
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
        for (Path f : files) Files.setLastModifiedTime(f, old);
        assertTrue(LegacyTree.needUpdate(files, root.toString(), V27), "the objects are newer than the files");
        Files.delete(files.get(3));
        assertTrue(LegacyTree.needUpdate(files, root.toString(), V27), "a file is missing");
    }

    /**
     * modules.conf's depfile= and pcimapfile= (modules.conf(5): "the name of the generated
     * file"; the first line counts, the value is expanded, -b goes in front): those two go where
     * the lines say, the other six keep their default names, and nothing is written beside them.
     */
    @Test
    void modulesConfNamesTheGeneratedFiles() throws IOException {
        Path map = setup(TREE27, MAP27, V27);
        Files.createDirectories(root.resolve("var/dep"));
        Path conf = root.resolve("modules.conf");
        Files.writeString(conf, "depfile=/var/dep/`uname -r`.dep\ndepfile=/var/dep/second.dep\n"
                + "pcimapfile=/var/dep/pci.map\n");
        DepTrees.Run r = DepTrees.ours("-r", "-a", "-b", root.toString(), "-C", conf.toString(), "-F", map.toString(), V27);
        assertEquals(0, r.status(), r.err());
        String dep = Files.readString(root.resolve("var/dep/" + V27 + ".dep"));
        assertTrue(dep.contains("/kernel/drivers/net/ne2k-pci.o:\t/lib/modules/" + V27 + "/kernel/drivers/net/8390.o\n\n"), dep);
        assertTrue(Files.readString(root.resolve("var/dep/pci.map")).startsWith("# pci module "));
        assertFalse(Files.exists(root.resolve("var/dep/second.dep")), "only the first depfile= counts");
        assertFalse(Files.exists(dir(V27).resolve("modules.dep")));
        assertFalse(Files.exists(dir(V27).resolve("modules.pcimap")));
        for (String f : List.of("generic_string", "isapnpmap", "usbmap", "parportmap", "ieee1394map", "pnpbiosmap")) {
            assertTrue(Files.exists(dir(V27).resolve("modules." + f)), f);
        }
    }

    @Test
    void withoutSystemMapTheRunning24KernelsSymbols() throws IOException {
        setup(TREE18, MAP18, V18);
        Path kernel = Files.createDirectories(root.resolve("kernel"));
        Files.copy(TREE18.resolve("derived/ksyms-from-bzImage-__ksymtab.txt"), kernel.resolve("ksyms"));
        Files.writeString(kernel.resolve("release"), V18 + "\n");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int status;
        try (java.io.PrintStream o = new java.io.PrintStream(out, true)) {
            status = org.modutils.insmod.tools.Depmod.run(new String[] {"-e", "-r", "-a", "-b", root.toString(), V18},
                    o, o, () -> new org.modutils.insmod.kernel.DirectoryKernel(kernel));
        }
        String output = out.toString();
        assertEquals(0, status, output);
        assertEquals("", output, "the stand-in kernel's ksyms (with _R suffixes) resolve every need");
        assertTrue(Files.readString(kernel.resolve("calls")).contains(" symbols"), "the kernel was asked");
        String dep = Files.readString(dir(V18).resolve("modules.dep"));
        assertTrue(dep.contains("/kernel/fs/ext3/ext3.o:\t/lib/modules/" + V18 + "/kernel/fs/jbd/jbd.o\n\n"), dep);
    }

    @Test
    void damagedObjectIsReportedAndTheRestWritten() throws IOException {
        Path map = setup(TREE27, MAP27, V27);
        Files.write(dir(V27).resolve("kernel/drivers/net/bad.o"), "this is not an object\n".getBytes());
        DepTrees.Run r = DepTrees.ours("-r", "-a", "-b", root.toString(), "-F", map.toString(), V27);
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("depmod: "), r.err());
        assertEquals(1, r.err().split("\n").length, r.err());
        String dep = Files.readString(dir(V27).resolve("modules.dep"));
        assertTrue(dep.contains("/kernel/drivers/net/ne2k-pci.o:\t/lib/modules/" + V27 + "/kernel/drivers/net/8390.o\n\n"), dep);
        assertFalse(dep.contains("bad.o"), dep);
    }

    @Test
    void missingSystemMapWritesNothing() throws IOException {
        setup(TREE27, MAP27, V27);
        String missing = root.resolve("no-System.map").toString();
        DepTrees.Run r = DepTrees.ours("-r", "-a", "-b", root.toString(), "-F", missing, V27);
        assertEquals(1, r.status());
        assertEquals("depmod: Can't read " + missing + "\n", r.err());
        assertFalse(Files.exists(dir(V27).resolve("modules.dep")));
    }

    /**
     * A modules.conf that cannot be read (a lone endif; -C naming a missing file) is modutils
     * 2.4's configuration error and exit 1, nothing written: the generated files' names are
     * never worked out then.
     */
    @Test
    void brokenModulesConfWritesNothing() throws IOException {
        Path map = setup(TREE27, MAP27, V27);
        Path conf = root.resolve("modules.conf");
        Files.writeString(conf, "alias eth0 ne2k-pci\nendif\n");
        DepTrees.Run r = DepTrees.ours("-r", "-a", "-b", root.toString(), "-C", conf.toString(), "-F", map.toString(), V27);
        assertEquals(1, r.status(), r.err());
        assertEquals("depmod: unmatched endif in line 2\n", r.err());
        assertFalse(Files.exists(dir(V27).resolve("modules.dep")));
        String missing = root.resolve("missing.conf").toString();
        DepTrees.Run m = DepTrees.ours("-r", "-a", "-b", root.toString(), "-C", missing, "-F", map.toString(), V27);
        assertEquals(1, m.status(), m.err());
        assertEquals("depmod: Can't open " + missing + "\n", m.err());
        assertFalse(Files.exists(dir(V27).resolve("modules.dep")));
    }

    @Test
    void unresolvedReportWithoutKernelSymbols() throws IOException {
        setup(TREE27, MAP27, V27);
        DepTrees.Run r = DepTrees.ours("-r", "-e", "-a", "-b", root.toString(), V27);
        assertEquals(0, r.status(), "unresolved symbols are no error without -u");
        String first = "depmod: *** Unresolved symbols in " + dir(V27) + "/";
        assertTrue(r.err().startsWith(first), r.err());
        assertTrue(r.err().contains("\ndepmod: \tprintk_R1b7d4074\n"), r.err());
        DepTrees.Run u = DepTrees.ours("-r", "-u", "-q", "-a", "-b", root.toString(), V27);
        assertEquals(1, u.status());
        assertEquals("", u.err(), "-q keeps the report quiet");
    }

    private Path dir(String version) {
        return root.resolve("lib/modules/" + version);
    }

    private Path setup(Path tree, Path gzMap, String version) throws IOException {
        assumeTrue(Files.isDirectory(tree) && Files.exists(gzMap), "no " + tree);
        Path to = dir(version);
        try (Stream<Path> s = Files.walk(tree)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".o")).toList()) {
                Path dest = to.resolve("kernel").resolve(tree.relativize(p).toString()); // modules_install's layout
                Files.createDirectories(dest.getParent());
                Files.copy(p, dest);
            }
        }
        Path map = root.resolve("System.map");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gzMap))) {
            Files.write(map, in.readAllBytes());
        }
        return map;
    }

    private void check(Path tree, Path gzMap, String version) throws IOException {
        Path map = setup(tree, gzMap, version);
        List<String> objs;
        try (Stream<Path> s = Files.walk(dir(version))) {
            objs = s.map(Path::toString).filter(p -> p.endsWith(".o")).sorted().toList();
        }
        assumeTrue(Tools.run(List.of("nm", "-P", objs.get(0))) != null, "GNU nm is not installed (binutils)");
        DepTrees.Run r = DepTrees.ours("-r", "-e", "-a", "-b", root.toString(), "-F", map.toString(), version);
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err(), "every module resolves against its kernel and its siblings");
        try (Stream<Path> s = Files.list(dir(version))) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(), "temporary files left");
        }
        checkDep(objs, kernelExports(map), Files.readString(dir(version).resolve("modules.dep")));
        checkMaps(objs, version);
    }

    /** The kernel's exports as a System.map names them: every __kstrtab_NAME. */
    private static Set<String> kernelExports(Path map) throws IOException {
        Set<String> names = new HashSet<>();
        for (String line : Files.readAllLines(map)) {
            String[] w = line.split(" ");
            if (w.length == 3 && w[2].startsWith("__kstrtab_")) names.add(w[2].substring(10));
        }
        return names;
    }

    private void checkDep(List<String> objs, Set<String> kernel, String dep) throws IOException {
        Map<String, String> exporter = new HashMap<>();
        Map<String, List<String>> undefined = new LinkedHashMap<>();
        for (String o : objs) {
            List<String> und = new ArrayList<>();
            for (String line : Tools.run(List.of("nm", "-P", o)).split("\n")) {
                String[] w = line.split(" ");
                if (w.length < 2) continue;
                if (w[1].equals("U")) und.add(w[0]);
                else if (w[0].startsWith("__ksymtab_")) exporter.putIfAbsent(w[0].substring(10), o);
            }
            undefined.put(o, und);
        }
        String cut = root.toString();
        Map<String, Set<String>> ours = new LinkedHashMap<>();
        for (String entry : dep.split("\n\n")) {
            assertTrue(entry.matches("[^\\s:]+:(\t[^\\s]+( \\\\\n\t[^\\s]+)*)?"), "2.4 layout: " + entry);
            int colon = entry.indexOf(':');
            Set<String> deps = new HashSet<>();
            for (String d : entry.substring(colon + 1).split("[ \t\\\\\n]+")) if (!d.isEmpty()) deps.add(cut + d);
            ours.put(cut + entry.substring(0, colon), deps);
        }
        assertEquals(new HashSet<>(objs), ours.keySet());
        for (String o : objs) {
            Set<String> want = new HashSet<>();
            for (String u : undefined.get(o)) {
                if (kernel.contains(u) || u.equals("__this_module") || u.equals("mod_use_count_")) continue;
                String by = exporter.get(u);
                if (by != null) {
                    if (!by.equals(o)) want.add(by);
                    continue;
                }
                int r = u.lastIndexOf("_R");
                assertTrue(r > 0 && kernel.contains(u.substring(0, r)), o + " needs " + u);
            }
            assertEquals(want, ours.get(o), o);
        }
    }

    /** modules.pcimap from GNU ld + objdump; the other maps have no entries in these trees. */
    private void checkMaps(List<String> objs, String version) throws IOException {
        StringBuilder pci = new StringBuilder("# pci module         vendor     device     subvendor  subdevice"
                + "  class      class_mask driver_data\n");
        StringBuilder usb = new StringBuilder("# usb module         match_flags idVendor idProduct bcdDevice_lo"
                + " bcdDevice_hi bDeviceClass bDeviceSubClass bDeviceProtocol bInterfaceClass bInterfaceSubClass"
                + " bInterfaceProtocol driver_info\n");
        for (String o : objs) {
            List<long[]> entries = table(o, "usb", 20, USB_FIELDS);
            if (entries == null) continue;
            String name = Path.of(o).getFileName().toString().replaceAll("\\.o$", "");
            for (long[] e : entries) {
                usb.append(String.format("%-20s 0x%04x      0x%04x   0x%04x    0x%04x       0x%04x       0x%02x"
                        + "         0x%02x            0x%02x            0x%02x            0x%02x               0x%02x"
                        + "               0x%08x\n", name, e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8],
                        e[9], e[10], e[11]));
            }
        }
        int tables = 0;
        for (String o : objs) {
            List<long[]> entries = table(o, "pci", 28, PCI_FIELDS);
            if (entries == null) continue;
            tables++;
            String name = Path.of(o).getFileName().toString().replaceAll("\\.o$", "");
            for (long[] e : entries) {
                pci.append(String.format("%-20s", name));
                for (long v : e) pci.append(String.format(" 0x%08x", v));
                pci.append('\n');
            }
        }
        assertTrue(tables >= 2, "the trees have PCI drivers");
        Path d = dir(version);
        assertEquals(pci.toString(), Files.readString(d.resolve("modules.pcimap")));
        assertEquals("# module             id=string\n", Files.readString(d.resolve("modules.generic_string")));
        assertEquals(usb.toString(), Files.readString(d.resolve("modules.usbmap")));
        assertEquals("# isapnp module      cardvendor carddevice driver_data vendor     function   ...\n",
                Files.readString(d.resolve("modules.isapnpmap")));
        assertEquals("# module             pattern\n", Files.readString(d.resolve("modules.parportmap")));
        assertEquals("# ieee1394 module    match_flags vendor_id model_id specifier_id version\n",
                Files.readString(d.resolve("modules.ieee1394map")));
        assertEquals("# module             id\n", Files.readString(d.resolve("modules.pnpbiosmap")));
    }

    /** struct pci_device_id of 2.4 on i386: {offset, size} of each field. */
    private static final int[][] PCI_FIELDS = {{0, 4}, {4, 4}, {8, 4}, {12, 4}, {16, 4}, {20, 4}, {24, 4}};
    /** struct usb_device_id of 2.4 on i386 (five u16, six u8, then driver_info at 16). */
    private static final int[][] USB_FIELDS = {{0, 2}, {2, 2}, {4, 2}, {6, 2}, {8, 2}, {10, 1}, {11, 1}, {12, 1},
        {13, 1}, {14, 1}, {15, 1}, {16, 4}};

    /**
     * The entries of the table {@code __module_KIND_device_table} points to, as GNU ld links the
     * object (undefined symbols ignored) and objdump dumps it, up to the terminator depmod
     * stops at (PCI: vendor 0; USB: idVendor, bDeviceClass, bInterfaceClass, driver_info all 0);
     * null without a table.
     */
    private List<long[]> table(String obj, String kind, int size, int[][] fields) throws IOException {
        Path elf = root.resolve("linked.elf");
        String ld = Tools.run(List.of("ld", "-m", "elf_i386", "-e", "0", "--unresolved-symbols=ignore-all", "-o",
                elf.toString(), obj));
        assumeTrue(ld != null, "GNU ld for i386 is not installed (binutils)");
        try {
            Long ptrAt = null;
            for (String line : Tools.run(List.of("nm", "-P", elf.toString())).split("\n")) {
                String[] w = line.split(" ");
                if (w[0].equals("__module_" + kind + "_device_table")) ptrAt = Long.parseLong(w[2], 16);
            }
            if (ptrAt == null) return null;
            long table = le(bytes(elf, ptrAt, 4), 0, 4);
            byte[] b = bytes(elf, table, size * 256);
            List<long[]> out = new ArrayList<>();
            for (int at = 0; at + size <= b.length; at += size) {
                long[] e = new long[fields.length];
                for (int i = 0; i < fields.length; i++) e[i] = le(b, at + fields[i][0], fields[i][1]);
                boolean end = kind.equals("pci") ? e[0] == 0 : e[1] == 0 && e[5] == 0 && e[8] == 0 && e[11] == 0;
                if (end) break;
                out.add(e);
            }
            return out;
        } finally {
            Files.deleteIfExists(elf);
        }
    }

    /** objdump -s over [addr, addr+n): the hex columns of each line. */
    private static byte[] bytes(Path elf, long addr, int n) throws IOException {
        String dump = Tools.run(List.of("objdump", "-s", "--start-address=0x" + Long.toHexString(addr),
                "--stop-address=0x" + Long.toHexString(addr + n), elf.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : dump.split("\n")) {
            if (!line.startsWith(" ")) continue;
            int sp = line.indexOf(' ', 1);
            String hex = line.substring(sp, Math.min(sp + 36, line.length())).replace(" ", "");
            for (int i = 0; i + 1 < hex.length(); i += 2) out.write(Integer.parseInt(hex.substring(i, i + 2), 16));
        }
        return out.toByteArray();
    }

    private static long le(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (b[at + i] & 0xff);
        return v;
    }

    /** Runs a binutils command: its stdout, or null when it is missing or fails. */
    private static final class Tools {
        static String run(List<String> cmd) throws IOException {
            DepTrees.Run r;
            try {
                r = DepTrees.exec(cmd);
            } catch (IOException e) {
                return null;
            }
            return r.status() == 0 ? r.out() : null;
        }
    }
}
