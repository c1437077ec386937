#!/bin/bash
# bench/run.sh [RUNS] — whole-process benchmark of insmod (issue 7). Prints, with medians over
# RUNS runs (default 9): the large generated module's wall time against the original C insmod's
# 0.28 s and against GNU ld doing the same placing and relocating; the small (hello) module
# against a Java "hello world" with the same JVM flags; peak RSS against the JVM floor and the
# object size; and 1x/4x/16x of the large module. `bench/run.sh jmh` runs the JMH stage benchmarks
# (bench/jmh) instead. Needs python3, binutils (as, ld), /usr/bin/time; uses hyperfine if present.
set -eu
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
work=$top/bench/work
runs=${1:-9}
cd "$top"
[ -f target/insmod.jar ] || mvn -q -DskipTests package
mkdir -p "$work"

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

# median_time N CMD...: median wall seconds of N runs (output discarded).
median_time() {
	local n=$1; shift
	if command -v hyperfine >/dev/null; then
		hyperfine -N -w 1 -r "$n" --export-json "$work/hf.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
		python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$work/hf.json"
	else
		"$@" >/dev/null 2>&1 || true
		for _ in $(seq "$n"); do
			/usr/bin/time -f %e -o "$work/t" "$@" >/dev/null 2>&1 || true
			cat "$work/t"
		done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
	fi
}
# median_rss N CMD...: median peak RSS in KiB.
median_rss() {
	local n=$1; shift
	for _ in $(seq "$n"); do
		/usr/bin/time -f %M -o "$work/m" "$@" >/dev/null 2>&1 || true
		cat "$work/m"
	done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
insmod_big() { # insmod_big DIR
	echo bin/insmod --ksyms="$1/ksyms64.txt" --uname-release=2.4.27 -n -m -O "$1/blob.bin" "$1/big.o"
}
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

x1=$work/x1
defsyms=$(awk '{printf " --defsym=%s=0x%s", $2, $1}' "$x1/ksyms64.txt")
bin/insmod --ksyms="$x1/ksyms64.txt" --uname-release=2.4.27 -n -m -O "$x1/blob.bin" "$x1/big.o" >/dev/null # warm the page cache
objsize=$(stat -c %s "$x1/big.o")
nrel=$(readelf -r "$x1/big.o" | grep -c 'R_X86_64' || true)

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(java -version 2>&1 | head -1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)   runs per median: $runs   JVM flags: $flags"
echo "large module: $(basename "$x1")/big.o, $objsize bytes, $nrel relocations, 20000 functions, 400 kernel symbols (x86_64)"
echo

t_big=$(median_time "$runs" $(insmod_big "$x1"))
t_ld=$(median_time "$runs" ld -m elf_x86_64 --no-warn-rwx-segments -T bench/module.ld $defsyms -Map "$x1/ld.map" \
	--oformat binary -o "$x1/ld.bin" "$x1/big.o")
echo "large module, insmod -n -m -O: ${t_big} s   (original C insmod: 0.28 s -> ratio $(ratio "$t_big" 0.28); target <= 1.00)"
echo "large module, GNU ld -T -Map --defsym: ${t_ld} s   (insmod / ld = $(ratio "$t_big" "$t_ld"))"

t_hello=$(median_time "$runs" bin/insmod --ksyms=testdata/oracle/ksyms/ksyms32.txt --uname-release=2.4.27 -n -m \
	-O "$work/hello.bin" testdata/oracle/i386/obj/hello.o)
t_jhello=$(median_time "$runs" java $flags -jar "$work/hello/hello.jar")
echo "small module (hello.o), insmod -n -m -O: ${t_hello} s   java hello world, same flags: ${t_jhello} s   ratio $(ratio "$t_hello" "$t_jhello") (target <= 1.50)"

r_big=$(median_rss "$runs" $(insmod_big "$x1"))
r_floor=$(median_rss "$runs" java $flags -jar "$work/hello/hello.jar")
above=$((r_big - r_floor))
echo "peak RSS: insmod large ${r_big} KiB, JVM floor (hello world) ${r_floor} KiB, above floor ${above} KiB = $(ratio $((above * 1024)) "$objsize") x object size (target <= 3.00)"

echo
echo "scaling (wall time, median):"
t1=$t_big
for s in 1 4 16; do
	n=$runs
	[ $s = 16 ] && n=$(( (runs + 2) / 3 ))
	[ $s = 1 ] && t=$t1 || t=$(median_time "$n" $(insmod_big "$work/x$s"))
	echo "  ${s}x: $(stat -c %s "$work/x$s/big.o") bytes  ${t} s  (per 1x: $(ratio "$t" "$s"))"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
