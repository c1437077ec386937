#!/bin/bash
# The project's qemu harness, set-up half: installs what vm-run.sh needs, idempotently.
#
#   scripts/vm/setup.sh [CACHE_DIR]        (default: $VMTEST_CACHE or /var/cache/vmtest)
#
# What it does on a fresh Debian 12 (amd64) and what that costs (it says so again when it runs):
#  - apt-get installs qemu-system-x86, busybox-static, make, gcc, xz-utils, zstd and
#    linux-headers-<abi> (the kernel build tree for the test modules), those not there yet;
#  - downloads the Debian kernel package linux-image-<abi> (about 70 MB) with apt-get download
#    and unpacks it into CACHE (about 440 MB: the kernel and its module tree); it is not installed;
#  - uses kmod's depmod/modprobe/modinfo for the module tree: the system's when the kmod package
#    is installed, otherwise kmod and libkmod2 unpacked into CACHE/kmod (not installed, so
#    nothing new named insmod lands on PATH);
#  - builds the initramfs (busybox + guest-init.sh + the virtio/9p/overlay modules) and the
#    test module scripts/vmtest-modules/hello against the kernel, and writes CACHE/vmtest.conf.
# Takes about a minute on a fresh machine (apt and the download), a second or two when re-run.
#
# Env: VMTEST_KVER=6.1.0-NN-amd64  pin a kernel ABI (default: what the
#      linux-image-amd64 meta package depends on now).
#      VMTEST_BPO=1  instead, the newest kernel of bookworm-backports (6.4 or later: the module
#      memory regions; default cache ${VMTEST_BPO_CACHE:-/var/cache/vmtest-bpo}). Its package
#      (~105 MB; ~650 MB unpacked) is fetched from deb.debian.org's pool without adding a source
#      to apt: the InRelease file is checked with gpgv against debian-archive-keyring, the index
#      against InRelease's SHA256 and the package against the index's. No headers and no test
#      module for it (HELLO_KO is empty): the checks use the modules of its tree.
#
# Needs root (apt-get). Re-running is cheap: packages already installed and a kernel already
# extracted are not fetched again; the initramfs and the test module are rebuilt only when
# guest-init.sh or the module's source changed (other runs may be using the cache meanwhile;
# every file is replaced by a rename).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTMOD_SRC=$HERE/../vmtest-modules/hello
BPO=${VMTEST_BPO:-0}
if [ "$BPO" = 1 ]; then CACHE=${1:-${VMTEST_BPO_CACHE:-/var/cache/vmtest-bpo}}; else CACHE=${1:-${VMTEST_CACHE:-/var/cache/vmtest}}; fi
export DEBIAN_FRONTEND=noninteractive
APT_INSTALL=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=900)
INITRD_MODULES=(virtio_pci 9pnet_virtio 9p overlay) # + deps, resolved by modprobe

say() { echo "setup: $*" >&2; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get, depmod)"
[ "$(uname -m)" = x86_64 ] || die "x86_64 host required"
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

installed() { # all given packages installed?
	local p
	for p; do
		dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || return 1
	done
}
APT_UPDATED=0
apt_update_once() {
	[ "$APT_UPDATED" = 1 ] && return 0
	say "apt-get update"
	apt-get update -q -o DPkg::Lock::Timeout=900 >&2 || die "apt-get update failed"
	APT_UPDATED=1
}
apt_install() {
	installed "$@" && return 0
	say "installing: $*"
	if ! "${APT_INSTALL[@]}" "$@" >&2; then
		apt_update_once
		"${APT_INSTALL[@]}" "$@" >&2 || die "apt-get install $* failed"
	fi
}
candidate() { # candidate version of a package, empty if none
	apt-cache policy "$1" 2>/dev/null | awk '$1=="Candidate:" && $2!="(none)" {print $2; exit}'
}

# ---- 1. host tools ---------------------------------------------------------
HOST_PKGS=(qemu-system-x86 busybox-static make gcc xz-utils zstd)
if [ ! -f "$CACHE/vmtest.conf" ] || ! installed "${HOST_PKGS[@]}"; then
	say "setting up the VM test cache $CACHE: installs the Debian packages it lacks of"
	say "  ${HOST_PKGS[*]} linux-headers-<abi>; downloads linux-image-<abi> (~70 MB),"
	say "  unpacked there (~440 MB); about a minute"
fi
apt_install "${HOST_PKGS[@]}"

# kmod's tools for the module tree, without installing kmod (its insmod would land on PATH):
# the system's when the package is there, else kmod + libkmod2 unpacked into CACHE/kmod.
# KMOD_BIN holds wrappers for depmod, modprobe, modinfo, lsmod and rmmod (no insmod); vm-run.sh
# puts it last on the guest's PATH. VMTEST_PRIVATE_KMOD=1 unpacks kmod even when it is installed.
KMOD_BIN=$CACHE/kmod/bin
kmod_tools() {
	local root=$CACHE/kmod/root kmod lib t tmp
	if [ -z "${VMTEST_PRIVATE_KMOD:-}" ] && installed kmod && [ -x /bin/kmod ]; then
		kmod=/bin/kmod lib=
	else
		kmod=$root/bin/kmod lib=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu
		if [ ! -x "$kmod" ]; then
			say "unpacking kmod and libkmod2 into $CACHE/kmod (not installed)"
			tmp=$(mktemp -d "$CACHE/.kmod.XXXXXX")
			(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root kmod libkmod2 >&2) ||
				{ apt_update_once; (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root kmod libkmod2 >&2); } ||
				die "apt-get download kmod libkmod2 failed"
			mkdir -p "$tmp/root"
			for d in "$tmp"/*.deb; do dpkg -x "$d" "$tmp/root"; done
			[ -d "$tmp/root/usr/bin" ] && [ ! -e "$tmp/root/bin" ] && ln -s usr/bin "$tmp/root/bin"
			rm -rf "$root"
			mkdir -p "$CACHE/kmod"
			mv "$tmp/root" "$root"
			rm -rf "$tmp"
		fi
	fi
	mkdir -p "$KMOD_BIN"
	for t in depmod modprobe modinfo lsmod rmmod; do
		{
			echo '#!/bin/bash'
			echo "# kmod's $t, made by scripts/vm/setup.sh"
			[ -n "$lib" ] && printf 'export LD_LIBRARY_PATH=%q${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\n' "$lib"
			printf 'exec -a %s %q "$@"\n' "$t" "$kmod"
		} >"$KMOD_BIN/.$t.tmp"
		chmod 755 "$KMOD_BIN/.$t.tmp"
		mv -f "$KMOD_BIN/.$t.tmp" "$KMOD_BIN/$t"
	done
	"$KMOD_BIN/depmod" -V >/dev/null 2>&1 || die "kmod's depmod from $kmod does not run (missing libraries?)"
}
kmod_tools

# ---- 2. choose the kernel ABI ------------------------------------------------
KVER=${VMTEST_KVER:-}
if [ "$BPO" = 1 ]; then
	. "$HERE/backports.sh"
	bpo_choose # sets KVER, KPKGVER, BPO_FILE, BPO_SHA256
elif [ -z "$KVER" ] && [ -f "$CACHE/vmtest.conf" ]; then
	# keep the kernel we already have as long as its headers are installed
	old=$(. "$CACHE/vmtest.conf" && echo "$KVER")
	if [ -f "$CACHE/kernel-$old/.complete" ] && installed "linux-headers-$old"; then KVER=$old; fi
fi
if [ -z "$KVER" ]; then
	[ -n "$(candidate linux-image-amd64)" ] || apt_update_once
	KVER=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1=="Depends:" && $2 ~ /^linux-image-[0-9]/ {sub(/^linux-image-/, "", $2); print $2; exit}')
	[ -n "$KVER" ] || die "cannot resolve linux-image-amd64 -> linux-image-<abi>-amd64 (apt-cache depends)"
fi
say "kernel ABI: $KVER"

# headers first: the kernel image is then fetched at exactly the same version
if [ "$BPO" != 1 ]; then
	apt_install "linux-headers-$KVER"
	KPKGVER=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER")
fi

# ---- 3. download + extract the kernel image package ------------------------
KDIR=$CACHE/kernel-$KVER
if [ ! -f "$KDIR/.complete" ]; then
	tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	say "downloading linux-image-$KVER=$KPKGVER"
	dl() { (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$1" >&2); }
	if [ "$BPO" = 1 ]; then
		bpo_download "$tmp" || die "downloading $BPO_FILE failed"
	elif ! dl "linux-image-$KVER=$KPKGVER"; then
		apt_update_once
		if ! dl "linux-image-$KVER=$KPKGVER"; then
			# same ABI name => same module ABI/vermagic; any version of it will do
			say "warning: linux-image-$KVER=$KPKGVER not downloadable; trying the candidate version"
			dl "linux-image-$KVER" || die "apt-get download linux-image-$KVER failed"
			KPKGVER=$(dpkg-deb -f "$tmp"/linux-image-*.deb Version)
		fi
	fi
	rm -rf "$KDIR"
	mkdir -p "$tmp/x"
	dpkg -x "$tmp"/linux-image-*.deb "$tmp/x"
	# Debian >= bookworm ships the tree under /lib (merged /usr: maybe /usr/lib)
	[ -d "$tmp/x/lib/modules/$KVER" ] || { [ -d "$tmp/x/usr/lib/modules/$KVER" ] && mkdir -p "$tmp/x/lib" && mv "$tmp/x/usr/lib/modules" "$tmp/x/lib/"; }
	[ -f "$tmp/x/boot/vmlinuz-$KVER" ] || die "no boot/vmlinuz-$KVER in the package"
	"$KMOD_BIN/depmod" -b "$tmp/x" "$KVER" # the .deb has no modules.dep (postinst makes it)
	echo "linux-image-$KVER $KPKGVER" >"$tmp/x/.package"
	mv "$tmp/x" "$KDIR"
	touch "$KDIR/.complete"
	rm -rf "$tmp"
	trap - EXIT
fi
KPKGVER=$(awk '{print $2}' "$KDIR/.package")
KERNEL_BZ=$KDIR/boot/vmlinuz-$KVER
MODDIR=$KDIR/lib/modules/$KVER

# Uncompressed ELF vmlinux for PVH direct boot (qemu -kernel vmlinux): skips the
# firmware's real-mode path and the in-guest XZ decompression, which costs
# ~8 s under TCG. Falls back to the bzImage if the kernel has no CONFIG_PVH.
extract_vmlinux() { # like linux/scripts/extract-vmlinux
	local img=$1 out=$2 magic tool pos
	for magic in $'\xfd7zXZ:xz -dc' $'\x1f\x8b\x08:gzip -dc' $'\x28\xb5\x2f\xfd:zstd -qdc' \
		$'\x02\x21\x4c\x18:lz4 -dc'; do
		tool=${magic#*:} magic=${magic%%:*}
		for pos in $(LC_ALL=C grep -abo -- "$magic" "$img" 2>/dev/null | cut -d: -f1 | head -5); do
			tail -c +$((pos + 1)) "$img" | $tool >"$out.tmp" 2>/dev/null
			if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = 177ELF ]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	return 1
}
KERNEL=$KERNEL_BZ
if grep -qx 'CONFIG_PVH=y' "$KDIR/boot/config-$KVER"; then
	if [ -f "$KDIR/vmlinux" ] || extract_vmlinux "$KERNEL_BZ" "$KDIR/vmlinux"; then
		KERNEL=$KDIR/vmlinux
	else
		say "warning: could not extract vmlinux; booting the bzImage (slower under TCG)"
	fi
fi

# ---- 4. initramfs: static busybox + /init + virtio/9p/overlay modules ------
INIT_SHA=$(sha256sum <"$HERE/guest-init.sh" | cut -d' ' -f1)
old_conf() { [ -r "$CACHE/vmtest.conf" ] && (. "$CACHE/vmtest.conf" && eval "echo \"\${$1:-}\""); }
if [ -f "$CACHE/initramfs.img" ] && [ "$(old_conf INIT_SHA)" = "$INIT_SHA" ] && [ "$(old_conf KVER)" = "$KVER" ]; then
	say "initramfs up to date"
else
st=$(mktemp -d "$CACHE/.initrd.XXXXXX")
trap 'rm -rf "$st"' EXIT
mkdir -p "$st"/{bin,sbin,dev,proc,sys,etc/vmtest,lib/modules/vmtest}
BB=$(dpkg -L busybox-static | grep -E '/bin/busybox$' | head -1)
[ -x "$BB" ] || die "static busybox not found"
cp "$BB" "$st/bin/busybox"
install -m 0755 "$HERE/guest-init.sh" "$st/init"
: >"$st/etc/vmtest/modules.list"
for m in "${INITRD_MODULES[@]}"; do
	"$KMOD_BIN/modprobe" -d "$KDIR" -S "$KVER" --show-depends "$m" ||
		die "module $m not found for $KVER"
done | awk '$1=="insmod" && !seen[$2]++ {print $2}' | while read -r f; do
	b=$(basename "$f")
	case "$b" in
	*.ko) cp "$f" "$st/lib/modules/vmtest/$b" ;;
	*.ko.xz) b=${b%.xz}; xz -dc "$f" >"$st/lib/modules/vmtest/$b" ;;
	*.ko.zst) b=${b%.zst}; zstd -qdc "$f" >"$st/lib/modules/vmtest/$b" ;;
	*.ko.gz) b=${b%.gz}; gzip -dc "$f" >"$st/lib/modules/vmtest/$b" ;;
	*) die "unexpected module file $f" ;;
	esac
	echo "$b" >>"$st/etc/vmtest/modules.list"
done
say "initramfs modules: $(tr '\n' ' ' <"$st/etc/vmtest/modules.list")"
(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | "$st/bin/busybox" cpio -o -H newc -R 0:0 2>/dev/null) |
	gzip -9 >"$CACHE/initramfs.img.tmp"
mv "$CACHE/initramfs.img.tmp" "$CACHE/initramfs.img"
rm -rf "$st"
trap - EXIT
fi

# ---- 5. test module built against the same kernel --------------------------
# built aside and renamed into place: a concurrent run may be loading the old hello.ko
TM=$CACHE/testmod
if [ "$BPO" = 1 ]; then
	say "no test module for the backports kernel (no headers fetched)"
elif [ -f "$TM/hello.ko" ] && cmp -s "$TESTMOD_SRC/hello.c" "$TM/hello.c" &&
	[ "$("$KMOD_BIN/modinfo" -F vermagic "$TM/hello.ko" 2>/dev/null | cut -d' ' -f1)" = "$KVER" ]; then
	say "test module up to date"
else
	tb=$(mktemp -d "$CACHE/.testmod.XXXXXX")
	trap 'rm -rf "$tb"' EXIT
	cp "$TESTMOD_SRC/hello.c" "$TESTMOD_SRC/Kbuild" "$tb/"
	# ("Skipping BTF generation ... unavailability of vmlinux" is harmless)
	make -s -C "/usr/src/linux-headers-$KVER" M="$tb" modules >&2 ||
		die "building the test module failed"
	vm=$("$KMOD_BIN/modinfo" -F vermagic "$tb/hello.ko")
	case "$vm" in "$KVER "*) ;; *) die "hello.ko vermagic '$vm' does not match $KVER" ;; esac
	mkdir -p "$TM"
	for f in hello.c Kbuild hello.ko; do cp "$tb/$f" "$TM/.$f.tmp" && mv -f "$TM/.$f.tmp" "$TM/$f"; done
	rm -rf "$tb"
	trap - EXIT
fi

# ---- 6. config for vm-run.sh ------------------------------------------------
{
	printf 'KVER=%q\n' "$KVER"
	printf 'KPKG=%q\n' "linux-image-$KVER=$KPKGVER"
	printf 'KERNEL=%q\n' "$KERNEL"
	printf 'KERNEL_BZ=%q\n' "$KERNEL_BZ"
	printf 'MODDIR=%q\n' "$MODDIR"
	printf 'INITRD=%q\n' "$CACHE/initramfs.img"
	if [ "$BPO" = 1 ]; then echo "HELLO_KO="; else printf 'HELLO_KO=%q\n' "$TM/hello.ko"; fi
	printf 'INIT_SHA=%q\n' "$INIT_SHA"
	printf 'KMOD_BIN=%q\n' "$KMOD_BIN"
} >"$CACHE/.vmtest.conf.$$"
mv "$CACHE/.vmtest.conf.$$" "$CACHE/vmtest.conf"

say "done: cache $CACHE"
say "  kernel   $KERNEL ($KPKGVER)"
say "  initrd   $CACHE/initramfs.img ($(stat -c %s "$CACHE/initramfs.img") bytes)"
say "  kmod     $KMOD_BIN ($(du -sh "$CACHE" | cut -f1) in $CACHE)"
if [ "$BPO" != 1 ]; then
	say "  module   $TM/hello.ko"
	"$KMOD_BIN/modinfo" "$TM/hello.ko" >&2
fi
