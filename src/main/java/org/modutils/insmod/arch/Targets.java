package org.modutils.insmod.arch;

import org.modutils.insmod.link.Target;

/** The architectures we link for; each call makes a fresh target for one link. */
public final class Targets {
    private Targets() {}

    private static final int COUNT = 18;

    /**
     * The i-th target in the order they are tried. A switch rather than a list of constructor
     * references: no lambda bootstrap at start-up, and only the classes up to the match load.
     */
    private static Target make(int i) {
        switch (i) {
            case 0: return new I386();
            case 1: return new X86_64();
            case 2: return new Arm();
            case 3: return new Sh();
            case 4: return new Sh(true);
            case 5: return new M68k();
            case 6: return new Ppc();
            case 7: return new Ppc64();
            case 8: return new Mips(true);
            case 9: return new Mips(false);
            case 10: return new Alpha();
            case 11: return new Hppa();
            case 12: return new Hppa64();
            case 13: return new Ia64();
            case 14: return new Sparc();
            case 15: return new Sparc64();
            case 16: return new S390();
            case 17: return new S390x();
            default: throw new IllegalArgumentException("target " + i);
        }
    }

    /** The target for an object's machine, class and byte order, or null when none links it. */
    public static Target forObject(int machine, boolean is64, boolean bigEndian) {
        for (int i = 0; i < COUNT; i++) {
            Target t = make(i);
            if (t.accepts(machine, is64, bigEndian)) {
                return t;
            }
        }
        return null;
    }

    /** The target named as modutils names it (i386, x86_64, ...), or null. */
    public static Target byName(String name) {
        for (int i = 0; i < COUNT; i++) {
            Target t = make(i);
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Whether a kernel whose {@code uname -m} is {@code machine} runs modules linked by
     * {@code t} (the check the original made by being built for one architecture). Unknown or
     * absent machine names are not refused; mips and sh report no byte order, so either matches.
     */
    public static boolean runsOn(Target t, String machine) {
        if (machine == null || machine.isEmpty()) {
            return true;
        }
        String n = t.name();
        if (machine.matches("i[3-7]86")) {
            return n.equals("i386");
        }
        if (machine.startsWith("arm")) {
            return n.equals("arm");
        }
        if (machine.startsWith("mips")) {
            return n.equals("mips") || n.equals("mipsel");
        }
        if (machine.startsWith("sh")) {
            return n.equals("sh");
        }
        switch (machine) {
            case "parisc": return n.equals("hppa");
            case "parisc64": return n.equals("hppa64");
            case "x86_64": case "ppc": case "ppc64": case "sparc": case "sparc64": case "s390": case "s390x":
            case "alpha": case "ia64": case "m68k":
                return n.equals(machine);
            default:
                return true;
        }
    }
}
