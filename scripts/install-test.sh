#!/bin/bash
# install-test.sh: the launcher and the install, end to end (run by scripts/test-all).
#
#  1. bin/insmod in a stand-in checkout (its own pom.xml, src/main, target/insmod.jar; `mvn` and
#     the JVM replaced by recorders): an up-to-date jar runs with no build and nothing said; a
#     source newer than the jar, or no jar, builds once, saying so on stderr; a symlink passes
#     its own name (-Dmodutils.prog); an installed layout never builds.
#  2. scripts/install --prefix=<temporary>: the installed insmod (run from outside the checkout)
#     prints its version, and links testdata/oracle/i386/obj/hello.o against the bundled 2.4.27
#     table exactly as the original insmod did (the recorded case hello-y: stdout, exit status
#     and the -O image); every link of bin/ is there and named right; `man -l` renders the
#     installed page; the completion completes; --uninstall leaves the prefix empty.
# Prints PASS/FAIL lines; exit 0 only if all pass.
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
T=$(mktemp -d "${TMPDIR:-/tmp}/install-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0 n=0
check() { # NAME COMMAND...: PASS when COMMAND succeeds
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "PASS: $name"; else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
has() { grep -q -- "$2" "$1"; }
hasnt() { ! grep -q -- "$2" "$1"; }

# ---- 1. the launcher, with recorders for mvn and java -------------------------------------
C=$T/checkout
mkdir -p "$C/bin" "$C/src/main" "$C/target" "$C/scripts" "$T/fake"
cp "$top/bin/insmod" "$C/bin/insmod"
ln -s insmod "$C/bin/rmmod"
echo '<project/>' >"$C/pom.xml"
echo 'class A {}' >"$C/src/main/A.java"
cat >"$T/fake/mvn" <<EOF
#!/bin/bash
echo "mvn \$*" >>"$T/mvn.log"
: >target/insmod.jar; touch -d "@\$((\$(date +%s) + 1))" target/insmod.jsa
EOF
cat >"$T/fake/java" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >"$T/java.log"
EOF
chmod +x "$T/fake/mvn" "$T/fake/java"
printf '#!/bin/bash\ntouch "$2"\n' >"$C/scripts/build-cds.sh"
launch() { # NAME [ARGS]: runs the stand-in checkout's launcher by NAME
	rm -f "$T/mvn.log" "$T/java.log"
	local name=$1
	shift
	PATH=$T/fake:$PATH JAVA=$T/fake/java "$C/bin/$name" "$@" 2>"$T/err"
}
touch -d 2001-01-01 "$C/src/main/A.java" "$C/pom.xml"
launch insmod -V
check "launcher: no jar: builds with Maven" test -s "$T/mvn.log"
check "launcher: no jar: says so on stderr" has "$T/err" "^insmod: building target/insmod.jar with Maven (there is none yet)"
check "launcher: then runs the jar" has "$T/java.log" "-cp $C/target/insmod.jar org.modutils.insmod.cli.Main -V\$"
launch insmod -V
check "launcher: jar up to date: no build" test ! -e "$T/mvn.log"
check "launcher: jar up to date: nothing on stderr" test ! -s "$T/err"
check "launcher: passes -Dmodutils.prog=insmod" has "$T/java.log" "-Dmodutils.prog=insmod -cp"
check "launcher: uses the class-data archive" has "$T/java.log" "-XX:SharedArchiveFile=$C/target/insmod.jsa"
touch -d "@$(($(date +%s) + 100))" "$C/src/main/A.java"
launch rmmod x
check "launcher: stale jar (source newer): builds once" test "$(wc -l <"$T/mvn.log" 2>/dev/null)" = 1
check "launcher: stale jar: names the newer source on stderr" has "$T/err" "(src/main/A.java is newer)"
check "launcher: a symlink passes its own name" has "$T/java.log" "-Dmodutils.prog=rmmod -cp"
touch -d "@$(($(date +%s) + 200))" "$C/src/main/A.java"
INSMOD_REBUILD=0 launch insmod -V
check "launcher: INSMOD_REBUILD=0 skips the age check" test ! -e "$T/mvn.log"
# a JDK 25+ AOT cache (scripts/build-aot.sh names its java): used without JAVA, CDS with JAVA
printf '#!/bin/bash\ntouch "$2"; echo %q >"$2.java"\n' "$T/fake/java" >"$C/scripts/build-aot.sh"
rm -f "$C/target/insmod.aot.java"
rm -f "$T/java.log"
PATH=$T/fake:$PATH INSMOD_REBUILD=0 "$C/bin/insmod" -V 2>"$T/err"
check "launcher: builds the AOT cache once, then runs the java it names with it" \
	has "$T/java.log" "-XX:AOTCache=$C/target/insmod.aot"
check "launcher: AOT cache: nothing on stderr" test ! -s "$T/err"
INSMOD_REBUILD=0 launch insmod -V
check "launcher: JAVA set: the class-data archive, not the AOT cache" hasnt "$T/java.log" "AOTCache"
I=$T/fakeinstall
mkdir -p "$I/sbin" "$I/lib/modutils-java"
cp "$top/bin/insmod" "$I/sbin/insmod"
touch -d @1000000000 "$I/lib/modutils-java/insmod.jar"
touch -d @1000000001 "$I/lib/modutils-java/insmod.jsa"
rm -f "$T/mvn.log"
PATH=$T/fake:$PATH JAVA=$T/fake/java "$I/sbin/insmod" -V 2>"$T/err"
check "installed launcher: no build" test ! -e "$T/mvn.log"
check "installed launcher: runs PREFIX/lib/modutils-java/insmod.jar" has "$T/java.log" "-cp $I/lib/modutils-java/insmod.jar org.modutils.insmod.cli.Main -V\$"

# ---- 2. scripts/install into a temporary prefix -------------------------------------------
P=$T/prefix
if ! "$top/scripts/install" --prefix="$P" >"$T/install.out" 2>&1; then
	cat "$T/install.out"
	check "scripts/install --prefix=$P" false
else
	check "scripts/install --prefix=<temporary>" true
	touch "$T/installed.mark"
	check "installed: sbin/insmod, lib/modutils-java/insmod.jar, .jsa" \
		test -x "$P/sbin/insmod" -a -f "$P/lib/modutils-java/insmod.jar" -a -f "$P/lib/modutils-java/insmod.jsa"
	for l in "$top"/bin/*; do
		[ -L "$l" ] || continue
		check "installed: sbin/${l##*/} -> insmod" test "$(readlink "$P/sbin/${l##*/}")" = insmod
	done
	share_on() { # java refuses to start with -Xshare:on when the archive does not fit the jar
		"${JAVA:-java}" -Xshare:on -XX:SharedArchiveFile="$P/lib/modutils-java/insmod.jsa" -XX:TieredStopAtLevel=1 \
			-XX:+UseSerialGC -jar "$P/lib/modutils-java/insmod.jar" --help-all >/dev/null
	}
	check "installed: the class-data archive is valid for the installed jar (java -Xshare:on)" share_on
	cd "$T" # nowhere near the checkout
	"$P/sbin/insmod" -V >"$T/v.out" 2>&1
	check "installed insmod -V: prints the version" has "$T/v.out" "version"
	O=$top/testdata/oracle
	"$P/sbin/insmod" --ksyms="$O/ksyms/ksyms32.txt" --uname-release=2.4.27 -n -m -O "$T/blob.bin" -y \
		"$O/i386/obj/hello.o" >"$T/out" 2>"$T/err"
	rc=$?
	check "installed insmod -n -m -y -O hello.o: exit status as recorded" test "$rc" = "$(cat "$O/i386/hello-y/rc")"
	check "installed insmod: stdout (load map) as recorded" cmp -s "$T/out" "$O/i386/hello-y/stdout"
	check "installed insmod: stderr as recorded" cmp -s "$T/err" "$O/i386/hello-y/stderr"
	check "installed insmod: -O image as recorded" cmp -s "$T/blob.bin" "$O/i386/hello-y/blob.bin"
	check "installed insmod: wrote nothing into the checkout's target/" \
		test -z "$(find "$top/target" -maxdepth 1 -newer "$T/installed.mark" -name 'insmod.*' -print -quit 2>/dev/null)"
	for m in "$top"/etc/*.[58]; do
		[ -f "$m" ] || continue
		inst=$P/share/man/man${m##*.}/${m##*/}
		check "installed: ${inst#"$P"/}" cmp -s "$m" "$inst"
	done
	if command -v man >/dev/null; then
		MANWIDTH=80 man -l "$P/share/man/man8/insmod.8" >"$T/man.out" 2>"$T/man.err"
		check "man -l PREFIX/share/man/man8/insmod.8 renders (NAME, SYNOPSIS)" \
			eval 'grep -q "^NAME" "$T/man.out" && grep -q "^SYNOPSIS" "$T/man.out" && grep -q insmod "$T/man.out"'
		check "man -l: no troff warnings" test ! -s "$T/man.err"
	else
		echo "SKIP: man -l of the installed page: man is not installed (Debian package man-db)"
	fi
	check "installed: bash completion" test -f "$P/share/bash-completion/completions/insmod"
	words=$(bash -c 'source "$1"; COMP_WORDS=(insmod --uname-r); COMP_CWORD=1; _modutils_java "$2" --uname-r insmod; echo "${COMPREPLY[*]}"' \
		_ "$P/share/bash-completion/completions/insmod" "$P/sbin/insmod")
	check "completion: insmod --uname-r<TAB> -> --uname-release" test "$words" = "--uname-release"
	names=(insmod)
	for l in "$top"/bin/*; do [ -L "$l" ] && names+=("${l##*/}"); done
	check "completion: registered for ${names[*]}" \
		bash -c 'source "$1"; shift; complete -p "$@" >/dev/null' _ "$P/share/bash-completion/completions/insmod" "${names[@]}"
	"$top/scripts/install" --prefix="$P" --uninstall >/dev/null
	check "scripts/install --uninstall: the prefix is empty again" test -z "$(ls -A "$P" 2>/dev/null)"
fi
echo "install-test: $n checks, $fails failed"
((fails == 0))
