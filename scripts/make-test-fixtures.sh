#!/bin/bash
# Regenerates src/test/resources/modern/: small real modules and the facts the unit tests check
# them against, all produced by tools independent of our code (the kernel build, kmod's modinfo,
# binutils' readelf, xz/zstd/gzip, openssl, the kernel's scripts/sign-file).
# Needs: scripts/vm/setup.sh run once (kernel headers + kbuild, kmod's tools), openssl, binutils.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VMTEST_CACHE:-/var/cache/vmtest}
. "$CACHE/vmtest.conf"
kmod=${KMOD_BIN:+$KMOD_BIN/} # kmod's modinfo/modprobe: the cache's wrappers, else PATH
out=$top/src/test/resources/modern
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$out"

mkdir "$T/hello" "$T/undef"
cp "$top/scripts/vmtest-modules/hello/"{hello.c,Kbuild} "$T/hello/"
cp "$top/scripts/vmtest-modules/undef/"{undef.c,Kbuild} "$T/undef/"
make -s -C "/usr/src/linux-headers-$KVER" M="$T/hello" modules >/dev/null 2>&1
make -s -C "/usr/src/linux-headers-$KVER" M="$T/undef" KBUILD_MODPOST_WARN=1 modules >/dev/null 2>&1
strip --strip-debug -o "$out/hello.ko" "$T/hello/hello.ko"
strip --strip-debug -o "$out/undef.ko" "$T/undef/undef.ko"
xz -c "$out/hello.ko" >"$out/hello.ko.xz"
zstd -q -c "$out/hello.ko" >"$out/hello.ko.zst"
gzip -9 -n -c "$out/hello.ko" >"$out/hello.ko.gz"
cp "$top/testdata/oracle/i386/obj/hello.o" "$out/legacy24-hello.o"

# a signing key and certificate as the kernel build makes them, and a stranger's certificate
cat >"$T/x509.genkey" <<'CNF'
[ req ]
default_bits = 2048
distinguished_name = req_distinguished_name
prompt = no
x509_extensions = myexts
[ req_distinguished_name ]
O = insmod tests
CN = insmod test signing key
[ myexts ]
basicConstraints=critical,CA:FALSE
keyUsage=digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
CNF
openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 -config "$T/x509.genkey" \
	-outform PEM -out "$T/key.pem" -keyout "$T/key.pem" 2>/dev/null
openssl x509 -in "$T/key.pem" -outform DER -out "$out/signing-cert.der"
openssl req -new -nodes -newkey rsa:2048 -sha256 -days 36500 -batch -x509 -subj "/CN=someone else" \
	-out "$out/other-cert.pem" -keyout "$T/other.pem" 2>/dev/null
cp "$out/hello.ko" "$out/hello-signed.ko"
/usr/lib/linux-kbuild-${KVER%%-*}*/scripts/sign-file sha256 "$T/key.pem" "$out/signing-cert.der" "$out/hello-signed.ko" 2>/dev/null ||
	"/usr/src/linux-headers-$KVER/scripts/sign-file" sha256 "$T/key.pem" "$out/signing-cert.der" "$out/hello-signed.ko"

{
	echo "# facts from modinfo (kmod), readelf (binutils) and openssl; regenerate with scripts/make-test-fixtures.sh"
	echo "hello.name=$("${kmod}modinfo" -F name "$out/hello.ko")"
	echo "hello.vermagic=$("${kmod}modinfo" -F vermagic "$out/hello.ko")"
	echo "hello.size=$(stat -c %s "$out/hello.ko")"
	echo "hello.machine=$(readelf -h "$out/hello.ko" | awk -F: '/Machine:/ {gsub(/^ +/, "", $2); print $2}')"
	echo "hello.module_layout.crc=$(readelf -x __versions "$out/hello.ko" >/dev/null 2>&1 && "${kmod}modprobe" --dump-modversions "$out/hello.ko" | awk '$2=="module_layout" {print $1}')"
	echo "undef.undefined=$(readelf -sW "$out/undef.ko" | awk '$7=="UND" && $5=="GLOBAL" && $8!="" {print $8}' | sort | paste -sd,)"
	echo "signed.signer=$("${kmod}modinfo" -F signer "$out/hello-signed.ko")"
	echo "signed.sig_key=$("${kmod}modinfo" -F sig_key "$out/hello-signed.ko")"
	echo "signed.sig_hashalgo=$("${kmod}modinfo" -F sig_hashalgo "$out/hello-signed.ko")"
	echo "signed.serial=$(openssl x509 -inform DER -in "$out/signing-cert.der" -noout -serial | cut -d= -f2)"
	echo "signed.unsigned_size=$(stat -c %s "$out/hello.ko")"
	echo "legacy24.kernel_version=$(strings -a "$out/legacy24-hello.o" | sed -n 's/^kernel_version=//p' | head -1)"
} >"$out/expected.properties"
cat "$out/expected.properties"
