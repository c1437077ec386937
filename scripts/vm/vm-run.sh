#!/bin/bash
# scripts/vm/vm-run.sh: run one command as root inside a throw-away qemu VM that
# boots a real Debian kernel and uses the host's root filesystem (9p, read-only,
# under a tmpfs overlay so it looks writable; those writes are discarded).
# scripts/vm/setup.sh prepares the cache it boots from.
#
#   vm-run.sh [options] -- COMMAND [ARG...]
#
# Options:
#   --timeout S      limit in seconds for one VM run, boot included (default
#                    120). Under TCG (no usable KVM) it is multiplied by
#                    $VMTEST_TCG_FACTOR (default 5).
#   --share DIR      share host DIR read-write at the same path in the guest
#                    (repeatable; alias --scratch). Only shares persist.
#   --cwd DIR        working directory in the guest (default: current dir)
#   --env NAME[=VAL] set NAME in the guest (NAME alone: copy the host value)
#   --mem MB         guest memory (default 2048)
#   --cpus N         guest vCPUs (default: host CPUs, at most 4)
#   --no-kvm         use TCG emulation even if KVM looks usable
#   --kvm            try KVM even if it looks unusable (a guest that does not
#                    boot within $VMTEST_BOOT_TIMEOUT_KVM s falls back to TCG)
#   --append ARGS    extra kernel command line
#   --cache DIR      setup.sh cache (default $VMTEST_CACHE or /var/cache/vmtest)
#   --console FILE   save the guest serial console log to FILE
#   -v, --verbose    stream the console to stderr, print accel and timings
#
# The guest gets a clean environment: PATH, HOME=/root, LANG=C.UTF-8,
# TERM=dumb, VMTEST=1, VMTEST_KVER, plus --env; stdin is /dev/null. When
# setup.sh unpacked kmod privately (KMOD_BIN in vmtest.conf), that directory
# (lsmod, rmmod, modinfo, modprobe, depmod) comes last on PATH.
# The command's stdout/stderr are printed on stdout/stderr when the VM stops.
# Exit status: the command's; 124 = timeout (qemu killed, partial output
# printed); 125 = VM/harness failure before the command ran (details on stderr).
# VMTEST_TIMING=1 prints timings too (like -v, without the console).
set -u -o pipefail

T0=$EPOCHREALTIME
ME=vm-run
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${VMTEST_CACHE:-/var/cache/vmtest}
TIMEOUT=120
MEM=2048
CPUS=$(nproc 2>/dev/null || echo 1)
((CPUS > 4)) && CPUS=4
USE_KVM=auto
VERBOSE=${VMTEST_VERBOSE:-0}
APPEND=""
CONSOLE_KEEP=""
GCWD=$PWD
SHARES=()
ENVS=()

usage() { sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 125; }
err() { echo "$ME: $*" >&2; }
fail() { err "ERROR: $*"; exit 125; }

while (($#)); do
	case "$1" in
	--timeout) TIMEOUT=${2-}; shift 2 || usage ;;
	--share | --scratch) SHARES+=("${2-}"); shift 2 || usage ;;
	--cwd) GCWD=${2-}; shift 2 || usage ;;
	--env) ENVS+=("${2-}"); shift 2 || usage ;;
	--mem) MEM=${2-}; shift 2 || usage ;;
	--cpus) CPUS=${2-}; shift 2 || usage ;;
	--no-kvm) USE_KVM=no; shift ;;
	--kvm) USE_KVM=yes; shift ;;
	--append) APPEND=${2-}; shift 2 || usage ;;
	--cache) CACHE=${2-}; shift 2 || usage ;;
	--console) CONSOLE_KEEP=${2-}; shift 2 || usage ;;
	-v | --verbose) VERBOSE=1; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	*) err "unknown option '$1' (the command must follow --)"; usage ;;
	esac
done
(($#)) || { err "no command given"; usage; }
[[ $TIMEOUT =~ ^[1-9][0-9]*$ && $MEM =~ ^[1-9][0-9]*$ && $CPUS =~ ^[1-9][0-9]*$ ]] ||
	fail "--timeout, --mem and --cpus take positive integers"
((VERBOSE)) && VMTEST_TIMING=1

[ -r "$CACHE/vmtest.conf" ] || fail "$CACHE/vmtest.conf missing: run setup.sh $CACHE first"
# shellcheck source=/dev/null
. "$CACHE/vmtest.conf" # KVER KERNEL KERNEL_BZ INITRD HELLO_KO ...
KERNEL=${VMTEST_KERNEL:-$KERNEL}
INITRD=${VMTEST_INITRD:-$INITRD}
[ -r "$KERNEL" ] && [ -r "$INITRD" ] || fail "kernel/initramfs missing in $CACHE: re-run setup.sh"
if [ -r "$HERE/guest-init.sh" ] && [ "$(sha256sum <"$HERE/guest-init.sh" | cut -d' ' -f1)" != "${INIT_SHA:-}" ]; then
	err "warning: $HERE/guest-init.sh differs from the one in the initramfs (re-run setup.sh)"
fi
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not installed (run setup.sh)"

# ---- accelerator ---------------------------------------------------------------
BOOT_ID=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
KVM_BAD=${TMPDIR:-/tmp}/vmtest-kvm-bad.$(id -u) # holds boot_id when KVM failed to boot a guest
KVM_WHY=""
kvm_usable() {
	if ! [ -c /dev/kvm ] || ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
		KVM_WHY="no read-write /dev/kvm"; return 1
	fi
	if [ -d /sys/module/kvm_pvm ]; then
		# PVM ("pagetable-based VM", used for KVM inside cloud VMs without nested
		# virtualisation) only runs PVM-enabled (PIE) guest kernels; a stock kernel
		# hangs right after the real-mode setup code.
		KVM_WHY="/dev/kvm is provided by kvm_pvm, which cannot run a stock kernel"; return 1
	fi
	if [ "$(cat "$KVM_BAD" 2>/dev/null)" = "$BOOT_ID" ]; then
		KVM_WHY="KVM failed to boot the guest earlier since this host booted ($KVM_BAD)"; return 1
	fi
	if ! echo quit | timeout 20 qemu-system-x86_64 -machine none -accel kvm -nodefaults \
		-display none -monitor stdio >/dev/null 2>&1; then
		KVM_WHY="qemu cannot initialise KVM"; return 1
	fi
}
if [ "$USE_KVM" = auto ]; then
	if kvm_usable; then USE_KVM=yes; else USE_KVM=no; fi
fi
[ -n "$KVM_WHY" ] && ((VERBOSE)) && err "not using KVM: $KVM_WHY"
TCG_FACTOR=${VMTEST_TCG_FACTOR:-5}
# limit for "kernel booted and init reached the control share"
BOOT_KVM=${VMTEST_BOOT_TIMEOUT_KVM:-30}
BOOT_TCG=${VMTEST_BOOT_TIMEOUT_TCG:-120}

# ---- run directory: $RUN/ctl is shared with the guest (tag vmtest_ctl) ---------
RUN=$(mktemp -d "${TMPDIR:-/tmp}/vmtest-run.XXXXXX") || fail "mktemp failed"
CTL=$RUN/ctl
mkdir "$CTL"
QPID=""
TAILPID=""
qemu_pid() { # qemu's own pid (QPID is its `timeout` wrapper), if still running
	local p
	p=$(cat "$RUN/qemu.pid" 2>/dev/null) || return 1
	[[ $p =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = qemu-system-x86 ] && echo "$p"
}
stop_qemu() { # TERM, then KILL after 3 s
	[ -n "$QPID" ] || return 0
	local i qp
	qp=$(qemu_pid)
	kill -TERM "$QPID" $qp 2>/dev/null
	for i in $(seq 30); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.1; done
	qp=$(qemu_pid) && kill -KILL "$qp" 2>/dev/null
	kill -KILL "$QPID" 2>/dev/null
	wait "$QPID" 2>/dev/null
	QPID=""
}
stop_tail() {
	[ -n "$TAILPID" ] || return 0
	sleep 0.2
	kill "$TAILPID" 2>/dev/null
	wait "$TAILPID" 2>/dev/null
	TAILPID=""
}
cleanup() {
	stop_qemu
	stop_tail
	[ -n "$CONSOLE_KEEP" ] && [ -f "$RUN/console.log" ] && cp "$RUN/console.log" "$CONSOLE_KEEP" 2>/dev/null
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'err "interrupted: stopping the VM"; exit 130' INT
trap 'err "terminated: stopping the VM"; exit 143' TERM
trap 'exit 129' HUP

qopt() { printf '%s' "${1//,/,,}"; } # qemu option value: ',' -> ',,'
# passthrough keeps real owners/modes and needs root; "none" works unprivileged
if [ "$(id -u)" = 0 ]; then SECMODEL=passthrough; else SECMODEL=none; fi
FSARGS=(
	-fsdev "local,id=root,path=/,security_model=$SECMODEL,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=root,mount_tag=vmtest_root
	-fsdev "local,id=ctl,path=$(qopt "$CTL"),security_model=$SECMODEL"
	-device virtio-9p-pci,fsdev=ctl,mount_tag=vmtest_ctl
)
printf '%s\n' "${MODDIR:-}" >"$CTL/moddir"
: >"$CTL/shares"
i=0
for d in "${SHARES[@]+"${SHARES[@]}"}"; do
	[ -d "$d" ] || fail "--share '$d': not a directory"
	d=$(cd "$d" && pwd -P) || fail "--share: cannot resolve '$d'"
	[ "$d" != / ] || fail "--share /: not allowed"
	case "$d" in *$'\n'* | *$'\t'*) fail "--share: paths with newline/tab are not supported" ;; esac
	printf 'vmtest_s%d\t%s\n' "$i" "$d" >>"$CTL/shares"
	FSARGS+=(-fsdev "local,id=s$i,path=$(qopt "$d"),security_model=$SECMODEL,multidevs=remap"
		-device "virtio-9p-pci,fsdev=s$i,mount_tag=vmtest_s$i")
	i=$((i + 1))
done

# ---- the command script, run by the host's /bin/bash inside the guest chroot ------
case "$GCWD" in /*) ;; *) GCWD=$PWD/$GCWD ;; esac
{
	echo '#!/bin/bash'
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb VMTEST=1'
	[ -n "${KMOD_BIN:-}" ] && [ -d "$KMOD_BIN" ] && printf 'PATH=$PATH:%q\n' "$KMOD_BIN"
	printf 'export VMTEST_KVER=%q\n' "$KVER"
	for e in "${ENVS[@]+"${ENVS[@]}"}"; do
		if [[ $e == *=* ]]; then n=${e%%=*} v=${e#*=}; else n=$e v=${!e-}; fi
		[[ $n =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || fail "--env '$e': bad name"
		printf 'export %s=%q\n' "$n" "$v"
	done
	printf 'cd -- %q || { echo "vm-run: cannot cd to the working directory in the guest" >&2; exit 125; }\n' "$GCWD"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$CTL/cmd"

# ---- boot --------------------------------------------------------------------------
# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer check can miss its
# ticks and panic ("IO-APIC + timer doesn't work!") before init
CMDLINE="console=ttyS0 panic=-1 quiet loglevel=4 8250.nr_uarts=1 no_timer_check"
((VERBOSE)) && CMDLINE+=" vmtest.debug"
[ -n "$APPEND" ] && CMDLINE+=" $APPEND"
QEMU=(qemu-system-x86_64 -nodefaults -no-user-config -no-reboot -display none -monitor none
	-machine pc -smp "$CPUS" -m "$MEM"
	-kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE"
	-chardev "file,id=con,path=$(qopt "$RUN/console.log")" -serial chardev:con
	"${FSARGS[@]}")

# run_vm kvm|tcg LIMIT BOOTLIMIT: sets RESULT=exited|timeout|noboot, QRC
run_vm() {
	local accel=$1 limit=$2 bootlimit=$3 acc booted=0 t0=$SECONDS
	if [ "$accel" = kvm ]; then acc=(-accel kvm -cpu host); else acc=(-accel tcg -cpu max); fi
	rm -f "$CTL"/{alive,started,stdout,stderr,rc,rc.tmp,init-error} "$RUN/qemu.pid"
	: >"$RUN/console.log"
	((VERBOSE)) && err "booting $KVER with $accel (limit ${limit}s)"
	# the outer `timeout` only matters if this script is SIGKILLed (qemu must not outlive it)
	timeout -k 5 $((limit + 30)) "${QEMU[@]}" "${acc[@]}" -pidfile "$RUN/qemu.pid" \
		</dev/null >"$RUN/qemu.out" 2>&1 &
	QPID=$!
	while kill -0 "$QPID" 2>/dev/null; do
		if ((!booted)); then
			if [ -e "$CTL/alive" ]; then
				booted=1
			elif ((SECONDS - t0 >= bootlimit)); then
				stop_qemu; RESULT=noboot; return
			fi
		fi
		if ((SECONDS - t0 >= limit)); then stop_qemu; RESULT=timeout; return; fi
		sleep 0.05
	done
	wait "$QPID"
	QRC=$?
	QPID=""
	RESULT=exited
}

if ((VERBOSE)); then
	: >"$RUN/console.log"
	tail -n +1 -F "$RUN/console.log" >&2 2>/dev/null &
	TAILPID=$!
fi
QRC=""
ACCEL=tcg
LIMIT=$((TIMEOUT * TCG_FACTOR))
if [ "$USE_KVM" = yes ]; then
	ACCEL=kvm LIMIT=$TIMEOUT
	run_vm kvm "$LIMIT" "$BOOT_KVM"
	if [ "$RESULT" = noboot ]; then
		err "warning: the guest did not boot within ${BOOT_KVM}s under KVM; falling back to TCG (remembered until the host reboots)"
		echo "$BOOT_ID" >"$KVM_BAD" 2>/dev/null
		ACCEL=tcg LIMIT=$((TIMEOUT * TCG_FACTOR))
	fi
fi
if [ "$ACCEL" = tcg ]; then
	run_vm tcg "$LIMIT" "$BOOT_TCG"
	if [ "$RESULT" = noboot ]; then
		err "warning: the guest did not boot within ${BOOT_TCG}s under TCG; retrying once"
		run_vm tcg "$LIMIT" "$BOOT_TCG"
	elif [ "$RESULT" = exited ] && [ ! -e "$CTL/alive" ]; then
		err "warning: the guest stopped before its init ran (qemu exit status $QRC); retrying once:"
		tail -n 3 "$RUN/console.log" >&2
		run_vm tcg "$LIMIT" "$BOOT_TCG"
	fi
fi
T1=$EPOCHREALTIME
stop_tail

# ---- results ----------------------------------------------------------------------
[ -f "$CTL/stdout" ] && cat "$CTL/stdout"
[ -f "$CTL/stderr" ] && cat "$CTL/stderr" >&2

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
if [ -n "${VMTEST_TIMING:-}" ]; then
	msg="accel=$ACCEL total=$(elapsed "$T0" "$T1")s"
	if [ -f "$CTL/started" ]; then
		TS=$(stat -c %.9Y "$CTL/started") # host clock: 9p files get host mtimes
		msg+=" start-to-command=$(elapsed "$T0" "$TS")s"
		[ -f "$CTL/rc" ] && msg+=" command=$(elapsed "$TS" "$(stat -c %.9Y "$CTL/rc")")s"
	fi
	err "timing: $msg"
fi

showlog() {
	((VERBOSE)) && return
	if [ -s "$RUN/qemu.out" ]; then err "---- qemu output ----"; cat "$RUN/qemu.out" >&2; fi
	err "---- guest console (last 30 lines) ----"
	tail -n 30 "$RUN/console.log" >&2
	echo >&2
}
case "$RESULT" in
timeout)
	err "TIMEOUT: VM killed after ${LIMIT}s ($([ -f "$CTL/started" ] && echo 'the command was running' || echo 'before the command started'))"
	showlog
	exit 124
	;;
noboot)
	err "ERROR: the guest did not boot (no sign of life from its init)"
	showlog
	exit 125
	;;
esac
if [ -f "$CTL/rc" ]; then
	RC=$(cat "$CTL/rc")
	[[ $RC =~ ^[0-9]+$ ]] || fail "bad exit status '$RC' from the guest"
	exit "$RC"
fi
[ -f "$CTL/init-error" ] && err "guest init failed: $(cat "$CTL/init-error")"
err "ERROR: the VM stopped (qemu exit status $QRC) without the command's exit status"
showlog
exit 125
