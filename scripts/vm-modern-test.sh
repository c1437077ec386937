#!/bin/bash
# vm-modern-test.sh: proves the modern (2.6+) load path of our insmod against a real kernel.
# Boots the Debian kernel of the project's qemu harness (scripts/vm) ONCE and runs every check
# in one guest script: parameters (int, string with a space, array) read back from /sys, "already
# loaded", .ko.xz/.ko.zst/.ko.gz by finit_module and by decompress-then-init_module, a module from
# stdin, an undefined symbol named, an edited vermagic shown next to the running release, and -f.
# Prints PASS/FAIL lines; exit 0 only if all pass, 77 (SKIP) when the VM cache is not set up and
# VMTEST_SETUP=1 does not ask to set it up (scripts/vm/setup.sh: root, apt-get, a 70 MB kernel
# download, ~440 MB in the cache). Env: VMTEST_DIR (another harness with the same interface),
# VMTEST_CACHE, VMTEST_SETUP.
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMTEST=${VMTEST_DIR:-$top/scripts/vm}
CACHE=${VMTEST_CACHE:-/var/cache/vmtest}
say() { echo "vm-modern-test: $*" >&2; }

[ -x "$VMTEST/vm-run.sh" ] || { say "no vmtest harness at $VMTEST"; exit 1; }
conf_ok() { [ -r "$CACHE/vmtest.conf" ] && (. "$CACHE/vmtest.conf" && [ -f "$KERNEL" ] && [ -f "$INITRD" ] &&
	[ -f "$HELLO_KO" ] && [ -d "/usr/src/linux-headers-$KVER" ]) && command -v qemu-system-x86_64 >/dev/null; }
name=vm-modern-test
. "$top/scripts/vm/prepare.sh"
vm_prepare_cache
vm_build_jar

S=$(mktemp -d "${TMPDIR:-/tmp}/vm-modern.XXXXXX")
trap 'rm -rf "$S"' EXIT

# test modules, built against the VM's kernel
cp "$HELLO_KO" "$S/hello.ko"
mkdir "$S/undef"
cp "$top/scripts/vmtest-modules/undef/undef.c" "$top/scripts/vmtest-modules/undef/Kbuild" "$S/undef/"
# modpost would stop at the undefined symbol; that symbol is the point of this module
make -s -C "/usr/src/linux-headers-$KVER" M="$S/undef" KBUILD_MODPOST_WARN=1 modules >"$S/undef.log" 2>&1 ||
	{ cat "$S/undef.log" >&2; say "building undef.ko failed"; exit 1; }
cp "$S/undef/undef.ko" "$S/undef.ko"
# vermagic edited in place (same length): the release (amd64 -> xmd64) and, because a modversions
# kernel compares only what follows the release, "preempt" -> "PREEMPT" too
BADREL=${KVER/amd64/xmd64}
[ "$BADREL" != "$KVER" ] && [ ${#BADREL} = ${#KVER} ] || { say "cannot derive an edited release from $KVER"; exit 1; }
KVER="$KVER" BADREL="$BADREL" perl -0777 -pe 's/vermagic=\Q$ENV{KVER}\E SMP preempt /vermagic=$ENV{BADREL} SMP PREEMPT /' \
	"$S/hello.ko" >"$S/badmagic.ko"
cmp -s "$S/hello.ko" "$S/badmagic.ko" && { say "vermagic edit did not change the module"; exit 1; }
xz -c "$S/hello.ko" >"$S/hello.ko.xz"
zstd -q -c "$S/hello.ko" >"$S/hello.ko.zst"
gzip -9 -c "$S/hello.ko" >"$S/hello.ko.gz"
# what the kernel should do with -f comes from its own config, not from us
if grep -qx 'CONFIG_MODULE_FORCE_LOAD=y' "$(dirname "$KERNEL_BZ")/config-$KVER"; then FORCE_LOAD=y; else FORCE_LOAD=n; fi

# warm the launcher on the host (JNA library unpacked, class-data archive dumped) without
# reaching the host's kernel: --verify with a missing certificate stops before any load
"$top/bin/insmod" --verify="$S/no-such-cert" "$S/hello.ko.xz" >/dev/null 2>&1

cat >"$S/guest.sh" <<'GUEST'
#!/bin/bash
# runs inside the VM: $1 scratch dir, $2 repo, $3 expected release, $4 edited release, $5 FORCE_LOAD
S=$1 TOP=$2 KREL=$3 BADREL=$4 FORCE_LOAD=$5
INSMOD=$TOP/bin/insmod
export INSMOD_REBUILD=0 # built on the host before the boot; no age check over 9p
fails=0 n=0
check() { n=$((n + 1)); if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
run() { # run insmod, keep rc/stdout/stderr, show them
	"$INSMOD" "$@" >"$S/out" 2>"$S/err"; rc=$?
	echo "\$ insmod $* -> exit $rc"; sed 's/^/  out| /' "$S/out"; sed 's/^/  err| /' "$S/err"
}
param() { cat "/sys/module/hello/parameters/$1" 2>/dev/null; }
unload() { rmmod hello 2>/dev/null; ! [ -e /sys/module/hello ]; }
echo "### kernel $(uname -r)"
check "kernel release is $KREL" '[ "$(uname -r)" = "$KREL" ]'

echo "### parameters"
run "$S/hello.ko" count=42 'name=two words' nums=1,-2,3
check "load hello.ko: exit 0" '[ $rc = 0 ]'
check "count = 42" '[ "$(param count)" = 42 ]'
check "name = 'two words' (value with a space)" '[ "$(param name)" = "two words" ]'
check "nums = 1,-2,3" '[ "$(param nums)" = 1,-2,3 ]'

echo "### already loaded"
run "$S/hello.ko"
check "second load: exit 1" '[ $rc = 1 ]'
check "second load: says 'module hello is already loaded' and keeps 'File exists'" \
	'grep -q "File exists -- module hello is already loaded" "$S/err"'
check "rmmod hello" 'unload'

echo "### compressed modules"
[ -e /sys/module/compression ] && echo "kernel decompresses: $(cat /sys/module/compression)" ||
	echo "kernel has no in-kernel module decompression (/sys/module/compression absent)"
# finit: forced with --syscall=finit; init: the default (AUTO) path, which on a kernel without
# in-kernel decompression decompresses here and calls init_module; the .gz one comes from stdin
for z in xz zst gz; do
	case $z in xz) w=xz ;; zst) w=zstd ;; gz) w=gzip ;; esac
	for how in finit init; do
		c=$((${#z} * 10 + ${#how}))
		if [ $how = finit ]; then
			run -v --syscall=finit "$S/hello.ko.$z" count=$c
			want="^syscall: finit_module on the $w-decompressed image in a memfd"
			[ -e /sys/module/compression ] && [ "$(cat /sys/module/compression)" = $w ] &&
				want="^syscall: finit_module on the $w file"
		elif [ $z = gz ]; then
			"$INSMOD" -v - count=$c <"$S/hello.ko.$z" >"$S/out" 2>"$S/err"; rc=$?
			echo "\$ insmod -v - count=$c < hello.ko.$z -> exit $rc"; sed 's/^/  out| /' "$S/out"; sed 's/^/  err| /' "$S/err"
			want="^syscall: init_module with the $w-decompressed image"
		else
			force=() # AUTO picks init_module here unless the kernel decompresses this format itself
			[ -e /sys/module/compression ] && [ "$(cat /sys/module/compression)" = $w ] && force=(--syscall=init)
			run -v "${force[@]}" "$S/hello.ko.$z" count=$c
			want="^syscall: init_module with the $w-decompressed image"
		fi
		src="hello.ko.$z"; [ $z = gz ] && [ $how = init ] && src="stdin < hello.ko.gz"
		check "$src by $how: exit 0, count=$c in /sys" '[ $rc = 0 ] && [ "$(param count)" = $c ]'
		check "$src by $how: -v shows the path ($want)" 'grep -q "$want" "$S/out"'
		check "$src by $how: rmmod" 'unload'
	done
done

echo "### undefined symbol"
run "$S/undef.ko"
check "undef.ko: exit 1" '[ $rc = 1 ]'
check "undef.ko: names insmod_vmtest_no_such_symbol" 'grep -q "^insmod:   insmod_vmtest_no_such_symbol$" "$S/err"'
check "undef.ko: keeps the errno text" 'grep -q "No such file or directory" "$S/err"'
dmesg | grep -i 'undef' | tail -n 2 | sed 's/^/  dmesg| /'

echo "### edited vermagic"
run "$S/badmagic.ko"
check "badmagic.ko: exit 1" '[ $rc = 1 ]'
check "badmagic.ko: 'Exec format error'" 'grep -q "Exec format error" "$S/err"'
check "badmagic.ko: shows the module's vermagic ($BADREL SMP PREEMPT ...)" 'grep -q "module vermagic:  $BADREL SMP PREEMPT" "$S/err"'
check "badmagic.ko: shows the running release ($KREL)" 'grep -q "running release: $KREL -- the module was built for $BADREL" "$S/err"'
check "badmagic.ko: shows the kernel's vermagic ($KREL SMP preempt ...)" 'grep -q "kernel vermagic:  $KREL SMP preempt" "$S/err"'
check "badmagic.ko: ELF machine matches the host" 'grep -q "ELF machine: .*x86-64.* as the host (x86_64) needs" "$S/err"'
check "badmagic.ko: not loaded" '! [ -e /sys/module/hello ]'
dmesg | grep -i 'magic' | tail -n 1 | sed 's/^/  dmesg| /'

echo "### -f on the edited vermagic (kernel CONFIG_MODULE_FORCE_LOAD=$FORCE_LOAD)"
unload
run -f "$S/badmagic.ko" count=9
dmesg | grep -iE 'magic|taint' | tail -n 2 | sed 's/^/  dmesg| /'
if [ "$FORCE_LOAD" = y ]; then
	check "-f badmagic.ko: the kernel accepted it (exit 0, count=9)" '[ $rc = 0 ] && [ "$(param count)" = 9 ]'
	check "-f badmagic.ko: reports the kernel's answer and the F taint" \
		'grep -q "kernel accepted module hello .* (F: forced module load)" "$S/err"'
	check "kernel taint has F (bit 1)" '[ $(( $(cat /proc/sys/kernel/tainted) & 2 )) = 2 ]'
	check "rmmod hello" 'unload'
else
	check "-f badmagic.ko: the kernel refused (exit 1, Exec format error)" \
		'[ $rc = 1 ] && grep -q "Exec format error" "$S/err"'
fi
echo "### $n checks, $fails failed"
exit $((fails > 0))
GUEST
chmod +x "$S/guest.sh"

T0=$SECONDS
VMTEST_TIMING=1 "$VMTEST/vm-run.sh" --share "$S" --timeout "${VM_MODERN_TIMEOUT:-120}" -- \
	bash "$S/guest.sh" "$S" "$top" "$KVER" "$BADREL" "$FORCE_LOAD"
rc=$?
say "exit $rc after $((SECONDS - T0)) s in the VM"
case $rc in
0) echo "vm-modern-test: PASS" ;;
124) echo "vm-modern-test: FAIL (timeout)" ;;
125) echo "vm-modern-test: FAIL (the VM did not run the checks)" ;;
*) echo "vm-modern-test: FAIL" ;;
esac
exit $rc
