package org.modutils.insmod.arch;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.modutils.insmod.link.Target;

/**
 * The one table of relocation names: each architecture's {@code static final int R_...}
 * constants, read once per architecture when a message first needs a name, and named as the
 * psABI does ({@code R_PPC64_REL24}, {@code R_ARM_CALL}). Our own messages use it; the
 * original's recorded messages keep their bare numbers.
 */
public final class RelocNames {
    private static final Map<Class<?>, Map<Integer, String>> TABLES = new ConcurrentHashMap<>();

    /** The psABI prefix of the architectures whose constants leave it out. */
    private static final Map<String, String> PREFIX = Map.ofEntries(Map.entry("alpha", "R_ALPHA_"),
            Map.entry("hppa", "R_PARISC_"), Map.entry("hppa64", "R_PARISC_"), Map.entry("ia64", "R_IA64_"),
            Map.entry("ppc", "R_PPC_"), Map.entry("ppc64", "R_PPC64_"), Map.entry("s390", "R_390_"),
            Map.entry("s390x", "R_390_"), Map.entry("sparc", "R_SPARC_"), Map.entry("sparc64", "R_SPARC_"),
            Map.entry("x86_64", "R_X86_64_"));

    private RelocNames() {}

    /** The name of relocation {@code type} of {@code target}, or "type N" when it has no constant. */
    public static String name(Target target, int type) {
        String n = TABLES.computeIfAbsent(target.getClass(), c -> table(c, PREFIX.get(target.name())))
                .get(type);
        return n != null ? n : "type " + type;
    }

    private static Map<Integer, String> table(Class<?> c, String prefix) {
        Map<Integer, String> names = new HashMap<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == int.class
                        && f.getName().startsWith("R_")) {
                    try {
                        f.setAccessible(true);
                        String name = prefix != null ? prefix + f.getName().substring(2) : f.getName();
                        names.putIfAbsent(f.getInt(null), name);
                    } catch (IllegalAccessException | RuntimeException e) {
                        // a constant we cannot read is a name we do not have
                    }
                }
            }
        }
        return names;
    }
}
