package org.modutils.insmod.modmap;

/**
 * Which of the kernel's module layouts a release uses. Before 6.4 a module has two allocations,
 * core and init, each laid out text, read-only data, read-only-after-init data, data, with the
 * boundaries page aligned (CONFIG_STRICT_MODULE_RWX, set on x86_64 and arm64). From 6.4
 * (module_memory) every kind of memory is its own allocation: text, data, rodata,
 * ro_after_init, init text, init data, init rodata.
 */
public enum LayoutRules {
    CORE_INIT(new String[] {"core", "init"}), MEMORY_REGIONS(new String[] {"text", "data", "rodata", "ro_after_init",
        "init_text", "init_data", "init_rodata"});

    private final String[] units;

    LayoutRules(String[] units) {
        this.units = units;
    }

    /** The allocations of this layout, in the order the map gives their dummy bases; then "percpu". */
    public String[] units() {
        return units.clone();
    }

    /**
     * The rules of {@code release} ("6.1.0-57-amd64", "6.4", ...); a release that does not start
     * with a version number gets the newest rules.
     */
    public static LayoutRules forRelease(String release) {
        return atLeast(release, 6, 4) ? MEMORY_REGIONS : CORE_INIT;
    }

    /**
     * Whether {@code release} is major.minor or later; null or a release that does not start with
     * a version number counts as the newest.
     */
    static boolean atLeast(String release, int major, int minor) {
        if (release == null) {
            return true;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) {
            return true;
        }
        int relMajor = Integer.parseInt(m.group(1));
        int relMinor = Integer.parseInt(m.group(2));
        return relMajor > major || (relMajor == major && relMinor >= minor);
    }
}
