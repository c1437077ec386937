# Sourced by the real-kernel checks (scripts/vm-*-test.sh) after they set `name` (their own name,
# e.g. vm-modern-test), `top`, `VMTEST`, `CACHE`, say() and conf_ok() (what their VM cache must
# hold). Optional: FAIL_LINE, echoed on stdout before a failing exit.

# The VM cache: checked, set up when VMTEST_SETUP=1 asks for it, else exit 77 (SKIP); then its
# vmtest.conf is read into the caller's shell.
vm_prepare_cache() {
	if ! conf_ok; then
		if [ "${VMTEST_SETUP:-0}" != 1 ]; then
			if [ "${VMTEST_BPO:-0}" = 1 ]; then
				echo "$name: SKIP: the backports kernel's VM cache $CACHE is not set up; VMTEST_BPO=1" \
					"scripts/vm/setup.sh (as root) does it: a 105 MB kernel download, ~180 MB in $CACHE" \
					"(scripts/test-all --install runs it)"
			else
				echo "$name: SKIP: the VM cache $CACHE is not set up; scripts/vm/setup.sh (as root) does it:" \
					"apt-get install qemu-system-x86, busybox-static, linux-headers, ...; a 70 MB kernel download;" \
					"~440 MB in $CACHE (scripts/test-all --install runs it)"
			fi
			exit 77
		fi
		say "setting up the VM cache: $VMTEST/setup.sh $CACHE"
		"$VMTEST/setup.sh" "$CACHE" >&2 || vm_fail "vmtest setup failed"
	fi
	. "$CACHE/vmtest.conf"
}

# Our jar, built when it is missing or older than the sources.
vm_build_jar() {
	jar=$top/target/insmod.jar
	if [ ! -f "$jar" ] || [ -n "$(find "$top/src/main" "$top/pom.xml" -newer "$jar" -print -quit)" ]; then
		say "building $jar"
		(cd "$top" && mvn -q -DskipTests package) >&2 || vm_fail "build failed"
	fi
}

vm_fail() {
	say "$1"
	[ -z "${FAIL_LINE:-}" ] || echo "$FAIL_LINE"
	exit 1
}
