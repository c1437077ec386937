#!/bin/sh
# /init of the arm64 guest of scripts/vm-modmap-arm64-test.sh (busybox sh; no other userspace):
# loads /m/NAME.ko in the order of /m/order with busybox insmod, collects what the host checks
# into /out and writes it to the console as a uuencoded tar.gz between two marker lines:
#   sections.txt  "module section address" for every section in /sys/module/NAME/sections
#   kallsyms.txt  the module lines of /proc/kallsyms (kptr_restrict 0: real addresses)
#   allsyms.txt   the lines of /proc/kallsyms of the symbols named in /m/want
#   modules.txt, release.txt, insmod.txt (what insmod said)
#   mem.NAME, memidx.NAME.txt  for the "NAME section size" lines of /m/sizes: the section's
#                 bytes as the kernel holds them, read from /proc/kcore at the file offset its
#                 program headers give for the section's address; "section size offset" lines
# then powers off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
O=/out
mkdir -p $O /tmp
echo 0 >/proc/sys/kernel/kptr_restrict
while read -r m; do
	insmod "/m/$m.ko" >>$O/insmod.txt 2>&1 || echo "insmod $m failed" >>$O/insmod.txt
done </m/order
while read -r name _; do
	for f in /sys/module/$name/sections/.* /sys/module/$name/sections/*; do
		[ -f "$f" ] || continue
		echo "$name ${f##*/} $(cat "$f")" # (not read: sysfs gives nothing to its 1-byte reads)
	done
done </proc/modules >$O/sections.txt
grep -F '[' /proc/kallsyms >$O/kallsyms.txt
awk 'NR == FNR { w[$1] = 1; next } $3 in w' /m/want /proc/kallsyms >$O/allsyms.txt
cp /proc/modules $O/modules.txt
uname -r >$O/release.txt

# /proc/kcore: an ELF core file; PT_LOAD program headers map kernel addresses to file offsets
K=/proc/kcore
hex() { od -An -tx"$2" -j "$1" -N "$2" $K | tr -d ' \n'; }
phoff=$((0x$(hex 32 8))) phent=$((0x$(hex 54 2))) phnum=$((0x$(hex 56 2)))
i=0
while [ $i -lt "$phnum" ]; do
	b=$((phoff + i * phent))
	[ "$(hex $b 4)" = 00000001 ] && echo "$((0x$(hex $((b + 8)) 8))) $((0x$(hex $((b + 16)) 8))) $((0x$(hex $((b + 40)) 8)))"
	i=$((i + 1))
done >/tmp/load
while read -r m sec size; do
	[ -f "/sys/module/$m/sections/$sec" ] || continue
	a=$(($(cat "/sys/module/$m/sections/$sec")))
	while read -r off va msz; do
		d=$((a - va))
		if [ $d -ge 0 ] && [ $((d + size)) -le "$msz" ]; then
			have=$(wc -c <$O/mem.$m 2>/dev/null || echo 0)
			dd if=$K bs=4096 skip=$((off + d)) count="$size" iflag=skip_bytes,count_bytes 2>/dev/null >>$O/mem.$m
			echo "$sec $size $have" >>$O/memidx.$m.txt
			break
		fi
	done </tmp/load
done </m/sizes

echo "@@MODMAP-BEGIN"
tar -C $O -cf - . | gzip -9 | uuencode -m out.tar.gz
echo "@@MODMAP-END"
poweroff -f
