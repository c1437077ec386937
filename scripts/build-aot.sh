#!/bin/bash
# build-aot.sh JAR AOT: the ahead-of-time cache (JEP 483/514/515) bin/insmod starts with when a
# JDK 25 or later is installed beside the JDK 17 floor; made at package time (mvn package, after
# build-cds.sh), by scripts/install, or by bin/insmod for a checkout's jar without one.
#
# One training run (cli.Training: several tools in one process) of the 2.4 linker on the bundled
# x86_64 and i386 hello.o with bin/insmod's JVM flags records the classes loaded and linked, the
# lambdas and the methods' profiles; the JVM writes them into AOT.
# AOT.java records which java made it (bin/insmod runs that one); it is left empty when there is
# no JDK 25+ or the training failed, so the launcher does not try again for the same jar. Measured
# against JDK 17 with the CDS archive in bench/run.sh. Only an optimisation: exits 0 whatever
# happens. AOT_JAVA names the JDK 25+ java to use; otherwise the newest /usr/lib/jvm/*/bin/java
# that accepts -XX:AOTCacheOutput.
set -u
jar=$(readlink -f "$1") || exit 0
aot=$2
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
o=$top/testdata/oracle
rm -f "$aot"
: >"$aot.java" 2>/dev/null || exit 0
tmp=$(mktemp -d) || exit 0
trap 'rm -rf "$tmp"' EXIT
cands=()
if [ -n "${AOT_JAVA:-}" ]; then
	cands=("$AOT_JAVA")
else
	for j in /usr/lib/jvm/*/bin/java; do [ -x "$j" ] && cands=("$j" "${cands[@]}"); done
fi
# the 2.4 linker's x86_64 and i386 paths (each has its own lambdas and classes), one process
train=(insmod --ksyms="$o/ksyms/ksyms64.txt" --uname-release=2.4.27 -n -m -O "$tmp/b" "$o/x86_64/obj/hello.o"
	--then insmod --ksyms="$o/ksyms/ksyms32.txt" --uname-release=2.4.27 -n -m -O "$tmp/b" "$o/i386/obj/hello.o")
for j in "${cands[@]}"; do
	[ -f "$o/x86_64/obj/hello.o" ] || break
	if "$j" -XX:TieredStopAtLevel=1 -XX:Tier3BackEdgeThreshold=2000 -XX:+UseSerialGC -Xmn4m \
		--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
		-XX:AOTCacheOutput="$tmp/a.aot" -cp "$jar" org.modutils.insmod.cli.Training "${train[@]}" \
		>/dev/null 2>"$tmp/log" && [ -s "$tmp/a.aot" ]; then
		mv -f "$tmp/a.aot" "$aot" && echo "$j" >"$aot.java"
		break
	fi
done
exit 0
