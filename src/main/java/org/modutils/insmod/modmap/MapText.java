package org.modutils.insmod.modmap;

/**
 * A {@link ModuleMap} as text in the layout of the 2.4 insmod -m map ("Sections:" with name,
 * size, address and alignment; "Symbols:" with address, type letter and name), followed by the
 * gdb command that loads the module's symbols at those addresses.
 */
public final class MapText {
    private MapText() {}

    /** {@code objectFile}: the uncompressed module the gdb line names. */
    public static String render(ModuleMap map, String objectFile) {
        int w = map.wordBits() / 4;
        StringBuilder b = new StringBuilder();
        b.append("Sections:       Size      ").append(pad("Address", w)).append("  Align\n");
        for (ModuleMap.Section s : map.sections()) {
            b.append(pad(s.name(), 15)).append(' ').append(hex(s.size(), 8)).append("  ").append(hex(s.address(), w))
                    .append("  2**").append(log2(s.align())).append('\n');
        }
        b.append("\nSymbols:\n");
        for (ModuleMap.Symbol s : map.symbols()) {
            b.append(hex(s.address(), w)).append(' ').append(s.type()).append(' ').append(s.name()).append('\n');
        }
        b.append('\n');
        ModuleMap.Section pcpu = map.sections().stream().filter(s -> s.unit().equals("percpu")).findFirst().orElse(null);
        if (pcpu != null && pcpu.source() == ModuleMap.Source.DUMMY) {
            b.append("# per-cpu symbols at the dummy base 0x").append(Long.toHexString(pcpu.address()))
                    .append(": sysfs does not show the per-cpu area; --ksyms=FILE with the module's /proc/kallsyms lines "
                            + "gives their addresses\n");
        }
        b.append(map.gdbCommand(objectFile)).append('\n');
        return b.toString();
    }

    /** As the 2.4 map: the index of the highest set bit, 0 for no alignment. */
    private static int log2(long align) {
        return align == 0 ? 0 : 63 - Long.numberOfLeadingZeros(align);
    }

    private static String hex(long v, int width) {
        String h = Long.toHexString(v);
        return h.length() >= width ? h : "0".repeat(width - h.length()) + h;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
