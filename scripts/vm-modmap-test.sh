#!/bin/bash
# vm-modmap-test.sh: proves insmod -n -m FILE.ko --sections=DIR (the load map of a 2.6+ module)
# against a real kernel. Boots the Debian kernel of scripts/vm (the project's harness) ONCE under qemu; the guest
# loads several modules of the Debian tree with their dependencies (modprobe) and the project's
# test module hello.ko, and copies out every loaded module's /sys/module/NAME/sections and the
# module lines of /proc/kallsyms. Then, on the host, for every module loaded in the guest:
#   - every symbol /proc/kallsyms lists for it is in our map at the same address, same letter,
#     per-cpu symbols too when the map is given the module's kallsyms lines (--ksyms): sysfs does
#     not show the per-cpu area; without them the map says its per-cpu symbols are at a dummy base;
#   - the layout derived from its first core text section (.text) and .init.text alone gives
#     the kernel's address of every other section;
# and compressed copies (.ko.xz, .ko.zst, .ko.gz) map exactly like the plain module.
# Prints PASS/FAIL lines; exit 0 only if all pass, 77 (SKIP) when the VM cache is not set up and
# VMTEST_SETUP=1 does not ask to set it up. Env: VMTEST_DIR, VMTEST_CACHE, VMTEST_SETUP,
# MODMAP_MODULES, MODMAP_SAVE=DIR (keep the guest's collection there), MODMAP_COLLECTED=DIR (use a
# kept collection instead of booting the VM). The guest's modprobe is kmod's (the system's, else KMOD_BIN of the cache).
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMTEST=${VMTEST_DIR:-$top/scripts/vm}
CACHE=${VMTEST_CACHE:-/var/cache/vmtest}
MODULES=${MODMAP_MODULES:-dummy vfat zram xfs nf_conntrack ext4 x_tables}
say() { echo "vm-modmap-test: $*" >&2; }

[ -x "$VMTEST/vm-run.sh" ] || { say "no vmtest harness at $VMTEST"; exit 1; }
conf_ok() { [ -r "$CACHE/vmtest.conf" ] && (. "$CACHE/vmtest.conf" && [ -f "$KERNEL" ] && [ -f "$INITRD" ] &&
	[ -f "$HELLO_KO" ] && [ -d "$MODDIR" ]) && command -v qemu-system-x86_64 >/dev/null; }
name=vm-modmap-test
. "$top/scripts/vm/prepare.sh"
vm_prepare_cache
vm_build_jar

S=$(mktemp -d "${TMPDIR:-/tmp}/vm-modmap.XXXXXX")
trap 'rm -rf "$S"' EXIT
cp "$HELLO_KO" "$S/hello.ko"

# The guest writes everything into its own tmpfs first and copies three files to the share
# at the end: small writes through 9p are slow under TCG.
cat >"$S/guest.sh" <<'GUEST'
#!/bin/bash
# runs inside the VM: $1 scratch dir (shared), $2 hello.ko, $3... modules to modprobe
O=$1 HELLO=$2; shift 2
T=$(mktemp -d)
echo 0 >/proc/sys/kernel/kptr_restrict
for m in "$@"; do modprobe "$m" || echo "modprobe $m failed"; done
insmod "$HELLO" || echo "insmod hello.ko failed"
while read -r name _; do
	d=/sys/module/$name/sections
	[ -d "$d" ] || continue
	for f in "$d"/.* "$d"/*; do
		[ -f "$f" ] || continue
		read -r a <"$f"
		echo "$name ${f##*/} $a"
	done
done </proc/modules >"$T/sections.txt"
grep -F '[' /proc/kallsyms >"$T/kallsyms.txt"
cat /proc/kallsyms >"$T/allsyms.txt"
cp /proc/modules "$T/modules.txt"
# the core memory of a few modules as the kernel holds it (/proc/kcore), for the -O image
/usr/bin/python3 - "$T" "${IMAGE_MODULES:-hello libcrc32c dummy vfat}" <<'PY'
import struct, sys
out, names = sys.argv[1], sys.argv[2].split()
mods = {l.split()[0]: (int(l.split()[1]), int(l.split()[5], 16)) for l in open("/proc/modules")}
with open("/proc/kcore", "rb") as k:
    h = k.read(64)
    phoff, phentsize, phnum = struct.unpack_from("<Q", h, 32)[0], struct.unpack_from("<H", h, 54)[0], struct.unpack_from("<H", h, 56)[0]
    k.seek(phoff)
    ph = [struct.unpack_from("<IIQQQQQQ", k.read(phentsize)) for _ in range(phnum)]
    for n in names:
        if n not in mods:
            continue
        size, base = mods[n]
        for (typ, fl, off, va, pa, fsz, msz, al) in ph:
            if typ == 1 and va <= base and base + size <= va + msz:
                k.seek(off + base - va)
                open("%s/core.%s" % (out, n), "wb").write(k.read(size))
                break
PY
uname -r >"$T/release.txt"
cp "$T"/*.txt "$T"/core.* "$O/" 2>/dev/null
echo "collected: $(wc -l <"$T/modules.txt") modules, $(wc -l <"$T/sections.txt") sections, $(wc -l <"$T/kallsyms.txt") module symbols"
GUEST
chmod +x "$S/guest.sh"

T0=$SECONDS
if [ -n "${MODMAP_COLLECTED:-}" ]; then # a guest's collection kept from an earlier run: no VM
	cp "$MODMAP_COLLECTED"/{sections,kallsyms,allsyms,modules,release}.txt "$MODMAP_COLLECTED"/core.* "$S/"
	rc=0
else
# shellcheck disable=SC2086
VMTEST_TIMING=1 "$VMTEST/vm-run.sh" --share "$S" --timeout "${VM_MODMAP_TIMEOUT:-120}" -- \
	bash "$S/guest.sh" "$S" "$S/hello.ko" $MODULES
rc=$?
say "VM exit $rc after $((SECONDS - T0)) s"
fi
if [ -n "${MODMAP_SAVE:-}" ] && [ -s "$S/sections.txt" ]; then
	mkdir -p "$MODMAP_SAVE" && cp "$S"/*.txt "$S"/core.* "$MODMAP_SAVE/" 2>/dev/null
fi
if [ $rc != 0 ] || [ ! -s "$S/sections.txt" ]; then
	echo "vm-modmap-test: FAIL (the VM did not collect the sections)"
	exit 1
fi

fails=0 n=0 pcpu_modules=""
check() { n=$((n + 1)); if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
insmod() { "$top/bin/insmod" "$@"; }

# the module files: hello.ko here, the others from the Debian tree (modules.dep names them)
kofile() {
	[ "$1" = hello ] && { echo "$S/hello.ko"; return; }
	awk -F: -v n="$1" '{ f = $1; b = f; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b)
		if (b == n) { print f; exit } }' "$MODDIR/modules.dep" | sed "s|^|$MODDIR/|"
}

check "the guest ran $KVER" '[ "$(cat "$S/release.txt")" = "$KVER" ]'
for m in $MODULES hello; do
	check "$m is loaded" 'grep -q "^$m " "$S/modules.txt"'
done

for name in $(awk '{ print $1 }' "$S/sections.txt" | sort -u); do
	ko=$(kofile "$name")
	[ -f "$ko" ] || { check "$name: module file found" false; continue; }
	D=$S/sec/$name
	mkdir -p "$D"
	# as cp -r of /sys/module/NAME/sections makes it: one file per section, the address and a newline
	awk -v n="$name" -v d="$D" '$1 == n { print $3 > (d "/" $2) }' "$S/sections.txt"
	# the module's own kallsyms lines, as grep '\[NAME\]' /proc/kallsyms gives them: the per-cpu base
	awk -v n="[$name]" '$4 == n' "$S/kallsyms.txt" >"$S/ks.$name"
	insmod -n -m "$ko" --sections="$D" --ksyms="$S/ks.$name" >"$S/map.$name" 2>"$S/err.$name"
	check "$name: insmod -n -m --sections --ksyms exits 0" '[ $? = 0 ] && [ ! -s "$S/err.$name" ]' || cat "$S/err.$name"

	# every /proc/kallsyms symbol of the module in the map: address, letter, name (per-cpu ones too)
	awk '{ print $1, $2, $3 }' "$S/ks.$name" | sort -u >"$S/want.$name"
	awk '/^Symbols:/ { s = 1; next } s && NF == 3 { print }' "$S/map.$name" | sort -u >"$S/have.$name"
	missing=$(comm -23 "$S/want.$name" "$S/have.$name")
	nsym=$(wc -l <"$S/want.$name")
	npcpu=$(awk '$2 == "a" || $2 == "A"' "$S/ks.$name" | wc -l)
	check "$name: all $nsym kallsyms symbols in the map at their address ($npcpu of them per-cpu)" \
		'[ $nsym -gt 0 ] && [ -z "$missing" ]' || echo "$missing" | head -n 5 | sed 's/^/  missing: /'
	if [ "$npcpu" -gt 0 ]; then
		pcpu_modules="$pcpu_modules $name"
		insmod -n -m "$ko" --sections="$D" >"$S/nopcpu.$name" 2>&1
		check "$name: without its kallsyms lines the map says the per-cpu symbols are at a dummy base" \
			'grep -q "^# per-cpu symbols at the dummy base 0xf0000000" "$S/nopcpu.$name"'
	fi

	# the layout from .text (else the lowest core text section) and .init.text alone
	anchor=.text
	[ -f "$D/.text" ] || anchor=$(awk '/^Sections:/ { s = 1; next } /^$/ { s = 0 } s && $1 !~ /^\.init/ &&
		$1 != ".symtab" && $1 != ".strtab" { print $1; exit }' "$S/map.$name")
	A=$S/anchor/$name
	mkdir -p "$A"
	cp "$D/$anchor" "$A/"
	[ -f "$D/.init.text" ] && cp "$D/.init.text" "$A/"
	insmod -n -m "$ko" --sections="$A" >"$S/derived.$name" 2>&1
	bad="" nsec=0
	for f in "$D"/.* "$D"/*; do
		[ -f "$f" ] || continue
		sec=${f##*/} want=$(cat "$f")
		case $sec in .init.* | .symtab | .strtab) [ -f "$D/.init.text" ] || continue ;; esac
		nsec=$((nsec + 1))
		have=$(awk -v s="$sec" '/^Sections:/ { on = 1; next } /^$/ { on = 0 } on && $1 == s { print "0x" $3 }' "$S/derived.$name")
		[ "$have" = "$want" ] || bad="$bad $sec($have != $want)"
	done
	check "$name: from $anchor${A:+ }$([ -f "$D/.init.text" ] && echo "and .init.text ")alone, all $nsec sections at the kernel's address" \
		'[ -z "$bad" ]' || echo "  wrong:$bad"
done

check "per-cpu symbols compared in at least one module (x_tables has them):$pcpu_modules" '[ -n "$pcpu_modules" ]'

# compressed modules map as the plain ones
for name in hello dummy; do
	ko=$(kofile "$name")
	[ -f "$ko" ] || continue
	cp "$ko" "$S/c-$name.ko"
	xz -c "$ko" >"$S/c-$name.ko.xz"; zstd -q -c "$ko" >"$S/c-$name.ko.zst"; gzip -c "$ko" >"$S/c-$name.ko.gz"
	insmod -n -m "$S/c-$name.ko" --sections="$S/sec/$name" >"$S/plain.map" 2>&1
	for z in xz zst gz; do
		insmod -n -m "$S/c-$name.ko.$z" --sections="$S/sec/$name" >"$S/z.map" 2>&1
		check "$name.ko.$z maps as $name.ko" 'cmp -s "$S/plain.map" "$S/z.map"'
	done
done

# -O: the relocated core image against the kernel's own memory, section by section, for the
# sections the kernel leaves as relocated (text is patched after relocation: alternatives,
# ftrace, return thunks; .data, this_module and the tables sorted at load change too)
for name in ${IMAGE_MODULES:-hello libcrc32c dummy vfat}; do
	[ -f "$S/core.$name" ] || { check "$name: core memory read from /proc/kcore" false; continue; }
	ko=$(kofile "$name")
	rm -f "$S/img.core"
	insmod -n -m -O "$S/img" --sections="$S/sec/$name" --ksyms="$S/allsyms.txt" "$ko" >"$S/omap.$name" 2>&1
	check "$name: -O --sections --ksyms exits 0 and writes the core image" '[ $? = 0 ] && [ -s "$S/img.core" ]' ||
		head -n 3 "$S/omap.$name"
	base=$(awk -v n="$name" '$1 == n { print $6 }' "$S/modules.txt")
	bad="" nsec=0 relocated=""
	while read -r sec size addr; do
		case $sec in .rodata* | __param | __ksymtab | __ksymtab_gpl | __kcrctab* | __bug_table | .return_sites | \
			__ksymtab_strings | .note.Linux) ;;
		*) continue ;;
		esac
		off=$((0x$addr - base))
		tail -c +$((off + 1)) "$S/core.$name" | head -c $((0x$size)) >"$S/kern.sec"
		cmp -s <(tail -c +$((off + 1)) "$S/img.core" | head -c $((0x$size))) "$S/kern.sec" || bad="$bad $sec"
		# the relocations mattered: the kernel's bytes are not the file's
		objcopy -O binary --only-section="$sec" "$ko" "$S/file.sec" 2>/dev/null
		cmp -s "$S/file.sec" "$S/kern.sec" || relocated="$relocated $sec"
		nsec=$((nsec + 1))
	done < <(awk '/^Sections:/ { on = 1; next } /^$/ { on = 0 } on && $1 !~ /^\.init/ && $1 != ".symtab" &&
		$1 != ".strtab" { print $1, $2, $3 }' "$S/omap.$name")
	check "$name: -O image equals the kernel's memory in all $nsec unpatched core sections (relocated:$relocated)" \
		'[ $nsec -gt 0 ] && [ -z "$bad" ] && [ -n "$relocated" ]' || echo "  differ:$bad"
done

echo "### $n checks, $fails failed"
if [ $fails = 0 ]; then echo "vm-modmap-test: PASS"; else echo "vm-modmap-test: FAIL"; fi
exit $((fails > 0))
