#!/bin/bash
# The arm64 VM cache of scripts/vm-modmap-arm64-test.sh, set up idempotently:
#
#   scripts/vm/arm64-setup.sh [CACHE_DIR]    (default: $VMTEST_ARM64_CACHE or /var/cache/vmtest-arm64)
#
# Fetches from deb.debian.org's pool of Debian bookworm, without adding an architecture or a
# source to the system's apt, two arm64 packages: the newest linux-image-<abi>-cloud-arm64
# (6.1, ~21 MB; its kernel has virtio, the PL011 console and /proc/kcore built in) and
# busybox-static (~1 MB). Trust chain as scripts/vm/backports.sh's: InRelease checked by gpgv
# against the Debian archive keyring, main/binary-arm64/Packages.xz (~9 MB, not kept) against the
# SHA256 InRelease gives, each .deb against the SHA256 the index gives (apt-helper checks both).
# Unpacked into CACHE (~90 MB): the kernel as a plain Image (qemu -kernel does not take the
# gzip'ed vmlinuz), the module tree with kmod's modules.dep, the static busybox; CACHE/arm64.conf
# says where. Nothing is installed. Re-running with the cache complete does not touch the network.
#
# Env: VMTEST_ARM64_KVER=6.1.0-NN-cloud-arm64 pins an ABI (default: the newest in the index);
#      VMTEST_ARM64_MIRROR (default http://deb.debian.org/debian), VMTEST_ARM64_SUITE (bookworm).
# Needs: gpgv, debian-archive-keyring, apt (apt-helper), dpkg, xz-utils, gzip, kmod (depmod).
set -euo pipefail

CACHE=${1:-${VMTEST_ARM64_CACHE:-/var/cache/vmtest-arm64}}
MIRROR=${VMTEST_ARM64_MIRROR:-http://deb.debian.org/debian}
SUITE=${VMTEST_ARM64_SUITE:-bookworm}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
HELPER=/usr/lib/apt/apt-helper

say() { echo "arm64-setup: $*" >&2; }
die() { echo "arm64-setup: ERROR: $*" >&2; exit 1; }

if [ -r "$CACHE/arm64.conf" ] && (. "$CACHE/arm64.conf" && [ -f "$KERNEL" ] && [ -x "$BUSYBOX" ] &&
	[ -f "$MODDIR/modules.dep" ] && [ -z "${VMTEST_ARM64_KVER:-}" -o "${VMTEST_ARM64_KVER:-}" = "$KVER" ]); then
	say "up to date: $CACHE ($(. "$CACHE/arm64.conf" && echo "$KVER"))"
	exit 0
fi
for t in gpgv dpkg-deb xz gzip depmod; do
	command -v "$t" >/dev/null || [ -x "/sbin/$t" ] || die "$t is not installed"
done
[ -x "$HELPER" ] || die "$HELPER is not installed (package apt)"
[ -r "$KEYRING" ] || die "$KEYRING is missing (package debian-archive-keyring)"
DEPMOD=$(command -v depmod || echo /sbin/depmod)
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
say "setting up $CACHE: downloads the $SUITE arm64 index (~9 MB, not kept), linux-image-<abi>-cloud-arm64" \
	"(~21 MB) and busybox-static (~1 MB); ~90 MB unpacked"

T=$(mktemp -d "$CACHE/.setup.XXXXXX")
trap 'rm -rf "$T"' EXIT
fetch() { # URL FILE [SHA256]
	"$HELPER" -o APT::Sandbox::User=root download-file "$1" "$2" ${3:+"SHA256:$3"} >&2
}

# the signed index
fetch "$MIRROR/dists/$SUITE/InRelease" "$T/InRelease" || die "cannot fetch $SUITE's InRelease"
gpgv --keyring "$KEYRING" --output "$T/Release" "$T/InRelease" 2>"$T/gpgv.log" ||
	{ cat "$T/gpgv.log" >&2; die "InRelease of $SUITE: bad signature"; }
idx=main/binary-arm64/Packages.xz
sha=$(awk -v f="$idx" '/^SHA256:/ { s = 1; next } /^[A-Za-z]/ { s = 0 } s && $3 == f { print $1; exit }' "$T/Release")
[ -n "$sha" ] || die "InRelease of $SUITE names no $idx"
fetch "$MIRROR/dists/$SUITE/$idx" "$T/Packages.xz" "$sha" || die "cannot fetch $idx of $SUITE (or its SHA256 differs)"
xz -dc "$T/Packages.xz" | awk '
	/^Package: / { p = $2 } /^Version: / { v = $2 } /^Filename: / { f = $2 } /^SHA256: / { s = $2 }
	/^$/ { if (p ~ /^linux-image-[0-9.]+-[0-9]+-cloud-arm64-unsigned$/ || p == "busybox-static") print p, v, f, s; p = "" }' |
	sort -V >"$T/pick"

# the kernel: the pinned ABI or the newest; then busybox-static
if [ -n "${VMTEST_ARM64_KVER:-}" ]; then
	kline=$(awk -v p="linux-image-$VMTEST_ARM64_KVER-unsigned" '$1 == p' "$T/pick" | tail -n 1)
else
	kline=$(grep '^linux-image-' "$T/pick" | tail -n 1)
fi
bline=$(grep '^busybox-static ' "$T/pick" | tail -n 1)
[ -n "$kline" ] || die "no linux-image-${VMTEST_ARM64_KVER:-<abi>-cloud-arm64}-unsigned in $SUITE's arm64 index"
[ -n "$bline" ] || die "no busybox-static in $SUITE's arm64 index"
read -r kpkg kver kfile ksha <<<"$kline"
read -r _ bver bfile bsha <<<"$bline"
KVER=${kpkg#linux-image-}
KVER=${KVER%-unsigned}
say "downloading $kpkg $kver and busybox-static $bver"
fetch "$MIRROR/$kfile" "$T/kernel.deb" "$ksha" || die "cannot fetch $kfile (or its SHA256 differs)"
fetch "$MIRROR/$bfile" "$T/busybox.deb" "$bsha" || die "cannot fetch $bfile (or its SHA256 differs)"

mkdir -p "$T/x" "$T/bb"
dpkg-deb -x "$T/kernel.deb" "$T/x"
dpkg-deb -x "$T/busybox.deb" "$T/bb"
[ -d "$T/x/lib/modules/$KVER" ] || { [ -d "$T/x/usr/lib/modules/$KVER" ] && mkdir -p "$T/x/lib" && mv "$T/x/usr/lib/modules" "$T/x/lib/"; }
[ -f "$T/x/boot/vmlinuz-$KVER" ] || die "no boot/vmlinuz-$KVER in $kpkg"
# Debian's arm64 vmlinuz is a gzip'ed Image; qemu -kernel wants the Image
gzip -dc "$T/x/boot/vmlinuz-$KVER" >"$T/x/Image" 2>/dev/null || cp "$T/x/boot/vmlinuz-$KVER" "$T/x/Image"
[ "$(od -An -tx1 -j 56 -N 4 "$T/x/Image" | tr -d ' ')" = 41524d64 ] || die "boot/vmlinuz-$KVER is no arm64 Image"
for c in CONFIG_SERIAL_AMBA_PL011_CONSOLE CONFIG_PROC_KCORE CONFIG_BLK_DEV_INITRD CONFIG_MODULES; do
	grep -qx "$c=y" "$T/x/boot/config-$KVER" || die "$KVER: $c is not built in"
done
"$DEPMOD" -b "$T/x" "$KVER" # the .deb has no modules.dep (postinst makes it)
bb=$(find "$T/bb" -path '*bin/busybox' -type f | head -n 1)
[ -n "$bb" ] || die "no bin/busybox in busybox-static"
mv "$bb" "$T/x/busybox"
rm -rf "$T/x/usr/share/doc"

# into place: the old tree (another ABI) goes only after the new config is there
KDIR=$CACHE/kernel-$KVER
rm -rf "$KDIR.new"
mv "$T/x" "$KDIR.new"
rm -rf "$KDIR"
mv "$KDIR.new" "$KDIR"
{
	printf 'KVER=%q\n' "$KVER"
	printf 'KPKG=%q\n' "$kpkg=$kver"
	printf 'KERNEL=%q\n' "$KDIR/Image"
	printf 'MODDIR=%q\n' "$KDIR/lib/modules/$KVER"
	printf 'BUSYBOX=%q\n' "$KDIR/busybox"
	printf 'BUSYBOX_PKG=%q\n' "busybox-static=$bver"
} >"$CACHE/.arm64.conf.$$"
mv "$CACHE/.arm64.conf.$$" "$CACHE/arm64.conf"
for d in "$CACHE"/kernel-*; do [ "$d" = "$KDIR" ] || rm -rf "$d"; done
say "done: $CACHE ($(du -sh "$CACHE" | cut -f1)): $kpkg $kver, busybox-static $bver"
