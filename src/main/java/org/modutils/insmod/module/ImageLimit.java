package org.modutils.insmod.module;

import java.util.Locale;
import java.util.Map;

/**
 * The largest image insmod will build (and so allocate): {@value #DEFAULT} bytes unless the
 * system property {@code insmod.max-image} or the environment variable {@code INSMOD_MAX_IMAGE}
 * says otherwise (bytes, or with a K, M or G suffix; at most {@value #CEILING}). A 2.4 kernel
 * allocates modules with vmalloc, so no real module comes near the default.
 */
public final class ImageLimit {
    private ImageLimit() {}

    public static final long DEFAULT = 64L << 20;
    /** Images are Java arrays. */
    public static final long CEILING = 1L << 30;
    public static final String PROPERTY = "insmod.max-image";
    public static final String ENV = "INSMOD_MAX_IMAGE";

    /** Thrown for a setting that is not a size; the message is one line. */
    public static final class BadSetting extends Exception {
        BadSetting(String message) {
            super(message);
        }
    }

    /** The limit from the system property, else {@code env}, else the default. */
    public static long from(Map<String, String> env) throws BadSetting {
        String p = System.getProperty(PROPERTY);
        if (p != null) {
            return parse(PROPERTY, p);
        }
        String e = env.get(ENV);
        if (e != null && !e.isEmpty()) {
            return parse(ENV, e);
        }
        return DEFAULT;
    }

    static long parse(String name, String value) throws BadSetting {
        String v = value.strip().toUpperCase(Locale.ROOT);
        int shift = 0;
        if (v.endsWith("K")) {
            shift = 10;
        } else if (v.endsWith("M")) {
            shift = 20;
        } else if (v.endsWith("G")) {
            shift = 30;
        }
        if (shift > 0) {
            v = v.substring(0, v.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException ex) {
            throw new BadSetting(name + " '" + value + "' is not a size");
        }
        if (n <= 0 || n > (CEILING >> shift)) {
            throw new BadSetting(name + " '" + value + "' must be between 1 and " + CEILING + " bytes");
        }
        return n << shift;
    }
}
