package org.modutils.insmod.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the config reader and the module search take from the outside world, so that
 * tests can run them against a throwaway tree.
 *
 * <ul>
 * <li>{@code root}: a prefix for the built-in absolute names ({@code /lib/modules/...},
 *     {@code /etc/modules.conf}, {@code /etc/conf.modules}) and for each absolute directory
 *     a {@code path[...]=} line yields, like the {@code base_dir} of the original's
 *     {@code config_read}. "/" (the default) means none. Paths the user gives directly
 *     ({@code MODPATH} entries, {@code MODULECONFIG}/{@code MODULECONF}, {@code include},
 *     {@code persistdir=}, {@code if -f}) are used as given.</li>
 * <li>{@code env}: the environment (MODPATH, MODULECONFIG, MODULECONF, and what
 *     {@code $VAR} and backquoted commands in the config see). The reader works on its own
 *     copy; {@code define} adds to that copy.</li>
 * <li>{@code release}: what {@code uname -r} says (or {@code --uname-release}).</li>
 * <li>{@code autoclean}: whether {@code -k} was given, for {@code if -k}.</li>
 * </ul>
 */
public final class ConfigContext {
    private final Path root;
    private final Map<String, String> env;
    private final String release;
    private final boolean autoclean;

    private ConfigContext(Path root, Map<String, String> env, String release, boolean autoclean) {
        this.root = Objects.requireNonNull(root);
        this.env = Map.copyOf(env);
        this.release = Objects.requireNonNull(release);
        this.autoclean = autoclean;
    }

    /** The running system: root "/", this process's environment. */
    public static ConfigContext system(String release, boolean autoclean) {
        return new ConfigContext(Path.of("/"), System.getenv(), release, autoclean);
    }

    /** A context with an explicit root and environment (tests, --uname-release). */
    public static ConfigContext of(Path root, Map<String, String> env, String release, boolean autoclean) {
        return new ConfigContext(root, env, release, autoclean);
    }

    /**
     * A tool's context: root {@code base} ("" means "/"), and its environment with -C's
     * {@code configFile} as MODULECONFIG when one was given (-C goes before the environment's).
     */
    public static ConfigContext under(String base, Map<String, String> env, String configFile, String release,
                                      boolean autoclean) {
        Map<String, String> e = new HashMap<>(env);
        if (configFile != null) e.put("MODULECONFIG", configFile);
        return new ConfigContext(Path.of(base.isEmpty() ? "/" : base), e, release, autoclean);
    }

    public Path root() {
        return root;
    }

    public Map<String, String> env() {
        return env;
    }

    public String release() {
        return release;
    }

    public boolean autoclean() {
        return autoclean;
    }

    /** The string put in front of built-in absolute paths: "" for root "/". */
    String prefix() {
        String r = root.toString();
        while (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    /** A mutable copy of the environment for the reader. */
    Map<String, String> envCopy() {
        return new HashMap<>(env);
    }

    /** `kernelversion`: the release up to its second dot ("2.4.20" gives "2.4"). */
    static String kernelVersion(String release) {
        int dots = 0;
        for (int i = 0; i < release.length(); i++) {
            if (release.charAt(i) == '.' && ++dots == 2) {
                return release.substring(0, i);
            }
        }
        return release;
    }
}
