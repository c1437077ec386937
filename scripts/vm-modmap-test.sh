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

IMAGE_MODULES=${IMAGE_MODULES:-$HELLO libcrc32c dummy vfat}
OBJCOPY=objcopy CHECKS_NAME=vm-modmap-test
. "$top/scripts/vm/modmap-checks.sh"
