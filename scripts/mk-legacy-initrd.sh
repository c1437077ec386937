#!/bin/sh
# Builds the ext2 initrd for a 2.4 target (the 2.4 kernels load a filesystem
# image as initrd, not a cpio archive): the insmod agent as /sbin/init, the
# device nodes it needs, /proc, /tmp and /var/log/ksymoops. Needs no root
# (genext2fs writes the device nodes from a table).
#   mk-legacy-initrd.sh AGENT_BINARY OUTPUT_IMAGE
set -eu
agent=$1 out=$2
command -v genext2fs >/dev/null || { echo "mk-legacy-initrd: genext2fs missing (apt-get install genext2fs)" >&2; exit 1; }
[ -x "$agent" ] || { echo "mk-legacy-initrd: no agent binary at $agent" >&2; exit 1; }
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/sbin" "$tree/proc" "$tree/tmp" "$tree/var/log/ksymoops" "$tree/dev"
cp "$agent" "$tree/sbin/init"
chmod 755 "$tree/sbin/init"
cat > "$tree/devices.tab" <<'TAB'
# name          type mode uid gid major minor start inc count
/dev/console    c    600  0   0   5     1     -     -   -
/dev/null       c    666  0   0   1     3     -     -   -
/dev/kmem       c    640  0   0   1     2     -     -   -
/dev/ttyS0      c    660  0   0   4     64    -     -   -
/dev/ttyS1      c    660  0   0   4     65    -     -   -
/dev/ttyS2      c    660  0   0   4     66    -     -   -
/dev/ttyS3      c    660  0   0   4     67    -     -   -
TAB
mv "$tree/devices.tab" "$tree.tab"
# 2048 KiB, 64 inodes: far below the 2.4.18 kernel's 4096 KiB ramdisk.
genext2fs -b 2048 -N 64 -U -d "$tree" -D "$tree.tab" "$out"
rm -f "$tree.tab"
