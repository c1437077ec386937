#!/bin/bash
# Regenerates src/test/resources/deps/: small real 6.1 modules (built by the kernel's own build
# from scripts/vmtest-modules/{chain,loop}) and what kmod's depmod (Debian package kmod) makes of
# a tree of them: the expected files of DepmodFixtureTest, produced by tools independent of ours.
# Needs: scripts/vm/setup.sh run once (kernel headers + kbuild, kmod's tools in KMOD_BIN), binutils.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VMTEST_CACHE:-/var/cache/vmtest}
. "$CACHE/vmtest.conf"
depmod() { "${KMOD_BIN:-/usr/sbin}/depmod" "$@"; }   # kmod's, from the VM cache or the system
modprobe() { "${KMOD_BIN:-/usr/sbin}/modprobe" "$@"; }
out=$top/src/test/resources/deps
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
rm -rf "$out"; mkdir -p "$out/modules" "$out/expected"
for set in chain loop; do
	mkdir "$T/$set"
	cp "$top/scripts/vmtest-modules/$set/"* "$T/$set/"
	make -s -C "/usr/src/linux-headers-$KVER" M="$T/$set" KBUILD_MODPOST_WARN=1 modules >/dev/null 2>&1
	for ko in "$T/$set"/*.ko; do strip --strip-debug -o "$out/modules/${ko##*/}" "$ko"; done
done
# the tree: the chain stack (one of it xz-compressed, one zstd), hello, and an update of hello
tree=$T/root/lib/modules/$KVER
mkdir -p "$tree/kernel/chain" "$tree/kernel/misc" "$tree/updates"
cp "$out/modules/chain_base.ko" "$tree/kernel/chain/"
xz -c "$out/modules/chain-mid.ko" >"$tree/kernel/chain/chain-mid.ko.xz"
zstd -q -c "$out/modules/chain_top.ko" >"$tree/kernel/chain/chain_top.ko.zst"
cp "$top/src/test/resources/modern/hello.ko" "$tree/kernel/misc/"
cp "$top/src/test/resources/modern/hello.ko" "$tree/updates/hello.ko"
printf 'kernel/chain/chain_top.ko\nkernel/misc/hello.ko\nkernel/chain/chain_base.ko\n' >"$tree/modules.order"
printf 'kernel/fs/ext4/ext4.ko\nkernel/crypto/crc32c_generic.ko\n' >"$tree/modules.builtin"
printf 'ext4.alias=fs-ext4\0ext4.license=GPL\0crc32c_generic.alias=crypto-crc32c\0crc32c_generic.alias=crc32c\0' \
	>"$tree/modules.builtin.modinfo"
cp -r "$T/root" "$out/tree"
depmod -b "$T/root" "$KVER"
for f in "$tree"/modules.*; do
	case ${f##*/} in modules.order|modules.builtin|modules.builtin.modinfo) continue ;; esac
	cp "$f" "$out/expected/"
done
depmod -b "$T/root" -n "$KVER" >"$out/expected/show.txt"
echo "kmod $(depmod -V | head -1), kernel $KVER" >"$out/expected/README"
# a dependency cycle: kmod's messages and exit status, and no file written
loop=$T/loop/lib/modules/$KVER/kernel/extra
mkdir -p "$loop"
cp "$out/modules/loopa.ko" "$out/modules/loopb.ko" "$loop/"
set +e
depmod -b "$T/loop" "$KVER" 2>"$out/expected/loop.stderr"
echo $? >"$out/expected/loop.status"
set -e
sed -i "s#$T/loop#ROOT#g" "$out/expected/loop.stderr"
# modprobe's dry runs on the fixture tree (after depmod): what kmod's modprobe prints
depmod -b "$T/root" "$KVER"
printf 'options chain_base flag=1\nalias chainy chain_top\ninstall hello /bin/true\n' >"$T/modprobe.conf"
cp "$T/modprobe.conf" "$out/expected/modprobe.conf"
for args in "-D chain_top" "-D chain-middle" "-D chainy" "-D char-major-10-250" "-D crc32c" "-D symbol:chain_mid_value" \
	"-n -v chain_top x=1" "-n -v -r chain_top" "-D nosuch" "-R pci:v00001234d0000ABCDsv0sd0bc0sc0i0"; do
	name=$(echo "$args" | tr ' :=' '___')
	set +e
	modprobe -C "$T/modprobe.conf" -S "$KVER" -d "$T/root" $args >"$out/expected/modprobe$name.out" 2>&1
	echo $? >>"$out/expected/modprobe$name.out"
	set -e
	sed -i "s#$T/root#ROOT#g" "$out/expected/modprobe$name.out"
done
