#!/bin/bash
# vm-modprobe-test.sh: our modprobe against a real 6.1 kernel and against kmod's modprobe there.
# Boots the Debian kernel of the project's harness (scripts/vm) ONCE under qemu (the guest sees
# the host's root, so kmod's modprobe -- KMOD_BIN of the VM cache -- and our bin/modprobe both
# run there, on /lib/modules/$(uname -r)):
# `modprobe -n -v vfat` and `--show-depends` print what kmod's print; `modprobe vfat` loads fat,
# then vfat; `modprobe -n -v -r vfat` prints what kmod's prints; `modprobe -r vfat` removes both;
# `-r --remove-holders fat` and `-r -w 1500 fat` (vfat holding it) do what kmod's do;
# the ext4 stack loads and unloads leaving the kernel as kmod's modprobe leaves it.
# Prints PASS/FAIL lines; exit 0 only if all pass, 77 (SKIP) when the VM cache is not set up and
# VMTEST_SETUP=1 does not ask to set it up. Env: VMTEST_DIR, VMTEST_CACHE, VMTEST_SETUP.
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMTEST=${VMTEST_DIR:-$top/scripts/vm}
CACHE=${VMTEST_CACHE:-/var/cache/vmtest}
say() { echo "vm-modprobe-test: $*" >&2; }

[ -x "$VMTEST/vm-run.sh" ] || { say "no vmtest harness at $VMTEST"; exit 1; }
conf_ok() { [ -r "$CACHE/vmtest.conf" ] && (. "$CACHE/vmtest.conf" && [ -f "$KERNEL" ] && [ -f "$INITRD" ] &&
	[ -x "${KMOD_BIN:-/usr/sbin}/modprobe" ]) && command -v qemu-system-x86_64 >/dev/null; }
name=vm-modprobe-test
. "$top/scripts/vm/prepare.sh"
vm_prepare_cache
KMOD=${KMOD_BIN:-/usr/sbin}/modprobe # kmod's, from the cache (not installed) or the system
vm_build_jar
# warm the launcher on the host (class-data archive, JNA library) with a dry run
"$top/bin/modprobe" -S "$KVER" -d "$CACHE/kernel-$KVER" -D vfat >/dev/null 2>&1

S=$(mktemp -d "${TMPDIR:-/tmp}/vm-modprobe.XXXXXX")
trap 'rm -rf "$S"' EXIT

cat >"$S/guest.sh" <<'GUEST'
#!/bin/bash
# runs inside the VM: $1 scratch dir, $2 repo, $3 kmod's modprobe
S=$1 TOP=$2
OURS=$TOP/bin/modprobe KMOD=$3
fails=0 n=0
check() { n=$((n + 1)); if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
both() { # both modprobes with the same arguments: stdout+stderr+status into $S/ours, $S/kmod
	"$OURS" "$@" >"$S/ours" 2>&1; echo "exit $?" >>"$S/ours"
	"$KMOD" "$@" >"$S/kmod" 2>&1; echo "exit $?" >>"$S/kmod"
	echo "\$ modprobe $*"; sed 's/^/  ours| /' "$S/ours"; sed 's/^/  kmod| /' "$S/kmod"
}
loaded() { [ -e "/sys/module/$1/initstate" ]; }
mods() { for m in "$@"; do loaded "$m" && echo "$m"; done; }
echo "### kernel $(uname -r)"
check "fat and vfat not loaded at the start" '! loaded fat && ! loaded vfat'

echo "### dry runs"
both -n -v vfat
check "-n -v vfat: same output as kmod" 'cmp -s "$S/ours" "$S/kmod"'
check "-n -v vfat: fat first, then vfat" 'grep -n "insmod .*/fat.ko" "$S/ours" | grep -q "^1:" && grep -n "insmod .*/vfat.ko" "$S/ours" | grep -q "^2:"'
both --show-depends ext4
check "--show-depends ext4: same output as kmod" 'cmp -s "$S/ours" "$S/kmod"'
check "nothing loaded by the dry runs" '! loaded fat && ! loaded vfat'

echo "### modprobe vfat"
"$OURS" -v vfat >"$S/out" 2>&1; rc=$?
sed 's/^/  | /' "$S/out"
check "modprobe vfat: exit 0" '[ $rc = 0 ]'
check "fat and vfat are live" '[ "$(cat /sys/module/fat/initstate)" = live ] && [ "$(cat /sys/module/vfat/initstate)" = live ]'
check "fat was loaded first (its insmod line comes first, and vfat holds it)" \
	'grep -n "insmod .*/fat.ko" "$S/out" | grep -q "^1:" && [ -e /sys/module/fat/holders/vfat ]'
"$OURS" vfat; rc=$?
check "modprobe vfat again: exit 0, nothing to do" '[ $rc = 0 ]'
both -n -v -r vfat
check "-n -v -r vfat: same output as kmod" 'cmp -s "$S/ours" "$S/kmod"'
check "the dry removal left both loaded" 'loaded fat && loaded vfat'

echo "### modprobe -r vfat"
"$OURS" -v -r vfat >"$S/out" 2>&1; rc=$?
sed 's/^/  | /' "$S/out"
check "modprobe -r vfat: exit 0" '[ $rc = 0 ]'
check "vfat and fat are gone" '! loaded vfat && ! loaded fat'

echo "### the ext4 stack, ours and then kmod's"
STACK="ext4 jbd2 mbcache crc16 crc32c_generic crc32c_intel"
before=$(mods $STACK | tr '\n' ' ')
"$OURS" ext4; r1=$?; after_ours=$(mods $STACK | tr '\n' ' ')
"$OURS" -r ext4; r2=$?; removed_ours=$(mods $STACK | tr '\n' ' ')
"$KMOD" ext4; r3=$?; after_kmod=$(mods $STACK | tr '\n' ' ')
"$KMOD" -r ext4; r4=$?; removed_kmod=$(mods $STACK | tr '\n' ' ')
echo "  before: [$before] ours: [$after_ours] -> [$removed_ours] kmod: [$after_kmod] -> [$removed_kmod]"
check "modprobe ext4 / -r ext4: exit 0 both times" '[ $r1 = 0 ] && [ $r2 = 0 ] && [ $r3 = 0 ] && [ $r4 = 0 ]'
check "ext4 loaded: the same modules as kmod's modprobe loads" '[ "$after_ours" = "$after_kmod" ] && loaded_ext4=1'
check "ext4 removed: the same modules left as kmod's modprobe leaves" '[ "$removed_ours" = "$removed_kmod" ]'

echo "### --remove-holders and --wait in the kernel, ours and then kmod's"
rh() { # $1 modprobe, $2 output: vfat loaded, then fat removed with the modules holding it
	"$1" vfat >/dev/null 2>&1
	"$1" -v -r --remove-holders fat >"$2" 2>&1
	echo "exit $?" >>"$2"
	echo "left: $(mods vfat fat | tr '\n' ' ')" >>"$2"
}
rh "$OURS" "$S/ours"
rh "$KMOD" "$S/kmod"
sed 's/^/  ours| /' "$S/ours"; sed 's/^/  kmod| /' "$S/kmod"
# kmod 30 removes fat as vfat's unused dependency, then tries fat again and fails (README: not copied)
check "-v -r --remove-holders fat: the same rmmod lines as kmod's; vfat and fat gone, exit 0" \
	'[ "$(grep ^rmmod "$S/ours")" = "$(grep ^rmmod "$S/kmod")" ] && grep -qx "left: " "$S/ours" && grep -qx "exit 0" "$S/ours"'
check "kmod's --remove-holders left the same, then failed on fat again (the kmod 30 bug we do not copy)" \
	'grep -qx "left: " "$S/kmod" && grep -q "could not remove '"'fat'"': No such file or directory" "$S/kmod" && grep -qx "exit 1" "$S/kmod"'
wt() { # $1 modprobe, $2 output: fat held by vfat; -r -w 1500 fat retries, then gives up
	local t0
	"$1" vfat >/dev/null 2>&1
	t0=$(date +%s%N)
	"$1" -r -w 1500 fat >"$2" 2>&1
	echo "exit $?" >>"$2"
	echo $((($(date +%s%N) - t0) / 1000000)) >"$2.ms"
	echo "left: $(mods vfat fat | tr '\n' ' ')" >>"$2"
	"$1" -r vfat >/dev/null 2>&1
}
wt "$OURS" "$S/ours"
wt "$KMOD" "$S/kmod"
sed 's/^/  ours| /' "$S/ours"; sed 's/^/  kmod| /' "$S/kmod"
ours_ms=$(cat "$S/ours.ms") kmod_ms=$(cat "$S/kmod.ms")
check "-w 1500 waited as kmod's did before giving up (ours ${ours_ms} ms, kmod's ${kmod_ms} ms)" \
	'[ "$ours_ms" -ge 1400 ] && [ "$kmod_ms" -ge 1400 ]'
check "-r -w 1500 fat while vfat holds it: both left loaded; ours says why and exits 1" \
	'[ "$(cat "$S/ours")" = "modprobe: ERROR: could not remove '"'fat'"': Resource temporarily unavailable
exit 1
left: vfat fat " ]'
check "kmod's -r -w 1500 fat exited 0 with fat still loaded (the kmod 30 bug we do not copy)" \
	'[ "$(cat "$S/kmod")" = "exit 0
left: vfat fat " ]'
check "vfat and fat gone after the -w checks" '! loaded vfat && ! loaded fat'

echo "### errors"
"$OURS" vfat
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nobody "$OURS" -r vfat >"$S/ours" 2>&1; echo "exit $?" >>"$S/ours"
nobody "$KMOD" -r vfat >"$S/kmod" 2>&1; echo "exit $?" >>"$S/kmod"
echo "\$ modprobe -r vfat (as nobody)"; sed 's/^/  ours| /' "$S/ours"; sed 's/^/  kmod| /' "$S/kmod"
check "-r vfat as nobody: delete_module refused, same message (libkmod's) and status as kmod" 'cmp -s "$S/ours" "$S/kmod" && loaded vfat'
"$OURS" -r vfat
both nosuchmodule
check "unknown module: same message and status as kmod" 'cmp -s "$S/ours" "$S/kmod"'
echo "### $n checks, $fails failed"
exit $((fails > 0))
GUEST
chmod +x "$S/guest.sh"

T0=$SECONDS
VMTEST_TIMING=1 "$VMTEST/vm-run.sh" --share "$S" --timeout "${VM_MODPROBE_TIMEOUT:-180}" -- bash "$S/guest.sh" "$S" "$top" "$KMOD"
rc=$?
say "exit $rc after $((SECONDS - T0)) s in the VM"
case $rc in
0) echo "vm-modprobe-test: PASS" ;;
124) echo "vm-modprobe-test: FAIL (timeout)" ;;
125) echo "vm-modprobe-test: FAIL (the VM did not run the checks)" ;;
*) echo "vm-modprobe-test: FAIL" ;;
esac
exit $rc
