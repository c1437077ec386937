#!/bin/bash
# vm-family-test.sh: our lsmod, rmmod and modinfo side by side with kmod's in the real Debian
# 6.1 kernel (the vmtest harness of scripts/vm-modern-test.sh, booted ONCE under qemu). The
# guest loads modules that depend on each other with kmod's modprobe (ext4 needs jbd2, mbcache
# and crc16; vfat and msdos share fat), then compares stdout, stderr and exit status of ours
# and kmod's for: lsmod; rmmod of a module in use by others, of one in use by a mount, of a
# built-in one, of one not loaded, with no argument, with a bad option; rmmod -f of a module
# others need; successful removals (one name, several names, a file path); modinfo by name.
# A failed rmmod must leave the module loaded. Prints PASS/FAIL lines; exit 0 only if all pass.
# Env: VMTEST_DIR, VMTEST_CACHE, VM_FAMILY_TIMEOUT.
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMTEST=${VMTEST_DIR:-$top/scripts/vm}
CACHE=${VMTEST_CACHE:-/var/cache/vmtest}
say() { echo "vm-family-test: $*" >&2; }

[ -x "$VMTEST/vm-run.sh" ] || { say "no vmtest harness at $VMTEST"; exit 1; }
conf_ok() { [ -r "$CACHE/vmtest.conf" ] && (. "$CACHE/vmtest.conf" && [ -f "$KERNEL" ] && [ -f "$INITRD" ] &&
	[ -d "$MODDIR" ]) && command -v qemu-system-x86_64 >/dev/null; }
name=vm-family-test
. "$top/scripts/vm/prepare.sh"
vm_prepare_cache
for t in lsmod rmmod modinfo modprobe; do
	command -v "$t" >/dev/null || { say "kmod's $t is missing (apt-get install kmod)"; exit 1; }
done
command -v mkfs.ext2 >/dev/null || { say "mkfs.ext2 is missing (apt-get install e2fsprogs)"; exit 1; }

vm_build_jar
# warm the launcher on the host (JNA library unpacked, class-data archive dumped)
"$top/bin/modinfo" -F vermagic "$HELLO_KO" >/dev/null 2>&1

S=$(mktemp -d "${TMPDIR:-/tmp}/vm-family.XXXXXX")
trap 'rm -rf "$S"' EXIT
mkfs.ext2 -q -F "$S/ext2.img" 4M >/dev/null 2>&1 || { say "mkfs.ext2 failed"; exit 1; }

cat >"$S/guest.sh" <<'GUEST'
#!/bin/bash
# runs inside the VM: $1 scratch dir, $2 repo
S=$1 B=$2/bin
fails=0 n=0
check() { n=$((n + 1)); if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
loaded() { [ -e "/sys/module/$1" ]; }
# run TOOL ARGS...: ours into $S/o.*, kmod's (by its name, as a user runs it) into $S/k.*
ours() { local t=$1; shift; "$B/$t" "$@" >"$S/o.out" 2>"$S/o.err"; echo $? >"$S/o.rc"; }
kmods() { local t=$1; shift; "$t" "$@" >"$S/k.out" 2>"$S/k.err"; echo $? >"$S/k.rc"; }
show() {
	echo "\$ $* -> ours exit $(cat "$S/o.rc"), kmod's exit $(cat "$S/k.rc")"
	sed 's/^/  ours out| /' "$S/o.out" | head -n 12; sed 's/^/  ours err| /' "$S/o.err"
	sed 's/^/  kmod out| /' "$S/k.out" | head -n 12; sed 's/^/  kmod err| /' "$S/k.err"
}
# the libkmod debug line kmod's rmmod adds before its own ("../libkmod/libkmod-module.c:NNN ...") is not ours
same() { # same LABEL: identical stdout, stderr and exit status
	check "$1: same stdout" 'cmp -s "$S/o.out" "$S/k.out"'
	grep -v "libkmod/libkmod-module.c" "$S/k.err" >"$S/k.err2"
	check "$1: same stderr" 'cmp -s "$S/o.err" "$S/k.err2"'
	check "$1: same exit status ($(cat "$S/k.rc"))" '[ "$(cat "$S/o.rc")" = "$(cat "$S/k.rc")" ]'
}
both() { ours "$@"; kmods "$@"; show "$@"; same "$*"; }
echo "### kernel $(uname -r)"
for m in ext4 vfat msdos loop; do modprobe "$m" || echo "modprobe $m failed"; done
check "ext4, jbd2, mbcache, crc16, vfat, msdos, fat loaded" 'loaded ext4 && loaded jbd2 && loaded mbcache && loaded fat && loaded vfat && loaded msdos'

echo "### lsmod"
ours lsmod; kmods lsmod; show lsmod; same lsmod
# start-up, each warm (the first run of the jar reads it through 9p): the tools start as insmod does
"$B/insmod" -h >/dev/null 2>&1
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
echo "  under TCG, warm: insmod -h $(ms "$B/insmod" -h) ms, lsmod $(ms "$B/lsmod") ms," \
	"modinfo ext4 $(ms "$B/modinfo" ext4) ms, rmmod nosuch $(ms "$B/rmmod" nosuch) ms; kmod's lsmod $(ms lsmod) ms"
both lsmod -x
ours lsmod --json; check "lsmod --json is JSON naming jbd2 held by ext4" \
	'/usr/bin/python3 -c "import json,sys; m={x[\"name\"]:x for x in json.load(open(sys.argv[1]))}; sys.exit(0 if \"ext4\" in m[\"jbd2\"][\"holders\"] else 1)" "$S/o.out"'

echo "### rmmod refusals (nothing may go)"
both rmmod jbd2; check "jbd2 still loaded" 'loaded jbd2'
check "message: Module jbd2 is in use by: ext4" 'grep -qx "rmmod: ERROR: Module jbd2 is in use by: ext4" "$S/o.err"'
both rmmod fat; check "fat still loaded" 'loaded fat'
both rmmod crc16 mbcache; check "crc16 and mbcache still loaded" 'loaded crc16 && loaded mbcache'
both rmmod unix
both rmmod nosuch_module
both rmmod no-such.module
both rmmod
both rmmod -z ext4
both rmmod -f jbd2; check "jbd2 still loaded after -f (the kernel refuses while ext4 needs it)" 'loaded jbd2'
mkdir -p /mnt/e2 && losetup -f "$S/ext2.img" && mount -t ext4 "$(losetup -j "$S/ext2.img" | cut -d: -f1)" /mnt/e2 &&
	{ both rmmod ext4; check "ext4 still loaded while mounted" 'loaded ext4'; umount /mnt/e2; }
losetup -D

echo "### rmmod removals"
ours rmmod ext4; check "ours: rmmod ext4 removes it (exit 0, nothing said)" '[ "$(cat "$S/o.rc")" = 0 ] && ! [ -s "$S/o.err" ] && ! loaded ext4'
both lsmod
modprobe ext4; kmods rmmod ext4; check "kmod's rmmod ext4 the same" '[ "$(cat "$S/k.rc")" = 0 ] && ! [ -s "$S/k.err" ] && ! loaded ext4'
ours rmmod vfat msdos fat; check "ours: rmmod vfat msdos fat (in order) removes all three" '[ "$(cat "$S/o.rc")" = 0 ] && ! loaded fat && ! loaded vfat'
modprobe vfat; modprobe msdos
kmods rmmod vfat msdos fat; check "kmod's the same" '[ "$(cat "$S/k.rc")" = 0 ] && ! loaded fat'
modprobe ext4
ko=$(modinfo -n ext4)
ours rmmod "$ko"; check "ours: rmmod by file path $ko" '[ "$(cat "$S/o.rc")" = 0 ] && ! loaded ext4'
both rmmod ext4
ours rmmod jbd2 mbcache crc16; check "ours: jbd2 mbcache crc16, no longer needed, removed" '[ "$(cat "$S/o.rc")" = 0 ] && ! loaded jbd2 && ! loaded crc16'
both lsmod

echo "### modinfo by name in /lib/modules/$(uname -r)"
both modinfo ext4
both modinfo -F depends ext4 jbd2 vfat
both modinfo unix
both modinfo fs-vfat
both modinfo no_such_module
echo "### $n checks, $fails failed"
exit $((fails > 0))
GUEST
chmod +x "$S/guest.sh"

T0=$SECONDS
VMTEST_TIMING=1 "$VMTEST/vm-run.sh" --share "$S" --timeout "${VM_FAMILY_TIMEOUT:-240}" -- bash "$S/guest.sh" "$S" "$top"
rc=$?
say "exit $rc after $((SECONDS - T0)) s in the VM"
case $rc in
0) echo "vm-family-test: PASS" ;;
124) echo "vm-family-test: FAIL (timeout)" ;;
125) echo "vm-family-test: FAIL (the VM did not run the checks)" ;;
*) echo "vm-family-test: FAIL" ;;
esac
exit $rc
