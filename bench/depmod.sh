#!/bin/bash
# bench/depmod.sh [RUNS] (also `bench/run.sh depmod [RUNS]`) — depmod over the Debian 6.1 module
# tree of the VM cache (scripts/vm/setup.sh; VMTEST_CACHE, default /var/cache/vmtest): ours
# (bin/depmod -b, one JVM for the whole tree, both cores) against kmod's depmod (the cache's
# KMOD_BIN, else the system's) on the same tree, interleaved (bench/interleave.py), RUNS rounds
# (default 7) after a warm-up round; prints both medians and the ratio ours/kmod (issue 19:
# target <= 2). The tree is linked, not copied, into bench/work/depmod-tree (the modules are
# only read; both depmods write their files to a temporary name and rename, so the cache's own
# modules.* are never written: they are copied first all the same).
set -eu
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
runs=${1:-7}
cache=${VMTEST_CACHE:-/var/cache/vmtest}
[ -f "$cache/vmtest.conf" ] || { echo "depmod.sh: no VM cache in $cache (run scripts/vm/setup.sh)" >&2; exit 1; }
kver=$(sed -n 's/^KVER=//p' "$cache/vmtest.conf")
src=$cache/kernel-$kver/lib/modules/$kver
[ -f "$src/modules.dep" ] || { echo "depmod.sh: no module tree in $src" >&2; exit 1; }
kmod=$(sed -n 's/^KMOD_BIN=//p' "$cache/vmtest.conf")/depmod
[ -x "$kmod" ] || kmod=$(command -v depmod || echo /usr/sbin/depmod)
"$kmod" -V 2>/dev/null | grep -q '^kmod version' || { echo "depmod.sh: no kmod depmod" >&2; exit 1; }
cd "$top"
[ -f target/insmod.jar ] || mvn -q -DskipTests package
work=$top/bench/work/depmod-tree
if [ ! -f "$work/lib/modules/$kver/modules.order" ]; then
	rm -rf "$work" && mkdir -p "$work/lib/modules"
	cp -al "$src" "$work/lib/modules/$kver"
	for f in "$work/lib/modules/$kver"/modules.*; do cp --remove-destination "$src/${f##*/}" "$f"; done
fi
bin/depmod -V >/dev/null 2>&1 || true # the launcher's one-time set-up (class-data archive) out of the rounds
nmod=$(grep -c . "$src/modules.dep")
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
echo "kmod: $kmod ($("$kmod" -V | head -1)); tree: $kver, $nmod modules"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   rounds: $runs (interleaved, medians)"
python3 bench/interleave.py "$runs" \
	ours "bin/depmod -b $work $kver" \
	kmod "$kmod -b $work $kver" >"$top/bench/work/depmod-result"
while read -r l t m; do printf '  %-5s %8s s %8s KiB\n' "$l" "$t" "$m"; done <"$top/bench/work/depmod-result"
get() { awk -v l="$1" '$1 == l {print $2}' "$top/bench/work/depmod-result"; }
echo "depmod, time ours/kmod: $(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$(get ours)" "$(get kmod)")   (target <= 2.00)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
