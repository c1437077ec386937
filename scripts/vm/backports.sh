# Sourced by setup.sh when VMTEST_BPO=1: the newest amd64 kernel of Debian bookworm-backports
# (6.4 or later, the module memory regions), fetched without adding a source to apt.
# Trust chain: InRelease checked by gpgv against the Debian archive keyring; Packages.xz against
# the SHA256 InRelease gives; the .deb against the SHA256 the index gives (apt-helper checks both).
# Uses CACHE, say, die from setup.sh; sets KVER, KPKGVER, BPO_FILE, BPO_SHA256.

BPO_MIRROR=${VMTEST_BPO_MIRROR:-http://deb.debian.org/debian}
BPO_SUITE=bookworm-backports

bpo_choose() {
	# a kernel already unpacked here is kept: no network
	if [ -z "${VMTEST_KVER:-}" ] && [ -r "$CACHE/vmtest.conf" ]; then
		local old
		old=$(. "$CACHE/vmtest.conf" && echo "$KVER")
		if [ -f "$CACHE/kernel-$old/.complete" ]; then
			KVER=$old KPKGVER=$(awk '{print $2}' "$CACHE/kernel-$old/.package") BPO_FILE="" BPO_SHA256=""
			return 0
		fi
	fi
	local d=$CACHE/.bpo-index
	rm -rf "$d" && mkdir -p "$d"
	local helper=/usr/lib/apt/apt-helper
	say "fetching the $BPO_SUITE index from $BPO_MIRROR"
	"$helper" -o APT::Sandbox::User=root download-file "$BPO_MIRROR/dists/$BPO_SUITE/InRelease" "$d/InRelease" >&2 ||
		die "cannot fetch $BPO_SUITE's InRelease"
	gpgv --keyring /usr/share/keyrings/debian-archive-keyring.gpg --output "$d/Release" "$d/InRelease" 2>"$d/gpgv.log" ||
		{ cat "$d/gpgv.log" >&2; die "InRelease of $BPO_SUITE: bad signature"; }
	local idx=main/binary-amd64/Packages.xz sha
	sha=$(awk -v f="$idx" '/^SHA256:/ { s = 1; next } /^[A-Za-z]/ { s = 0 } s && $3 == f { print $1; exit }' "$d/Release")
	[ -n "$sha" ] || die "InRelease of $BPO_SUITE names no $idx"
	"$helper" -o APT::Sandbox::User=root download-file "$BPO_MIRROR/dists/$BPO_SUITE/$idx" "$d/Packages.xz" "SHA256:$sha" >&2 ||
		die "cannot fetch $idx of $BPO_SUITE (or its SHA256 differs)"
	# the newest linux-image-<abi>-amd64-unsigned (not cloud, not rt)
	local pick
	pick=$(xz -dc "$d/Packages.xz" | awk '
		/^Package: / { p = $2 } /^Version: / { v = $2 } /^Filename: / { f = $2 } /^SHA256: / { s = $2 }
		/^$/ { if (p ~ /^linux-image-[0-9.]+\+deb12-amd64-unsigned$/) print v, p, f, s; p = "" }' |
		sort -V | tail -n 1)
	[ -n "$pick" ] || die "no linux-image-*-amd64-unsigned in $BPO_SUITE"
	read -r KPKGVER KVER BPO_FILE BPO_SHA256 <<<"$pick"
	KVER=${KVER#linux-image-}
	KVER=${KVER%-unsigned}
	case $KVER in 6.[4-9]* | 6.[1-9][0-9]* | [7-9].*) ;; *) die "backports kernel $KVER is older than 6.4" ;; esac
	rm -rf "$d"
}

bpo_download() { # DIR: the package into DIR, checked
	[ -n "$BPO_FILE" ] || return 1
	say "downloading $BPO_FILE (~105 MB)"
	/usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$BPO_MIRROR/$BPO_FILE" "$1/${BPO_FILE##*/}" "SHA256:$BPO_SHA256" >&2
}
