# Sourced by scripts/vm-modmap-test.sh (x86_64) and scripts/vm-modmap-arm64-test.sh after the guest's
# collection is in $S: sections.txt (module section address), kallsyms.txt (the module lines of
# /proc/kallsyms), allsyms.txt (/proc/kallsyms, or the lines of the symbols the modules use),
# modules.txt, release.txt, and for each module of IMAGE_MODULES mem.NAME (its sections' bytes
# read from /proc/kcore) with memidx.NAME.txt ("section size offset-in-mem.NAME" lines).
# Needs: top, S, KVER, MODDIR (the module tree with modules.dep), MODULES (loaded on purpose),
# HELLO (hello or empty: $S/hello.ko), IMAGE_MODULES, OBJCOPY (one that reads the modules),
# CHECKS_NAME (for the last line); PCPU_CHECK=0 when the kernel's kallsyms has no per-cpu symbols.
# Runs the checks, prints PASS/FAIL lines and the summary, and exits 0 only if all passed.
fails=0 n=0 pcpu_modules=""
check() { n=$((n + 1)); if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); return 1; fi; }
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

# (a kernel without CONFIG_KALLSYMS_ALL lists only text symbols: PCPU_CHECK=0)
[ "${PCPU_CHECK:-1}" = 0 ] ||
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
# ftrace, return thunks; .data, this_module and the tables sorted at load change too; arm64's
# .plt, its veneers, is written only by the relocations). Our
# image is one file per allocation (img.core before 6.4, img.text, img.rodata, ... from 6.4);
# where a section lies in it comes from the map at the dummy bases: allocation n at
# (n+1)*0x10000000, the section at its offset there.
units=(core init)
[ "$regions" = 1 ] && units=(text data rodata ro_after_init init_text init_data init_rodata)
for name in $IMAGE_MODULES; do
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
			__ksymtab_strings | .note.Linux | .plt) ;;
		*) continue ;;
		esac
		dummy=$(awk -v s="$sec" '/^Sections:/ { on = 1; next } /^$/ { on = 0 } on && $1 == s { print $3 }' "$S/dummy.$name")
		[ -n "$dummy" ] || { bad="$bad $sec(not in the map)"; continue; }
		unit=${units[$((0x$dummy / 0x10000000 - 1))]} uoff=$((0x$dummy % 0x10000000))
		tail -c +$((off + 1)) "$S/mem.$name" | head -c "$size" >"$S/kern.sec"
		cmp -s <(tail -c +$((uoff + 1)) "$S/img.$unit" | head -c "$size") "$S/kern.sec" || bad="$bad $sec"
		# the relocations mattered: the kernel's bytes are not the file's
		"${OBJCOPY:-objcopy}" -O binary --only-section="$sec" "$S/plain.ko" "$S/file.sec" 2>/dev/null
		cmp -s "$S/file.sec" "$S/kern.sec" || relocated="$relocated $sec"
		nsec=$((nsec + 1))
	done <"$S/memidx.$name.txt"
	check "$name: -O image equals the kernel's memory in all $nsec unpatched sections (relocated:$relocated)" \
		'[ $nsec -gt 0 ] && [ -z "$bad" ] && [ -n "$relocated" ]' || echo "  differ:$bad"
done

echo "### $n checks, $fails failed"
if [ $fails = 0 ]; then echo "$CHECKS_NAME: PASS"; else echo "$CHECKS_NAME: FAIL"; fi
exit $((fails > 0))
