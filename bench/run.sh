#!/bin/bash
# bench/run.sh [RUNS] — whole-process benchmark of insmod (issues 7, 21). One command, one run,
# only ratios between things measured in that run: every command below runs once per round,
# RUNS rounds (default 15) after a warm-up round, interleaved (bench/interleave.py), and each
# figure is a median over the rounds. Prints:
#  - large generated module (bench/gen-big.py, x86_64): insmod -n -m -O against GNU ld doing the
#    same placing and relocating (-T bench/module.ld, --defsym for the kernel symbols, -Map);
#  - small module (testdata/oracle/i386/obj/hello.o) against a Java hello world, same JVM flags;
#  - peak RSS of insmod on the large module against the Java hello world's;
#  - growth: the large module at 1x, 4x and 16x.
# `bench/run.sh jmh [JMH options]` runs the JMH stage benchmarks (bench/jmh) instead;
# `bench/run.sh depmod [RUNS]` depmod over the Debian tree against kmod's (bench/depmod.sh).
# Needs python3, binutils (as, ld, readelf).
set -eu
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
work=$top/bench/work
runs=${1:-15}
cd "$top"
[ -f target/insmod.jar ] || mvn -q -DskipTests package
mkdir -p "$work"

[ "$runs" != depmod ] || { shift; exec bench/depmod.sh "$@"; }
if [ "$runs" = jmh ]; then
	shift
	[ -f bench/jmh/target/benchmarks.jar ] || (cd bench/jmh && mvn -q package)
	[ -f "$work/x1/big.o" ] || { python3 bench/gen-big.py 1 "$work/x1" && as --64 -o "$work/x1/big.o" "$work/x1/big.s"; }
	exec java -cp bench/jmh/target/benchmarks.jar:target/insmod.jar org.openjdk.jmh.Main "$@" LinkStages
fi

# The JVM flags of bin/insmod's launcher (the hello world gets the same ones).
flags=$(sed -n 's/^opts=(\${INSMOD_JAVA_OPTS:-\(.*\)})$/\1/p' bin/insmod)
[ -n "$flags" ] || { echo "run.sh: cannot read the JVM flags from bin/insmod" >&2; exit 1; }

for s in 1 4 16; do
	d=$work/x$s
	if [ ! -f "$d/big.o" ] || [ bench/gen-big.py -nt "$d/big.o" ]; then
		python3 bench/gen-big.py $s "$d"
		as --64 -o "$d/big.o" "$d/big.s"
	fi
done
mkdir -p "$work/hello"
if [ ! -f "$work/hello/hello.jar" ]; then
	printf 'public class Hello { public static void main(String[] a) { System.out.println("hello world"); } }\n' \
		>"$work/hello/Hello.java"
	(cd "$work/hello" && javac Hello.java && jar cfe hello.jar Hello Hello.class)
fi
bin/insmod -V >/dev/null 2>&1 || true # builds the jar's class-data archive (and AOT cache) if it has none
# The JVM bin/insmod runs: a JDK 25+ with its AOT cache when scripts/build-aot.sh made one, else
# `java` (JDK 17) with the class-data archive. The hello world runs on the same JVM; with the AOT
# cache, JDK 17 + CDS (JAVA=java bin/insmod) is measured in the same rounds as well.
jvm=java aot=
if [ -s target/insmod.aot.java ] && [ target/insmod.aot -nt target/insmod.jar ]; then
	read -r jvm <target/insmod.aot.java
	aot=1
fi

big() { # big DIR: the insmod command line on a generated module
	printf 'bin/insmod --ksyms=%q --uname-release=2.4.27 -n -m -O %q %q' "$1/ksyms64.txt" "$1/blob.bin" "$1/big.o"
}
x1=$work/x1
defsyms=$(awk '{printf " --defsym=%s=0x%s", $2, $1}' "$x1/ksyms64.txt")
ld_cmd="ld -m elf_x86_64 --no-warn-rwx-segments -T bench/module.ld$defsyms -Map $x1/ld.map --oformat binary -o $x1/ld.bin $x1/big.o"
objsize=$(stat -c %s "$x1/big.o")
nrel=$(readelf -r "$x1/big.o" | grep -c 'R_X86_64' || true)

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
echo "java (bin/insmod's, also the hello world's): $jvm: $("$jvm" -version 2>&1 | head -2 | tr '\n' ' ')"
[ -z "$aot" ] || echo "java 17 (compared): $(java -version 2>&1 | head -2 | tr '\n' ' ')"
echo "JVM flags (bin/insmod, also given to the hello world): $flags$( [ -n "$aot" ] && echo ' + AOT cache target/insmod.aot' || { [ -f target/insmod.jsa ] && echo ' + class-data archive target/insmod.jsa'; })"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   rounds: $runs (interleaved, medians)"
echo "large module: x1/big.o, $objsize bytes, $nrel relocations (x86_64); small module: i386 hello.o"
echo

small_args="--ksyms=testdata/oracle/ksyms/ksyms32.txt --uname-release=2.4.27 -n -m -O $work/hello.bin testdata/oracle/i386/obj/hello.o"
jdk17=()
[ -z "$aot" ] || jdk17=(big17 "env JAVA=java $(big "$x1")" small17 "env JAVA=java bin/insmod $small_args"
	jhello17 "java $flags -jar $work/hello/hello.jar")
python3 bench/interleave.py "$runs" \
	big "$(big "$x1")" \
	ld "$ld_cmd" \
	small "bin/insmod $small_args" \
	jhello "$jvm $flags -jar $work/hello/hello.jar" \
	big4 "$(big "$work/x4")" \
	big16 "$(big "$work/x16")" \
	"${jdk17[@]}" >"$work/result"
cat "$work/result" | while read -r l t m; do printf '  %-7s %8s s %8s KiB\n' "$l" "$t" "$m"; done
get() { awk -v l="$1" -v f="$2" '$1 == l {print $f}' "$work/result"; }
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
echo
echo "large module, time ours/GNU ld:           $(ratio "$(get big 2)" "$(get ld 2)")   (target <= 2.50, stretch 2.00)"
echo "small module, time ours/Java hello world: $(ratio "$(get small 2)" "$(get jhello 2)")   (target <= 1.50)"
echo "large module, peak RSS ours/Java hello:   $(ratio "$(get big 3)" "$(get jhello 3)")   (target <= 2.00)"
echo "growth, time 4x/1x and 16x/1x:            $(ratio "$(get big4 2)" "$(get big 2)") and $(ratio "$(get big16 2)" "$(get big 2)")   (linear: at most 4 and 16)"
if [ -n "$aot" ]; then
	echo "JDK 25 + AOT cache / JDK 17 + CDS, time: large $(ratio "$(get big 2)" "$(get big17 2)"), small $(ratio "$(get small 2)" "$(get small17 2)")"
	echo "  (on JDK 17 + CDS: large/ld $(ratio "$(get big17 2)" "$(get ld 2)"), small/hello $(ratio "$(get small17 2)" "$(get jhello17 2)"), RSS/hello $(ratio "$(get big17 3)" "$(get jhello17 3)"))"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
