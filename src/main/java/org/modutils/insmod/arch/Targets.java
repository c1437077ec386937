package org.modutils.insmod.arch;

import java.util.List;
import java.util.function.Supplier;

/** The architectures we link for; each call makes a fresh target for one link. */
public final class Targets {
    private Targets() {}

    private static final List<Supplier<Target>> ALL = List.of(I386::new, X86_64::new, Arm::new, Sh::new,
            () -> new Sh(true), M68k::new, Ppc::new, Ppc64::new, () -> new Mips(true), () -> new Mips(false),
            Alpha::new, Hppa::new, Hppa64::new, Ia64::new, Sparc::new, Sparc64::new,
            S390::new, S390x::new);

    /** The target for an object's machine, class and byte order, or null when none links it. */
    public static Target forObject(int machine, boolean is64, boolean bigEndian) {
        for (Supplier<Target> s : ALL) {
            Target t = s.get();
            if (t.accepts(machine, is64, bigEndian)) {
                return t;
            }
        }
        return null;
    }

    /** The target named as modutils names it (i386, x86_64, ...), or null. */
    public static Target byName(String name) {
        for (Supplier<Target> s : ALL) {
            Target t = s.get();
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
