package org.modutils.insmod.deps;

import java.util.ArrayList;
import java.util.List;

/** One module of the tree while depmod works on it (kmod's struct mod). */
final class Mod {
    final String path;
    /** Path below the module directory, or null for a module outside it (an external directory). */
    final String relpath;
    /** relpath cut after ".ko": the form modules.order uses. */
    final String uncrelpath;
    final String name;
    /** Length of path up to the last '/' (kmod's baselen). */
    final int baselen;
    int sortIdx = 1;
    int idx;
    int depSortIdx = Integer.MAX_VALUE;
    int users;
    boolean visited;
    final List<Mod> deps = new ArrayList<>(4);
    ModuleFacts facts;

    Mod(String path, String dirname, String name) {
        this.path = path;
        this.name = name;
        this.baselen = path.lastIndexOf('/');
        if (path.startsWith(dirname) && path.length() > dirname.length() && path.charAt(dirname.length()) == '/') {
            relpath = path.substring(dirname.length() + 1);
            int len = baselen - (dirname.length() + 1) + name.length() + 1 + 3;
            uncrelpath = relpath.substring(0, Math.min(len, relpath.length()));
        } else {
            relpath = null;
            uncrelpath = null;
        }
    }

    /** What modules.dep names: the relative path, or the full one outside the module directory. */
    String shownPath() {
        return relpath != null ? relpath : path;
    }

    /** Adds a dependency once; tells whether it was new. */
    boolean addDep(Mod owner) {
        for (Mod d : deps) if (d == owner) return false;
        deps.add(owner);
        return true;
    }

    /** kmod's module name for a file: the base name up to its first '.', with '-' as '_'. */
    static String nameOf(String path) {
        int slash = path.lastIndexOf('/');
        StringBuilder sb = new StringBuilder();
        for (int i = slash + 1; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '.') break;
            sb.append(c == '-' ? '_' : c);
        }
        return sb.toString();
    }
}
