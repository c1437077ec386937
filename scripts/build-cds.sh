#!/bin/bash
# build-cds.sh JAR JSA: the class-data-sharing archive bin/insmod starts with, made at package
# time (mvn package runs it after the jar is shaded; bin/insmod runs it only for a jar that has
# none and a writable target/).
#
# A static AppCDS archive: training runs of the 2.4 linker on the bundled modules record the
# classes they load (-XX:DumpLoadedClassList), and -Xshare:dump writes one archive holding those
# JDK and insmod classes, pre-parsed and pre-linked. One archive (not the JDK's default plus a
# dynamic one on top) is the quickest start. The JVM flags must be bin/insmod's. The archive is
# only an optimisation: any failure here leaves no archive, says so and exits 0.
set -u
jar=$(readlink -f "$1") || exit 0
jsa=$2
java=${JAVA:-java}
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
opts=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
tmp=$(mktemp -d) || exit 0
trap 'rm -rf "$tmp"' EXIT
o=$top/testdata/oracle
n=0
train() {
	n=$((n + 1))
	"$java" "${opts[@]}" -Xshare:off -XX:DumpLoadedClassList="$tmp/$n.lst" -cp "$jar" org.modutils.insmod.cli.Main "$@" >/dev/null 2>&1
}
train --ksyms="$o/ksyms/ksyms32.txt" --uname-release=2.4.27 -n -m -O "$tmp/b" "$o/i386/obj/hello.o"
train --ksyms="$o/ksyms/ksyms64.txt" --uname-release=2.4.27 -n -m -O "$tmp/b" "$o/x86_64/obj/hello.o"
train --ksyms="$o/ksyms/ksyms32.txt" --uname-release=2.4.27 -n -m "$o/i386/obj/params.o" irq=5
train --ksyms="$o/ksyms/ksyms32.txt" --uname-release=2.4.27 -n "$o/i386/obj/unres.o"
train -h
# the family tools the same launcher starts (bin/modinfo, bin/lsmod, bin/rmmod): each reads only
train_as() {
	n=$((n + 1))
	local prog=$1
	shift
	"$java" "${opts[@]}" -Xshare:off -XX:DumpLoadedClassList="$tmp/$n.lst" -Dmodutils.prog="$prog" -cp "$jar" org.modutils.insmod.cli.Main "$@" \
		>/dev/null 2>&1
}
train_as modinfo "$top/src/test/resources/modern/hello-signed.ko" "$top/src/test/resources/modern/hello.ko.xz" \
	"$o/i386/obj/params.o"
train_as modinfo -F signer "$top/src/test/resources/modern/hello.ko.zst" no-such-module
train_as modinfo -b "$top/src/test/resources/tools/tree" -k 6.1.0-mini crc64-rocksoft unix hello
train_as lsmod
train_as rmmod
# the family's 2.4 tools (ksyms, kallsyms; lsmod/rmmod through --target)
train_as ksyms -H
train_as kallsyms "$o/i386/obj/hello.o"
train_as lsmod --target=tcp:127.0.0.1:1
train_as rmmod --target=tcp:127.0.0.1:1 nosuch
cat "$tmp"/*.lst 2>/dev/null | awk '!seen[$0]++' >"$tmp/all.lst"
if [ ! -s "$tmp/all.lst" ]; then
	echo "build-cds: no class list recorded; $jsa not made" >&2
	exit 0
fi
if "$java" "${opts[@]}" -Xshare:dump -XX:SharedClassListFile="$tmp/all.lst" -XX:SharedArchiveFile="$tmp/a.jsa" \
	-cp "$jar" >"$tmp/dump.log" 2>&1 && [ -s "$tmp/a.jsa" ]; then
	mv -f "$tmp/a.jsa" "$jsa"
else
	echo "build-cds: $java -Xshare:dump failed; $jsa not made:" >&2
	tail -5 "$tmp/dump.log" >&2
	rm -f "$jsa"
fi
exit 0
