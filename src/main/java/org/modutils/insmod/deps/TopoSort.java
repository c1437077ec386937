package org.modutils.insmod.deps;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;

/**
 * kmod's ordering of modules: a topological sort that starts from the modules nobody uses
 * (popping the most recently found first), numbering each module as it is taken; a module's
 * dependency list is later printed in that numbering. What cannot be numbered lies in or
 * behind a dependency cycle, and each cycle is reported as kmod reports it.
 */
final class TopoSort {
    private TopoSort() {}

    static void sort(List<Mod> mods, DepmodLog log) throws DepmodException {
        int n = mods.size();
        int[] users = new int[n];
        int[] roots = new int[n];
        int nRoots = 0;
        for (int i = 0; i < n; i++) {
            users[i] = mods.get(i).users;
            if (users[i] == 0) roots[nRoots++] = i;
        }
        int sorted = 0;
        while (nRoots > 0) {
            Mod src = mods.get(roots[--nRoots]);
            src.depSortIdx = sorted++;
            for (Mod dst : src.deps) {
                if (--users[dst.idx] == 0) roots[nRoots++] = dst.idx;
            }
        }
        if (sorted < n) {
            reportCycles(mods, users, log);
            throw new DepmodException(null, false);
        }
    }

    private record Vertex(Vertex parent, Mod mod) {}

    private static void reportCycles(List<Mod> mods, int[] users, DepmodLog log) {
        LinkedList<Mod> roots = new LinkedList<>();
        for (int i = 0; i < mods.size(); i++) if (users[i] > 0) roots.add(mods.get(i));
        Set<String> inLoops = new LinkedHashSet<>();
        int budget = 1 << 22;
        while (!roots.isEmpty()) {
            Mod root = roots.removeFirst();
            Deque<Vertex> stack = new ArrayDeque<>();
            Vertex rv = new Vertex(null, root);
            stack.push(rv);
            while (!stack.isEmpty() && budget-- > 0) {
                Vertex v = stack.pop();
                Mod m = v.mod();
                if (m.visited && m == root) {
                    reportOne(v, roots, inLoops, log);
                    continue;
                }
                m.visited = true;
                if (m.deps.isEmpty()) {
                    roots.remove(m);
                    continue;
                }
                for (Mod dep : m.deps) stack.push(new Vertex(v, dep));
            }
        }
        log.error("Found " + inLoops.size() + " modules in dependency cycles!");
    }

    private static void reportOne(Vertex v, List<Mod> roots, Set<String> inLoops, DepmodLog log) {
        List<Mod> chain = new ArrayList<>();
        for (Vertex p = v.parent(); p != null; p = p.parent()) {
            chain.add(p.mod());
            inLoops.add(p.mod().name);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = chain.size() - 1; i >= 0; i--) {
            sb.append(chain.get(i).name).append(" -> ");
            roots.remove(chain.get(i));
        }
        sb.append(v.mod().name);
        log.error("Cycle detected: " + sb);
    }
}
