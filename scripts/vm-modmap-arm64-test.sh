#!/bin/bash
# vm-modmap-arm64-test.sh: proves the arm64 load map (insmod -n -m FILE.ko --sections=DIR, and the
# -O image) against a real arm64 kernel: Debian's 6.1 cloud-arm64 kernel under
# qemu-system-aarch64 (TCG, -M virt, a Cortex-A72: no erratum 843419 workaround), booted ONCE with
# just an initramfs (a static arm64 busybox as /init, scripts/vm/arm64-init.sh, and the modules)
# that loads a few real modules of that tree in dependency order (modules.dep) with busybox
# insmod, and writes to the serial console, between markers, /sys/module/NAME/sections, the
# module lines of /proc/kallsyms, the kernel's symbols the modules use, and the bytes of the
# unpatched sections of IMAGE_MODULES read from /proc/kcore. Then, on the host, the checks of
# scripts/vm/modmap-checks.sh (as for x86_64 in scripts/vm-modmap-test.sh): every kallsyms
# symbol of each module in the map at its address and letter (per-cpu ones with --ksyms), the
# layout from .text and .init.text alone gives every section's address, and the -O image equals
# the kernel's memory in the unpatched sections, .plt (the veneers of the calls that do not
# reach the kernel) included. Debian's cloud kernel has no CONFIG_KALLSYMS_ALL (kallsyms lists
# text symbols only): the kernel's data symbols for -O come from its Image's export table
# (scripts/vm/ksymtab.py), a module's per-cpu base from the kernel's relocation of its code
# (scripts/vm/arm64-percpu.py), and per-cpu symbols are not compared with kallsyms.
# The cache (kernel, module tree, busybox; ~165 MB in ${VMTEST_ARM64_CACHE:-/var/cache/vmtest-arm64})
# is made by scripts/vm/arm64-setup.sh (scripts/test-all --install runs it). Exit 0 when all
# pass, 77 (SKIP) when the cache or qemu-system-aarch64 is missing and VMTEST_SETUP=1 does not
# ask to set the cache up. Env: MODMAP_ARM64_MODULES, MODMAP_SAVE=DIR (keep the collection),
# MODMAP_COLLECTED=DIR (check a kept collection, no VM), VM_ARM64_TIMEOUT (s, default 150).
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMTEST=$top/scripts/vm
CACHE=${VMTEST_ARM64_CACHE:-/var/cache/vmtest-arm64}
# x_tables: per-cpu data; vfat+fat: exports, init sections; xfs: thousands of calls into the kernel
MODULES=${MODMAP_ARM64_MODULES:-dummy libcrc32c vfat x_tables zram xfs}
IMAGE_MODULES=${IMAGE_MODULES:-libcrc32c dummy vfat fat x_tables}
name=vm-modmap-arm64-test CHECKS_NAME=$name
say() { echo "$name: $*" >&2; }

for t in qemu-system-aarch64:qemu-system-arm busybox:busybox-static /usr/bin/python3:python3; do
	command -v "${t%%:*}" >/dev/null ||
		{ echo "$name: SKIP: ${t%%:*} is not installed (Debian package ${t#*:})"; exit 77; }
done
conf_ok() { [ -r "$CACHE/arm64.conf" ] && (. "$CACHE/arm64.conf" && [ -f "$KERNEL" ] && [ -x "$BUSYBOX" ] &&
	[ -f "$MODDIR/modules.dep" ]); }
if ! conf_ok; then
	if [ "${VMTEST_SETUP:-0}" != 1 ]; then
		echo "$name: SKIP: the arm64 VM cache $CACHE is not set up; scripts/vm/arm64-setup.sh does it:" \
			"a 22 MB download of Debian's arm64 kernel and busybox, ~165 MB in $CACHE" \
			"(scripts/test-all --install runs it)"
		exit 77
	fi
	"$VMTEST/arm64-setup.sh" "$CACHE" >&2 || { echo "$name: FAIL (scripts/vm/arm64-setup.sh failed)"; exit 1; }
fi
. "$CACHE/arm64.conf"
. "$VMTEST/prepare.sh"
vm_build_jar
OBJCOPY=objcopy
command -v aarch64-linux-gnu-objcopy >/dev/null && OBJCOPY=aarch64-linux-gnu-objcopy

S=$(mktemp -d "${TMPDIR:-/tmp}/vm-modmap-arm64.XXXXXX")
trap 'rm -rf "$S"' EXIT
HELLO=

# the modules' files in load order: each one's dependencies (modules.dep, last first) before it
modpath() { awk -F: -v n="$1" '{ b = $1; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b)
	if (b == n) { print $0; exit } }' "$MODDIR/modules.dep"; }
order=()
for m in $MODULES; do
	line=$(modpath "$m")
	[ -n "$line" ] || { echo "$name: FAIL (no module $m in $MODDIR)"; exit 1; }
	deps=(${line#*:})
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do order+=("${deps[i]}"); done
	order+=("${line%%:*}")
done

# the initramfs: busybox, /init, the modules (plain .ko), what the guest reads
R=$S/root
mkdir -p "$R"/{bin,dev,proc,sys,m}
cp "$BUSYBOX" "$R/bin/busybox"
for a in sh mount mkdir cat cp grep awk od tr dd wc tar gzip uuencode uname insmod poweroff; do ln -s busybox "$R/bin/$a"; done
install -m 0755 "$VMTEST/arm64-init.sh" "$R/init"
: >"$R/m/order"
for f in "${order[@]}"; do
	b=${f##*/} b=${b%%.ko*}
	grep -qx "$b" "$R/m/order" && continue
	case $f in *.xz) xz -dc "$MODDIR/$f" ;; *.zst) zstd -qdc "$MODDIR/$f" ;; *.gz) gzip -dc "$MODDIR/$f" ;;
		*) cat "$MODDIR/$f" ;; esac >"$R/m/$b.ko"
	echo "$b" >>"$R/m/order"
done
# Debian's cloud kernel has no CONFIG_KALLSYMS_ALL: /proc/kallsyms lists text symbols only, no
# data and no per-cpu ones. For -O, the kernel's data symbols are then read from its Image's
# export table, and the per-cpu base of a module with per-cpu data off the kernel's relocation
# of its code (its .text is read too): see below.
ALLSYMS=1
grep -qx 'CONFIG_KALLSYMS_ALL=y' "$MODDIR/../../../boot/config-$KVER" || ALLSYMS=0
images= pcpu_code=
for m in $IMAGE_MODULES; do
	if [ ! -f "$R/m/$m.ko" ]; then
		say "no -O check of $m: it is not loaded"
		continue
	fi
	images="$images $m"
	[ $ALLSYMS = 0 ] && readelf -SW "$R/m/$m.ko" | grep -q ' \.data\.\.percpu ' && pcpu_code="$pcpu_code $m"
done
IMAGE_MODULES=$images
# the kernel's symbols the image modules use (their undefined symbols), and their sections to read
: >"$R/m/sizes"
for m in $IMAGE_MODULES; do
	nm -u "$R/m/$m.ko" | awk '{ print $2 }'
	# (the sizes as laid out: .plt's is the kernel's count of veneers, the file's one byte)
	"$top/bin/insmod" -n -m "$R/m/$m.ko" | awk -v m="$m" '/^Sections:/ { on = 1; next } /^$/ { on = 0 }
		on && $2 !~ /^0+$/ && $1 ~ /^(\.rodata|__param$|__ksymtab|__kcrctab|__bug_table$|\.note\.Linux$|\.plt$|\.text$)/ {
		print m, $1, $2 }' | while read -r a b c; do
		[ "$b" != .text ] || [[ " $pcpu_code " == *" $a "* ]] && echo "$a $b $((0x$c))" >>"$R/m/sizes"; done
done | { cat; printf '%s\n' capable _printk kfree memcpy; } | sort -u >"$R/m/want" # (+ text symbols to check by)
(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | busybox cpio -o -H newc -R 0:0 2>/dev/null) >"$S/initrd"

T0=$SECONDS
if [ -n "${MODMAP_COLLECTED:-}" ]; then
	cp -r "$MODMAP_COLLECTED"/. "$S/"
	rc=0
else
	say "booting $KVER under qemu-system-aarch64 (TCG), loading: $(tr '\n' ' ' <"$R/m/order")"
	timeout "${VM_ARM64_TIMEOUT:-150}" qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 1 -m 1024 -nographic \
		-monitor none -no-reboot -kernel "$KERNEL" -initrd "$S/initrd" \
		-append "console=ttyAMA0 loglevel=0 panic=-1 rdinit=/init" </dev/null >"$S/console.log" 2>&1
	rc=$?
	say "VM exit $rc after $((SECONDS - T0)) s"
	tr -d '\r' <"$S/console.log" | awk '/^@@MODMAP-END/ { on = 0 } on && !/^begin-base64/ && !/^====$/ { print }
		/^@@MODMAP-BEGIN/ { on = 1 }' | base64 -d 2>/dev/null | tar -C "$S" -xzf - 2>/dev/null
fi
if [ -n "${MODMAP_SAVE:-}" ] && [ -s "$S/sections.txt" ]; then
	mkdir -p "$MODMAP_SAVE" && cp "$S"/*.txt "$S"/mem.* "$MODMAP_SAVE/" 2>/dev/null
fi
if [ $rc != 0 ] || [ ! -s "$S/sections.txt" ]; then
	tail -n 20 "$S/console.log" 2>/dev/null | sed 's/^/  console: /'
	echo "$name: FAIL (the VM did not collect the sections)"
	exit 1
fi
[ ! -s "$S/insmod.txt" ] || sed 's/^/  guest insmod: /' "$S/insmod.txt"
PCPU_CHECK=$ALLSYMS
if [ $ALLSYMS = 0 ]; then
	say "$KVER has no CONFIG_KALLSYMS_ALL: its kallsyms lists text symbols only; the kernel's data" \
		"symbols the modules use for -O come from the Image's export table (scripts/vm/ksymtab.py)"
	awk 'FNR == 1 { f++ } f == 1 { have[$3] = 1 } f == 2 && !($1 in have)' "$S/allsyms.txt" "$R/m/want" >"$S/unknown"
	if /usr/bin/python3 "$VMTEST/ksymtab.py" "$KERNEL" "$S/unknown" "$S/allsyms.txt" >"$S/exports"; then
		cat "$S/exports" >>"$S/allsyms.txt"
	else
		say "the kernel's data symbols were not found: the -O checks of modules that use them fail"
	fi
	for m in $pcpu_code; do # the per-cpu base, off the kernel's relocation of the module's code
		read -r _ size off < <(grep '^\.text ' "$S/memidx.$m.txt")
		tail -c +$((off + 1)) "$S/mem.$m" | head -c "$size" >"$S/text.$m"
		text=$(awk -v m="$m" '$1 == m && $2 == ".text" { print $3 }' "$S/sections.txt")
		/usr/bin/python3 "$VMTEST/arm64-percpu.py" "$R/m/$m.ko" "$m" "${text#0x}" "$S/text.$m" >>"$S/allsyms.txt" ||
			say "$m: its per-cpu base was not found: its -O check fails"
	done
fi
. "$VMTEST/modmap-checks.sh"
