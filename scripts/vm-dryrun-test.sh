#!/bin/bash
# vm-dryrun-test.sh: insmod -n on a 2.6+ module must predict what the real kernel does.
# Builds deliberately broken modules against the installed Debian 6.1 headers, boots that kernel
# under qemu (the project's harness, scripts/vm) TWICE -- once plain, once with module.sig_enforce=1 -- and in each
# boot runs, per case, our dry run (insmod -n -v) and then a real load (kmod's insmod, or ours
# where the case says so), printing the dry run's lines, the loader's error and the kernel's dmesg
# side by side. A case passes when the verdicts agree (dry run exit 0 <=> the kernel loaded it)
# and the dry run's output names the cause the kernel printed (the case's pattern is found in both).
# Exit 77 (SKIP) when the VM cache is not set up and VMTEST_SETUP=1 does not ask to set it up.
# Env: VMTEST_DIR, VMTEST_CACHE, VMTEST_SETUP, VM_DRYRUN_TIMEOUT (seconds per boot before the TCG factor),
# VM_DRYRUN_BOOTS (default "plain enforce").
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMTEST=${VMTEST_DIR:-$top/scripts/vm}
CACHE=${VMTEST_CACHE:-/var/cache/vmtest}
say() { echo "vm-dryrun-test: $*" >&2; }

[ -x "$VMTEST/vm-run.sh" ] || { say "no vmtest harness at $VMTEST"; echo "vm-dryrun-test: FAIL"; exit 1; }
conf_ok() { [ -r "$CACHE/vmtest.conf" ] && (. "$CACHE/vmtest.conf" && [ -f "$KERNEL" ] && [ -f "$INITRD" ] &&
	[ -d "/usr/src/linux-headers-$KVER" ] && { [ -x "${KMOD_BIN:-/usr/sbin}/insmod" ] || [ -x /bin/kmod ]; }) &&
	command -v qemu-system-x86_64 >/dev/null; }
FAIL_LINE="vm-dryrun-test: FAIL"
name=vm-dryrun-test
. "$top/scripts/vm/prepare.sh"
vm_prepare_cache
KMOD_INSMOD=${KMOD_BIN:-/usr/sbin}/insmod # kmod's, from the cache (not installed) or the system
vm_build_jar

S=$(mktemp -d "${TMPDIR:-/tmp}/vm-dryrun.XXXXXX")
trap 'rm -rf "$S"' EXIT
if [ ! -x "$KMOD_INSMOD" ]; then # the cache wraps kmod's other tools; insmod the same way
	printf '#!/bin/bash\nexec -a insmod /bin/kmod "$@"\n' >"$S/kmod-insmod"
	chmod +x "$S/kmod-insmod"
	KMOD_INSMOD=$S/kmod-insmod
fi

# ---- the modules, built against the VM kernel's headers ------------------------------------
build() { # dir with sources -> its .ko files
	make -s -C "/usr/src/linux-headers-$KVER" M="$1" KBUILD_MODPOST_WARN=1 modules >"$1/build.log" 2>&1 ||
		{ cat "$1/build.log" >&2; say "building the modules in $1 failed"; echo "vm-dryrun-test: FAIL"; exit 1; }
}
mkdir "$S/src" "$S/undef"
cp "$top"/scripts/vmtest-modules/dryrun/{Kbuild,*.c} "$S/src/"
cp "$top"/scripts/vmtest-modules/undef/{Kbuild,undef.c} "$S/undef/"
build "$S/src"
build "$S/undef"
M=$S/m
mkdir "$M"
cp "$S/src/dr_good.ko" "$S/src/dr_needs.ko" "$S/undef/undef.ko" "$M/"
edit() { # perl substitution, input, output: the edit must change the file and keep its size
	perl -0777 -pe "$1" "$2" >"$3"
	if cmp -s "$2" "$3" || [ "$(stat -c %s "$2")" != "$(stat -c %s "$3")" ]; then
		say "editing $2 into $3 failed"; echo "vm-dryrun-test: FAIL"; exit 1
	fi
}
# a GPL-only symbol in a proprietary module: modpost refuses to build one, so the license is edited
edit 's/license=Dual MIT\/GPL\0/license=Proprietary\0\0/' "$S/src/dr_gpl.ko" "$M/dr_prop.ko"
# vermagic after the release (a modversions kernel does not compare the release itself)
edit 's/(vermagic=\S+ SMP) preempt /$1 PREEMPT /' "$M/dr_good.ko" "$M/dr_vermagic.ko"
# the CRC of _printk in __versions (8-byte CRC, 56-byte name)
edit 's/(.{4})(\0\0\0\0_printk\0{49})/pack("V", unpack("V", $1) ^ 0x5a5a5a5a) . $2/se' "$M/dr_good.ko" "$M/dr_crc.ko"
# ELF machine 183 (AArch64) instead of 62 (x86-64)
perl -0777 -pe 'substr($_, 18, 2) = pack("v", 183)' "$M/dr_good.ko" >"$M/dr_machine.ko"
head -c 4000 "$M/dr_good.ko" >"$M/dr_trunc.ko"
DISTRO_KO=kernel/lib/crc-itu-t.ko # distribution-signed, in the VM's /lib/modules/$KVER
"$top/bin/insmod" --help-all >/dev/null 2>&1 # warm the launcher on the host

cat >"$S/guest.sh" <<'GUEST'
#!/bin/bash
# runs inside the VM: $1 scratch dir, $2 repo, $3 boot (plain|enforce), $4 distro module path, $5 kmod's insmod
S=$1 TOP=$2 BOOT=$3 DISTRO=/lib/modules/$(uname -r)/$4 KMOD_INSMOD=$5
M=$S/m INSMOD=$TOP/bin/insmod
fails=0 n=0
rm_all() { for m in dr_good dr_needs dr_gpl undef crc_itu_t; do rmmod "$m" 2>/dev/null; done; }
# case NAME LOADER(kmod|ours) PATTERN FILE [ARGS...]
case_() {
	local name=$1 loader=$2 pat=$3 file=$4; shift 4
	n=$((n + 1))
	dmesg -C
	"$INSMOD" -n -v "$file" "$@" >"$S/dry.out" 2>"$S/dry.err"; drc=$?
	if [ "$loader" = ours ]; then "$INSMOD" "$file" "$@" >/dev/null 2>"$S/load.err"; krc=$?
	else "$KMOD_INSMOD" "$file" "$@" >/dev/null 2>"$S/load.err"; krc=$?; fi
	dmesg | sed 's/^\[[^]]*\] //' | grep -v -e '^FS-Cache' -e '^9pnet' >"$S/dmesg"
	echo "=== case $n: $name ($BOOT boot): insmod -n $(basename "$file") $*"
	echo "  dry run (exit $drc):"; sed 's/^/    | /' "$S/dry.err"; grep -v '^ok:' "$S/dry.out" | sed 's/^/    | /'
	echo "  real load by $loader (exit $krc):"; sed 's/^/    | /' "$S/load.err"
	echo "  kernel (dmesg):"; sed 's/^/    | /' "$S/dmesg"
	local ok=1 why=""
	if [ $((drc == 0)) != $((krc == 0)) ]; then ok=0; why="verdicts differ"; fi
	if [ -n "$pat" ]; then
		grep -qF -- "$pat" "$S/dmesg" "$S/load.err" || { ok=0; why="$why; the kernel did not say '$pat'"; }
		grep -qF -- "$pat" "$S/dry.err" "$S/dry.out" || { ok=0; why="$why; the dry run did not say '$pat'"; }
	fi
	if [ "$loader" = ours ] && [ $krc != 0 ] && [ -n "$pat" ]; then
		grep -qF -- "$pat" "$S/load.err" || { ok=0; why="$why; our real load did not name '$pat'"; }
	fi
	if [ $ok = 1 ]; then echo "PASS: $name"; else echo "FAIL: $name:$why"; fails=$((fails + 1)); fi
}
echo "### kernel $(uname -r), sig_enforce=$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)"
rm_all
if [ "$BOOT" = plain ]; then
	case_ "good module" kmod "out-of-tree module taints kernel" "$M/dr_good.ko" count=3 name=x tag=abc nums=1,2 flag
	rmmod dr_good
	case_ "unknown parameter (a warning)" kmod "unknown parameter 'nosuch'" "$M/dr_good.ko" nosuch=1
	case_ "module already loaded" kmod "" "$M/dr_good.ko"
	grep -q "already loaded" "$S/dry.err" && grep -q "File exists" "$S/load.err" ||
		{ echo "FAIL: module already loaded: the dry run must say 'already loaded', the loader 'File exists'"; fails=$((fails + 1)); }
	rmmod dr_good
	case_ "bad parameter value (int)" kmod "\`abc' invalid for parameter \`count'" "$M/dr_good.ko" count=abc
	case_ "string parameter too long" kmod "\`abcdefghij' too large for parameter \`tag'" "$M/dr_good.ko" tag=abcdefghij
	case_ "undefined symbol" ours "insmod_vmtest_no_such_symbol" "$M/undef.ko"
	case_ "GPL-only symbol in a proprietary module" kmod "synchronize_rcu" "$M/dr_prop.ko"
	case_ "altered vermagic" kmod "version magic" "$M/dr_vermagic.ko"
	case_ "altered symbol CRC" ours "disagrees about version of symbol _printk" "$M/dr_crc.ko"
	case_ "symbol of a module that is not loaded" ours "crc_itu_t" "$M/dr_needs.ko"
	grep -q "exported by crc-itu-t, which is not loaded" "$S/dry.err" ||
		{ echo "FAIL: the dry run must name crc-itu-t as the module to load first"; fails=$((fails + 1)); }
	case_ "wrong ELF machine" kmod "Invalid architecture in ELF header: 183" "$M/dr_machine.ko"
	case_ "truncated file" kmod "Invalid ELF section header overflow" "$M/dr_trunc.ko"
else
	case_ "unsigned module, sig_enforce=1" kmod "Loading of unsigned module is rejected" "$M/dr_good.ko"
	case_ "distribution-signed module, sig_enforce=1" kmod "" "$DISTRO"
	grep -q "^ok: signature: signed by" "$S/dry.out" ||
		{ echo "FAIL: the dry run must accept the distribution's signature"; fails=$((fails + 1)); }
	echo "  (keys the kernel shows:)"; grep asymmetri /proc/keys | sed 's/^/    | /'
fi
rm_all
echo "### $BOOT boot: $n cases, $fails failed"
exit $((fails > 0))
GUEST
chmod +x "$S/guest.sh"

status=0
# no_timer_check: under TCG on a busy host the kernel's IO-APIC timer check can fail and panic
for boot in ${VM_DRYRUN_BOOTS:-plain enforce}; do
	append="no_timer_check"
	[ $boot = enforce ] && append+=" module.sig_enforce=1"
	for try in 1 2; do
		T0=$SECONDS
		VMTEST_TIMING=1 "$VMTEST/vm-run.sh" --share "$S" --timeout "${VM_DRYRUN_TIMEOUT:-200}" --append "$append" -- \
			bash "$S/guest.sh" "$S" "$top" "$boot" "$DISTRO_KO" "$KMOD_INSMOD"
		rc=$?
		say "$boot boot: exit $rc after $((SECONDS - T0)) s"
		[ $rc = 125 ] && [ $try = 1 ] && { say "the VM did not boot; once more"; continue; }
		break
	done
	[ $rc = 0 ] || status=1
done
[ $status = 0 ] && echo "vm-dryrun-test: PASS" || echo "vm-dryrun-test: FAIL"
exit $status
