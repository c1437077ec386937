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
# With --backports the same checks run on the newest kernel of Debian bookworm-backports (6.12
# now: a module in up to seven memory regions; layout derived from one section per region), from
# its own cache (VMTEST_BPO_CACHE, default /var/cache/vmtest-bpo; scripts/vm/setup.sh with
# VMTEST_BPO=1 makes it), without hello.ko (no headers are fetched for it).
# Prints PASS/FAIL lines; exit 0 only if all pass, 77 (SKIP) when the VM cache is not set up and
# VMTEST_SETUP=1 does not ask to set it up. Env: VMTEST_DIR, VMTEST_CACHE, VMTEST_SETUP,
# MODMAP_MODULES, MODMAP_SAVE=DIR (keep the guest's collection there), MODMAP_COLLECTED=DIR (use a
# kept collection instead of booting the VM). The guest's modprobe is kmod's (the system's, else KMOD_BIN of the cache).
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMTEST=${VMTEST_DIR:-$top/scripts/vm}
CACHE=${VMTEST_CACHE:-/var/cache/vmtest}
if [ "${1:-}" = --backports ]; then # the newest kernel of bookworm-backports (6.4+: memory regions)
	export VMTEST_BPO=1
	CACHE=${VMTEST_BPO_CACHE:-/var/cache/vmtest-bpo}
	export VMTEST_CACHE=$CACHE # for vm-run.sh
fi
MODULES=${MODMAP_MODULES:-dummy vfat zram xfs nf_conntrack ext4 x_tables}
say() { echo "vm-modmap-test: $*" >&2; }

[ -x "$VMTEST/vm-run.sh" ] || { say "no vmtest harness at $VMTEST"; exit 1; }
conf_ok() { [ -r "$CACHE/vmtest.conf" ] && (. "$CACHE/vmtest.conf" && [ -f "$KERNEL" ] && [ -f "$INITRD" ] &&
	{ [ -z "$HELLO_KO" ] || [ -f "$HELLO_KO" ]; } && [ -d "$MODDIR" ]) && command -v qemu-system-x86_64 >/dev/null; }
name=vm-modmap-test
. "$top/scripts/vm/prepare.sh"
vm_prepare_cache
vm_build_jar

S=$(mktemp -d "${TMPDIR:-/tmp}/vm-modmap.XXXXXX")
trap 'rm -rf "$S"' EXIT
HELLO=${HELLO_KO:+hello} # the backports kernel's cache has no test module
[ -z "$HELLO" ] || cp "$HELLO_KO" "$S/hello.ko"

# The guest writes everything into its own tmpfs first and copies three files to the share
# at the end: small writes through 9p are slow under TCG.
cat >"$S/guest.sh" <<'GUEST'
#!/bin/bash
# runs inside the VM: $1 scratch dir (shared), $2 hello.ko, $3... modules to modprobe
O=$1 HELLO=$2; shift 2
T=$(mktemp -d)
echo 0 >/proc/sys/kernel/kptr_restrict
for m in "$@"; do modprobe "$m" || echo "modprobe $m failed"; done
[ ! -f "$HELLO" ] || insmod "$HELLO" || echo "insmod hello.ko failed"
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
# the memory of every allocated section of a few modules as the kernel holds it (/proc/kcore),
# for the -O image: sizes from the module file's section headers, addresses from sysfs
/usr/bin/python3 - "$T" "$HELLO" "${IMAGE_MODULES:-hello libcrc32c dummy vfat}" <<'PY'
import gzip, lzma, os, struct, subprocess, sys
out, hello, names = sys.argv[1], sys.argv[2], sys.argv[3].split()
with open("/proc/kcore", "rb") as k:
    h = k.read(64)
    phoff, phentsize, phnum = struct.unpack_from("<Q", h, 32)[0], struct.unpack_from("<H", h, 54)[0], struct.unpack_from("<H", h, 56)[0]
    k.seek(phoff)
    ph = [struct.unpack_from("<IIQQQQQQ", k.read(phentsize)) for _ in range(phnum)]
    for n in names:
        sec = "/sys/module/%s/sections" % n
        if not os.path.isdir(sec):
            continue
        f = hello if n == "hello" else subprocess.run(["modinfo", "-n", n], capture_output=True, text=True).stdout.strip()
        raw = open(f, "rb").read()
        if f.endswith(".xz"): raw = lzma.decompress(raw)
        elif f.endswith(".gz"): raw = gzip.decompress(raw)
        elif f.endswith(".zst"): raw = subprocess.run(["zstd", "-qdc", f], capture_output=True).stdout
        shoff, shentsize, shnum, shstrndx = struct.unpack_from("<Q", raw, 40)[0], *struct.unpack_from("<HHH", raw, 58)
        hdr = [struct.unpack_from("<IIQQQQIIQQ", raw, shoff + i * shentsize) for i in range(shnum)]
        strs = hdr[shstrndx][4]
        idx, blob = [], bytearray()
        for (nm, typ, flags, addr, off, size, *_rest) in hdr:
            name = raw[strs + nm:raw.index(b"\0", strs + nm)].decode()
            p = os.path.join(sec, name)
            if not (flags & 2) or size == 0 or not os.path.isfile(p) or name.startswith(".init"):
                continue
            a = int(open(p).read(), 16)
            for (ptyp, fl, poff, va, pa, fsz, msz, al) in ph:
                if ptyp == 1 and va <= a and a + size <= va + msz:
                    k.seek(poff + a - va)
                    idx.append("%s %d %d" % (name, size, len(blob)))
                    blob += k.read(size)
                    break
        open("%s/mem.%s" % (out, n), "wb").write(blob)
        open("%s/memidx.%s.txt" % (out, n), "w").write("\n".join(idx) + "\n")
PY
uname -r >"$T/release.txt"
cp "$T"/*.txt "$T"/mem.* "$O/" 2>/dev/null
echo "collected: $(wc -l <"$T/modules.txt") modules, $(wc -l <"$T/sections.txt") sections, $(wc -l <"$T/kallsyms.txt") module symbols"
GUEST
chmod +x "$S/guest.sh"

T0=$SECONDS
if [ -n "${MODMAP_COLLECTED:-}" ]; then # a guest's collection kept from an earlier run: no VM
	cp "$MODMAP_COLLECTED"/{sections,kallsyms,allsyms,modules,release}.txt "$MODMAP_COLLECTED"/mem* "$S/"
	rc=0
else
# shellcheck disable=SC2086
VMTEST_TIMING=1 "$VMTEST/vm-run.sh" --share "$S" --timeout "${VM_MODMAP_TIMEOUT:-120}" -- \
	bash "$S/guest.sh" "$S" "$S/hello.ko" $MODULES
rc=$?
say "VM exit $rc after $((SECONDS - T0)) s"
fi
if [ -n "${MODMAP_SAVE:-}" ] && [ -s "$S/sections.txt" ]; then
	mkdir -p "$MODMAP_SAVE" && cp "$S"/*.txt "$S"/mem* "$MODMAP_SAVE/" 2>/dev/null
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

# 6.4 and later: up to seven memory regions (module_memory)
case $KVER in [0-5].* | 6.[0-3].*) regions=0 ;; *) regions=1 ;; esac
plain() { # the module file uncompressed on stdout (trees from 6.x on ship .ko.xz)
	case $1 in *.xz) xz -dc "$1" ;; *.zst) zstd -qdc "$1" ;; *.gz) gzip -dc "$1" ;; *) cat "$1" ;; esac
}
check "the guest ran $KVER" '[ "$(cat "$S/release.txt")" = "$KVER" ]'
for m in $MODULES $HELLO; do
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

	# the layout from anchors alone: before 6.4, .text (else the lowest core text section) and
	# .init.text; from 6.4, one section of each memory region (each region is an allocation of its
	# own), the region read off our map at the dummy bases ((n+1)*0x10000000 for region n)
	A=$S/anchor/$name
	mkdir -p "$A"
	if [ "$regions" = 1 ]; then
		insmod -n -m "$ko" 2>/dev/null | awk '/^Sections:/ { on = 1; next } /^$/ { on = 0 }
			on { print $1, substr($3, 1, 9) }' >"$S/dummy.$name"
		while read -r sec reg; do
			[ -f "$D/$sec" ] && [ ! -f "$A/.region.$reg" ] && cp "$D/$sec" "$A/" && echo "$sec" >"$A/.region.$reg"
		done <"$S/dummy.$name"
		anchors=$(cat "$A"/.region.* | tr '\n' ' ')
		rm -f "$A"/.region.*
	else
		anchors=.text
		[ -f "$D/.text" ] || anchors=$(awk '/^Sections:/ { s = 1; next } /^$/ { s = 0 } s && $1 !~ /^\.init/ &&
			$1 != ".symtab" && $1 != ".strtab" { print $1; exit }' "$S/map.$name")
		cp "$D/$anchors" "$A/"
		[ -f "$D/.init.text" ] && cp "$D/.init.text" "$A/" && anchors="$anchors and .init.text"
	fi
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
	check "$name: from $anchors alone, all $nsec sections at the kernel's address" '[ -z "$bad" ]' || echo "  wrong:$bad"
done

check "per-cpu symbols compared in at least one module (x_tables has them):$pcpu_modules" '[ -n "$pcpu_modules" ]'

# compressed modules map as the plain ones
for name in $HELLO dummy; do
	ko=$(kofile "$name")
	[ -f "$ko" ] || continue
	plain "$ko" >"$S/c-$name.ko"
	ko=$S/c-$name.ko
	xz -c "$ko" >"$S/c-$name.ko.xz"; zstd -q -c "$ko" >"$S/c-$name.ko.zst"; gzip -c "$ko" >"$S/c-$name.ko.gz"
	insmod -n -m "$S/c-$name.ko" --sections="$S/sec/$name" >"$S/plain.map" 2>&1
	for z in xz zst gz; do
		insmod -n -m "$S/c-$name.ko.$z" --sections="$S/sec/$name" >"$S/z.map" 2>&1
		check "$name.ko.$z maps as $name.ko" 'cmp -s "$S/plain.map" "$S/z.map"'
	done
done

# -O: the relocated image against the kernel's own memory, section by section, for the
# sections the kernel leaves as relocated (text is patched after relocation: alternatives,
# ftrace, return thunks; .data, this_module and the tables sorted at load change too). Our
# image is one file per allocation (img.core before 6.4, img.text, img.rodata, ... from 6.4);
# where a section lies in it comes from the map at the dummy bases: allocation n at
# (n+1)*0x10000000, the section at its offset there.
units=(core init)
[ "$regions" = 1 ] && units=(text data rodata ro_after_init init_text init_data init_rodata)
for name in ${IMAGE_MODULES:-$HELLO libcrc32c dummy vfat}; do
	[ -s "$S/mem.$name" ] || { check "$name: section memory read from /proc/kcore" false; continue; }
	ko=$(kofile "$name")
	rm -f "$S"/img.*
	plain "$ko" >"$S/plain.ko"
	insmod -n -m "$S/plain.ko" >"$S/dummy.$name" 2>&1
	insmod -n -m -O "$S/img" --sections="$S/sec/$name" --ksyms="$S/allsyms.txt" "$ko" >"$S/omap.$name" 2>&1
	check "$name: -O --sections --ksyms exits 0 and writes the image" '[ $? = 0 ] && [ -s "$S/img.${units[0]}" ]' ||
		head -n 3 "$S/omap.$name"
	bad="" nsec=0 relocated=""
	while read -r sec size off; do
		case $sec in .rodata* | __param | __ksymtab | __ksymtab_gpl | __kcrctab* | __bug_table | .return_sites | \
			__ksymtab_strings | .note.Linux) ;;
		*) continue ;;
		esac
		dummy=$(awk -v s="$sec" '/^Sections:/ { on = 1; next } /^$/ { on = 0 } on && $1 == s { print $3 }' "$S/dummy.$name")
		[ -n "$dummy" ] || { bad="$bad $sec(not in the map)"; continue; }
		unit=${units[$((0x$dummy / 0x10000000 - 1))]} uoff=$((0x$dummy % 0x10000000))
		tail -c +$((off + 1)) "$S/mem.$name" | head -c "$size" >"$S/kern.sec"
		cmp -s <(tail -c +$((uoff + 1)) "$S/img.$unit" | head -c "$size") "$S/kern.sec" || bad="$bad $sec"
		# the relocations mattered: the kernel's bytes are not the file's
		objcopy -O binary --only-section="$sec" "$S/plain.ko" "$S/file.sec" 2>/dev/null
		cmp -s "$S/file.sec" "$S/kern.sec" || relocated="$relocated $sec"
		nsec=$((nsec + 1))
	done <"$S/memidx.$name.txt"
	check "$name: -O image equals the kernel's memory in all $nsec unpatched sections (relocated:$relocated)" \
		'[ $nsec -gt 0 ] && [ -z "$bad" ] && [ -n "$relocated" ]' || echo "  differ:$bad"
done

echo "### $n checks, $fails failed"
if [ $fails = 0 ]; then echo "vm-modmap-test: PASS"; else echo "vm-modmap-test: FAIL"; fi
exit $((fails > 0))
