package org.modutils.insmod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Methods that fit on a screen: no method or constructor of src/main is longer than
 * {@link #LIMIT} lines, counted from the line of its name to the line of its closing brace.
 * Read from the source text: comments, strings and character literals are blanked first, then
 * every block opened right after a parameter list ({@code name(...) [throws ...] {}) that is not a
 * statement ({@code if}, {@code for}, {@code new X() {}, ...) is a method body.
 */
class MethodLengthTest {
    static final int LIMIT = 60;
    private static final Pattern SIGNATURE = Pattern.compile(
            "(?s).*?\\b([A-Za-z_$][\\w$]*)\\s*\\((?:[^()]|\\([^()]*\\))*\\)\\s*(?:throws\\s+[\\w$.,\\s]+)?$");
    private static final List<String> NOT_METHODS = List.of("if", "for", "while", "switch", "catch", "synchronized",
            "try", "return", "throw", "else", "do", "case", "new", "assert", "record");

    /** Comments, strings, text blocks and char literals replaced by spaces; line breaks kept. */
    static String blank(String s) {
        StringBuilder b = new StringBuilder(s);
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int end;
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                end = s.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (c == '"' && s.startsWith("\"\"\"", i)) {
                end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
            } else if (c == '"' || c == '\'') {
                end = i + 1;
                while (end < n && s.charAt(end) != c) {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(n, end + 1);
            } else {
                i++;
                continue;
            }
            for (int k = i; k < end; k++) {
                if (b.charAt(k) != '\n') {
                    b.setCharAt(k, ' ');
                }
            }
            i = end;
        }
        return b.toString();
    }

    /** "Name:line: n lines" for every method body of the text longer than the limit. */
    static List<String> longMethods(String name, String source, int limit) {
        String s = blank(source);
        List<String> out = new ArrayList<>();
        List<int[]> open = new ArrayList<>(); // {start line, is method}
        int line = 1;
        int stmtStart = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
            } else if (c == '{') {
                String head = s.substring(stmtStart, i).strip();
                int startLine = isMethod(head) ? line - newlines(head) : -1;
                open.add(new int[] {startLine});
                stmtStart = i + 1;
            } else if (c == '}') {
                if (!open.isEmpty()) {
                    int start = open.remove(open.size() - 1)[0];
                    if (start > 0 && line - start + 1 > limit) {
                        out.add(name + ":" + start + ": " + (line - start + 1) + " lines");
                    }
                }
                stmtStart = i + 1;
            } else if (c == ';') {
                stmtStart = i + 1;
            }
        }
        return out;
    }

    private static int newlines(String head) {
        int n = 0;
        for (int i = 0; i < head.length(); i++) {
            n += head.charAt(i) == '\n' ? 1 : 0;
        }
        return n;
    }

    private static boolean isMethod(String head) {
        if (head.contains("->") || head.contains("=")) {
            return false;
        }
        var m = SIGNATURE.matcher(head);
        if (!m.matches()) {
            return false;
        }
        String before = head.substring(0, m.start(1)).strip();
        String last = before.isEmpty() ? "" : before.substring(before.lastIndexOf(' ') + 1);
        return !NOT_METHODS.contains(m.group(1)) && !NOT_METHODS.contains(last) && !before.endsWith(".");
    }

    @Test
    void everyMethodFitsOnAScreen() throws IOException {
        List<String> long_ = new ArrayList<>();
        try (Stream<Path> files = Files.walk(LayeringTest.MAIN)) {
            for (Path p : files.filter(x -> x.toString().endsWith(".java")).sorted().toList()) {
                long_.addAll(longMethods(p.toString(), Files.readString(p), LIMIT));
            }
        }
        assertEquals(List.of(), long_);
    }

    /** The check itself: a long method is found; a long if, lambda or anonymous class alone is not. */
    @Test
    void finderCountsMethodsOnly() {
        String body = "        x();\n".repeat(LIMIT);
        String method = "class A {\n    void f(int a) throws E {\n" + body + "    }\n}\n";
        assertEquals(List.of("A:2: " + (LIMIT + 2) + " lines"), longMethods("A", method, LIMIT));
        String notMethods = "class A {\n    void f() {}\n    static {\n        if (a(b)) {\n" + body
                + "        }\n        Runnable r = () -> {\n" + body + "        };\n    }\n"
                + "    String s = \"{ void g() {\";\n}\n";
        assertEquals(List.of(), longMethods("A", notMethods, LIMIT));
    }
}
