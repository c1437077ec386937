package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.modutils.insmod.tools.Getopt;

/**
 * Long options resolve as the original's did: glibc's own getopt_long, compiled from
 * testdata/getopt/original-getopt.c with modutils 2.4.16's option string and long-option table,
 * is the expectation for every prefix of every long name (the original's and ours), with and
 * without "=value", and for the getopt error cases, with and without POSIXLY_CORRECT in the
 * environment. Our own long options must not change any of these answers.
 */
class GetoptGlibcTest {
    static final String[] ORIGINAL = {"force", "help", "autoclean", "lock", "map", "noload", "probe", "poll", "quiet",
        "root", "syslog", "kallsyms", "verbose", "version", "noexport", "export", "noksymoops", "ksymoops", "persist",
        "name", "blob", "prefix"};
    static final String[] OURS = {"ksyms", "uname-release", "uname-version", "target", "verify", "syscall", "help-all",
        "numeric-only"};

    /** Every command line compared: all prefixes of all long names, "=" forms, error cases. */
    static List<String[]> commandLines() {
        List<String[]> lines = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of(ORIGINAL));
        names.addAll(List.of(OURS));
        for (String n : names) {
            boolean full = List.of(OURS).contains(n);
            for (int len = 1; len <= n.length(); len++) {
                String p = n.substring(0, len);
                if (full && len == n.length()) {
                    continue; // ours, typed in full: ours by design (GetoptRulesTest)
                }
                lines.add(new String[] {"--" + p, "ARG", "mod.o"});
                lines.add(new String[] {"--" + p + "=x", "mod.o"});
            }
        }
        for (String s : new String[] {"--=", "--=x", "--bogus=1", "--bogus", "--ksym", "--ks", "--k", "--v", "--ve",
            "--ver", "--t", "--ta=x", "--nu", "--u", "--he", "--help-a", "--persist", "--pers", "-e", "-Z", "-R",
            "-fe", "-vVx", "-ofoo", "-N", "--poll=1", "--", "-"}) {
            lines.add(new String[] {"mod.o", s});
        }
        lines.add(new String[] {"-e", "", "--name", "", "--blob=", "mod.o", "--prefix", "smp_"});
        lines.add(new String[] {"-v", "mod.o", "-x", "--", "-y", "p=1"});
        lines.add(new String[] {"--", "-v", "mod.o"});
        return lines;
    }

    @Test
    void longOptionsResolveAsGlibcResolvedTheOriginalTable() throws Exception {
        Path dir = Files.createTempDirectory("getopt");
        try {
            Path exe = dir.resolve("original-getopt");
            Process cc;
            try {
                cc = new ProcessBuilder("cc", "-o", exe.toString(),
                        Paths.get("testdata/getopt/original-getopt.c").toAbsolutePath().toString())
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                assumeTrue(false, "no C compiler (cc) to build glibc's getopt_long driver: " + e.getMessage());
                return;
            }
            String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assumeTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, "cc failed: " + ccOut);
            List<String[]> lines = commandLines();
            StringBuilder input = new StringBuilder();
            for (String[] l : lines) {
                input.append(String.join("\t", l)).append('\n');
            }
            for (boolean posixlyCorrect : new boolean[] {false, true}) {
                ProcessBuilder pb = new ProcessBuilder(exe.toString()).redirectErrorStream(true);
                pb.environment().remove("POSIXLY_CORRECT");
                if (posixlyCorrect) {
                    pb.environment().put("POSIXLY_CORRECT", "1");
                }
                Process p = pb.start();
                p.getOutputStream().write(input.toString().getBytes(StandardCharsets.ISO_8859_1));
                p.getOutputStream().close();
                String glibc = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                p.waitFor(60, TimeUnit.SECONDS);
                String[] answers = glibc.split("END\n", -1);
                assertEquals(lines.size() + 1, answers.length, "one answer per command line");
                for (int i = 0; i < lines.size(); i++) {
                    assertEquals(answers[i], ours(lines.get(i), posixlyCorrect),
                            (posixlyCorrect ? "POSIXLY_CORRECT " : "") + String.join(" ", lines.get(i)));
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }

    /** Our parse of one command line, printed as the glibc driver prints its answer. */
    static String ours(String[] argv, boolean requireOrder) {
        StringBuilder sb = new StringBuilder();
        try {
            Getopt.parse(OptionTable.OPTIONS, OptionTable.ORIGINAL_LONG, requireOrder, argv, o -> {
                if (o.key().equals("N")) {
                    throw new IllegalStateException("-N");
                }
                sb.append('-').append(o.key()).append(o.arg() != null ? " " + o.arg() : "").append('\n');
            });
        } catch (Getopt.UsageError e) {
            sb.append("insmod: ").append(e.getMessage()).append("\nERR\n");
        } catch (IllegalStateException e) {
            // -N is 2.4.18's option, which 2.4.16's getopt refused: README "Where we differ".
            sb.append("insmod: invalid option -- 'N'\nERR\n");
        }
        return sb.toString();
    }
}
