#!/bin/bash
# Real 2.4 kernels under qemu-system-i386 (TCG), driven from this host through the insmod agent
# on a qemu serial port that is a TCP socket on 127.0.0.1.
#
#   scripts/vm-legacy-test.sh            all checks; exit 0 only when every one holds
#
# Exit status: 0 all checks passed; 1 a check failed; 3 the agent checks passed but bin/insmod
# (with --target) is not available yet, so the module loads were not run; 77 skipped
# (qemu/genext2fs/cross compiler missing).
#
# The kernels and modules are in testdata/legacy-kernels and testdata/corpus-i386 (GPL copies
# from the shared corpus; see their READMEs).
#
# Environment: KEEP=1 keeps the work directory, VM_TIMEOUT (seconds to wait for the agent after
# boot, default 120).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K18_DIR=$ROOT/testdata/corpus-i386/2.4.18-14custom
K27_DIR=$ROOT/testdata/legacy-kernels/2.4.27-aks
K18=$ROOT/testdata/legacy-kernels/2.4.18-14custom/bzImage
K27=$K27_DIR/bzImage
VM_TIMEOUT=${VM_TIMEOUT:-120}
WORK=$(mktemp -d /tmp/vm-legacy.XXXXXX)
QEMU_PID=
FAILED=0
START=$(date +%s)

say() { printf '%s\n' "$*"; }
pass() { say "PASS: $*"; }
fail() { say "FAIL: $*"; FAILED=1; }
skip() { say "SKIP: $*"; exit 77; }

cleanup() {
    [ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null && wait "$QEMU_PID" 2>/dev/null
    if [ "${KEEP:-0}" = 1 ]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$K18" ] && [ -f "$K27" ] || { fail "kernel images missing from testdata/legacy-kernels"; exit 1; }
for t in qemu-system-i386 genext2fs i686-linux-gnu-gcc make java; do
    command -v "$t" >/dev/null || skip "$t not installed (scripts/test-all --install, as root, installs qemu-system-x86, genext2fs, gcc-i686-linux-gnu)"
done

# ---- build: agent, Java classes, initrd ----
make -s -C "$ROOT/agent" || { fail "agent build"; exit 1; }
AGENT=$ROOT/agent/build/insmod-agent-i386
if [ ! -d "$ROOT/target/classes/org/modutils/insmod/kernel/remote" ] || \
   [ -n "$(find "$ROOT/src/main" -newer "$ROOT/target/classes" -name '*.java' -print -quit 2>/dev/null)" ]; then
    (cd "$ROOT" && mvn -q -o compile 2>/dev/null || mvn -q compile) || { fail "Java build"; exit 1; }
fi
CTL=(java -cp "$ROOT/target/classes" org.modutils.insmod.kernel.remote.AgentCtl)
# The fault drills (abandon, cut, hang) are test code.
FAULTS=(java -cp "$ROOT/target/classes:$ROOT/target/test-classes" org.modutils.insmod.kernel.remote.AgentFaults)
"$ROOT/scripts/mk-legacy-initrd.sh" "$AGENT" "$WORK/initrd.img" >/dev/null || { fail "initrd build"; exit 1; }
pass "built agent ($(stat -c %s "$AGENT") bytes, static, no libc) and ext2 initrd"

# Does bin/insmod exist and know --target? Otherwise the module loads wait for the linker.
INSMOD=$ROOT/bin/insmod
HAVE_INSMOD=0
if [ -x "$INSMOD" ] && "$INSMOD" --help-all 2>&1 | grep -q -- "--target"; then HAVE_INSMOD=1; fi

free_port() {
    local p
    for p in $(seq $((20000 + RANDOM % 20000)) 1 45000); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

# boot NAME BZIMAGE QEMU_DEVICE_ARGS...   (SERIAL=pty: the agent's port is a host pty instead)
boot() {
    local name=$1 kernel=$2 chardev; shift 2
    PORT=$(free_port)
    TARGET=tcp:127.0.0.1:$PORT
    chardev="tcp:127.0.0.1:$PORT,server=on,wait=off"
    [ "${SERIAL:-tcp}" = pty ] && chardev=pty
    CONSOLE=$WORK/$name.console
    : > "$CONSOLE"
    timeout $((VM_TIMEOUT + 400)) qemu-system-i386 -machine pc -m 128 -nodefaults -no-reboot \
        -display none -monitor none -kernel "$kernel" -initrd "$WORK/initrd.img" \
        -append "root=/dev/ram0 rw console=ttyS0 init=/sbin/init agent_tty=/dev/ttyS1 agent_idle=30" \
        -serial "file:$CONSOLE" -serial "$chardev" \
        -nic none "$@" >"$WORK/$name.qemu.err" 2>&1 &
    QEMU_PID=$!
    local t0 i
    t0=$(date +%s)
    for ((i = 0; i < VM_TIMEOUT * 2; i++)); do
        grep -q 'insmod-agent: serving on' "$CONSOLE" && break
        kill -0 "$QEMU_PID" 2>/dev/null || break
        sleep 0.5
    done
    if [ "${SERIAL:-tcp}" = pty ]; then
        TARGET=$(grep -o '/dev/pts/[0-9]*' "$WORK/$name.qemu.err" | head -1),115200
    fi
    if ! grep -q 'insmod-agent: serving on' "$CONSOLE"; then
        fail "$name: the agent did not come up (console tail follows)"
        tail -20 "$CONSOLE"; cat "$WORK/$name.qemu.err"
        return 1
    fi
    pass "$name: booted to the agent in $(($(date +%s) - t0)) s; agent on $TARGET"
}

halt_vm() {
    [ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null && wait "$QEMU_PID" 2>/dev/null
    QEMU_PID=
}

ctl() { "${CTL[@]}" "$TARGET" "$@"; }

# proc_has FILE REGEX: the target's file has a line matching REGEX
proc_has() { ctl cat "$1" 2>/dev/null | grep -Eq "$2"; }

agent_checks() {
    local name=$1 release=$2 out
    out=$(ctl info 2>&1)
    if grep -q "kernel:  Linux $release" <<<"$out" && grep -q 'query_module present' <<<"$out"; then
        pass "$name: uname through the agent: $(grep kernel: <<<"$out" | cut -c10-)"
    else
        fail "$name: info: $out"
    fi
    ctl cat /proc/ksyms > "$WORK/$name.ksyms" 2>"$WORK/$name.err"
    local n
    n=$(wc -l < "$WORK/$name.ksyms")
    if [ "$n" -gt 1000 ] && grep -Eq '^[0-9a-f]{8} printk_R[0-9a-f]{8}$' "$WORK/$name.ksyms"; then
        pass "$name: read /proc/ksyms ($n lines, $(stat -c %s "$WORK/$name.ksyms") bytes)"
    else
        fail "$name: /proc/ksyms: $n lines; $(cat "$WORK/$name.err")"
    fi
    out=$(ctl modules 2>&1)
    local qk
    qk=$(sed -n 's/^kernel: \([0-9]*\) symbols$/\1/p' <<<"$out")
    if [ -n "$qk" ] && [ "$qk" -gt 1000 ] && [ "$qk" -eq "$n" ]; then
        pass "$name: query_module(QM_SYMBOLS) lists the same $qk kernel symbols as /proc/ksyms"
    else
        fail "$name: query_module: '$out' vs $n /proc/ksyms lines"
    fi
    out=$(ctl selftest agtest 2>&1)
    if grep -q 'selftest passed' <<<"$out"; then
        pass "$name: create_module/init_module/delete_module of a bare struct module: $(grep -o 'create_module.*' <<<"$out" | head -1)"
    else
        fail "$name: selftest: $out"
    fi
    out=$("${FAULTS[@]}" "$TARGET" cut agcut 2>&1)
    if grep -q 'agcut is not in /proc/modules' <<<"$out"; then
        pass "$name: link cut mid-transfer: insmod side reported '$(sed -n 's/^load failed as expected: //p' <<<"$out" | cut -c1-150)...' and deleted the module after reconnecting"
    else
        fail "$name: cut: $out"
    fi
    # An insmod killed mid-transfer: nobody on the host cleans up; the agent's idle timer must.
    "${FAULTS[@]}" "$TARGET" abandon agkill --idle 4 > "$WORK/$name.abandon" 2>&1 &
    local apid=$! i
    for ((i = 0; i < 60; i++)); do grep -q created "$WORK/$name.abandon" && break; sleep 0.5; done
    kill -9 "$apid" 2>/dev/null; wait "$apid" 2>/dev/null
    local before after
    before=$(ctl cat /proc/modules 2>&1 | grep -c '^agkill ')
    # The agent deletes it after 4 s without a frame. Every look (ctl) is a frame and restarts
    # that clock, so each look follows a silence longer than the limit; under emulation on a
    # loaded host the timer can fire late, hence up to four silences (seen after the first
    # on an idle host).
    for ((i = 0; i < 4; i++)); do
        sleep $((6 + 2 * i))
        after=$(ctl cat /proc/modules 2>&1 | grep -c '^agkill ')
        [ "$after" = 0 ] && break
    done
    if [ "$before" = 1 ] && [ "$after" = 0 ] && grep -q 'link idle: deleted half-created module agkill' "$CONSOLE"; then
        pass "$name: insmod killed mid-transfer: module listed uninitialised, then deleted by the agent ('$(grep -o 'insmod-agent: link idle.*agkill' "$CONSOLE" | head -1)')"
    else
        fail "$name: abandoned module: listed before=$before after=$after; $(cat "$WORK/$name.abandon")"
    fi
    # An insmod interrupted (SIGTERM) between create_module and init_module deletes the module itself.
    "${FAULTS[@]}" "$TARGET" hang agint > "$WORK/$name.hang" 2>&1 &
    apid=$!
    for ((i = 0; i < 60; i++)); do grep -q created "$WORK/$name.hang" && break; sleep 0.5; done
    kill -TERM "$apid" 2>/dev/null; wait "$apid" 2>/dev/null
    after=$(ctl cat /proc/modules 2>&1 | grep -c '^agint ')
    if [ "$after" = 0 ] && grep -q 'interrupted: deleted the half-created module agint' "$WORK/$name.hang"; then
        pass "$name: insmod interrupted after create_module: '$(grep -o 'interrupted: deleted.*' "$WORK/$name.hang")'"
    else
        fail "$name: interrupted load: agint listed $after times; $(cat "$WORK/$name.hang")"
    fi
    # ksymoops snapshot directory, written through the agent.
    local ts
    ts=$(date -u +%Y%m%d%H%M%S)
    # (one client at a time on the line: no pipes between two ctl runs)
    if ctl isdir /var/log/ksymoops >/dev/null && ctl cat /proc/modules > "$WORK/$name.modules" &&
       ctl write "/var/log/ksymoops/$ts.ksyms" < "$WORK/$name.ksyms" &&
       ctl write "/var/log/ksymoops/$ts.modules" < "$WORK/$name.modules" &&
       ctl cat "/var/log/ksymoops/$ts.ksyms" | cmp -s - "$WORK/$name.ksyms"; then
        pass "$name: /var/log/ksymoops/$ts.ksyms and .modules written through the agent and read back"
    else
        fail "$name: snapshot write to /var/log/ksymoops"
    fi
}

# ---- module loads with the real insmod (needs the linker) ----

# load NAME MODULE_PATH: bin/insmod --target -m, map kept for the checks
load() {
    local name=$1 mod=$2 base
    base=$(basename "$mod" .o)
    if "$INSMOD" --target="$TARGET" -m "$mod" > "$WORK/$name.$base.map" 2> "$WORK/$name.$base.err"; then
        pass "$name: insmod --target -m $base.o"
    else
        fail "$name: insmod $base.o: $(cat "$WORK/$name.$base.err")"
        return 1
    fi
    check_map "$name" "$base"
}

# The -m map: section addresses in the module area (>= the struct module address from
# query_module), and every symbol the module exports at the address /proc/ksyms shows.
check_map() {
    local name=$1 mod=$2 map=$WORK/$1.$2.map addr bad=0 s
    addr=$(ctl modules 2>/dev/null | awk -v m="$mod" '$1 == m { print $2 }')
    if [ -z "$addr" ]; then fail "$name: $mod not seen by query_module after the load"; return; fi
    local this
    this=$(awk '$1 == ".this" { print $3 }' "$map")
    if [ "$this" = "$addr" ] && [ $((16#$addr)) -ge $((16#c0000000)) ]; then
        pass "$name: $mod map: .this at 0x$this = the struct module address query_module reports (kernel module area)"
    else
        fail "$name: $mod map .this '$this' vs query_module '$addr'"
    fi
    ctl cat /proc/ksyms > "$WORK/$name.$mod.ksyms"
    awk -v m="[$mod]" '$3 == m { print $1, $2 }' "$WORK/$name.$mod.ksyms" > "$WORK/$name.$mod.exports"
    local n=0
    while read -r val sym; do
        case $sym in __insmod_*) continue ;; esac
        n=$((n + 1))
        s=${sym%_R????????}; s=${s#GPLONLY_}
        grep -Eq "^$val [A-Za-z] ($sym|$s)\$" "$map" || { bad=1; say "  $sym at $val in /proc/ksyms, map says: $(grep -E " ($sym|$s)\$" "$map")"; }
    done < "$WORK/$name.$mod.exports"
    if [ "$bad" = 0 ]; then pass "$name: $mod map agrees with /proc/ksyms for its $n exported symbols"; else fail "$name: $mod map disagrees with /proc/ksyms"; fi
}

show_target() {
    local name=$1
    say "---- $name: /proc/modules ----"; ctl cat /proc/modules
    say "---- $name: /proc/filesystems ----"; ctl cat /proc/filesystems
    say "---- $name: /proc/net/dev ----"; ctl cat /proc/net/dev
}

# ---- 2.4.18 ----
if boot k2418 "$K18" -device e1000; then
    agent_checks k2418 '2.4.18-14custom'
    if [ "$HAVE_INSMOD" = 1 ]; then
        load k2418 "$K18_DIR/fs/jbd/jbd.o"
        load k2418 "$K18_DIR/fs/ext3/ext3.o"
        load k2418 "$K18_DIR/fs/cramfs/cramfs.o"
        load k2418 "$K18_DIR/drivers/net/e1000/e1000.o"
        proc_has /proc/modules '^jbd .*\[ext3\]' && pass "k2418: /proc/modules: jbd used by ext3" || fail "k2418: jbd not listed as used by ext3"
        proc_has /proc/filesystems 'ext3$' && proc_has /proc/filesystems 'cramfs$' && pass "k2418: /proc/filesystems has ext3 and cramfs" || fail "k2418: ext3/cramfs missing from /proc/filesystems"
        ctl dmesg | grep -E 'eth[0-9]: Intel\(R\) PRO/1000' && pass "k2418: e1000 probed the emulated card" || fail "k2418: no e1000 probe in the kernel log"
    fi
    show_target k2418
    halt_vm
fi

# ---- 2.4.27 ----
if boot k2427 "$K27" -device rtl8139 -device ne2k_pci; then
    agent_checks k2427 '2.4.27'
    if [ "$HAVE_INSMOD" = 1 ]; then
        load k2427 "$K27_DIR/drivers/net/mii.o"
        load k2427 "$K27_DIR/lib/crc32.o"
        load k2427 "$K27_DIR/drivers/net/8139too.o"
        load k2427 "$K27_DIR/drivers/net/8390.o"
        load k2427 "$K27_DIR/drivers/net/ne2k-pci.o"
        proc_has /proc/modules '^mii .*\[8139too\]' && pass "k2427: mii used by 8139too" || fail "k2427: mii not listed as used by 8139too"
        proc_has /proc/modules '^8390 .*\[ne2k-pci\]' && pass "k2427: 8390 used by ne2k-pci" || fail "k2427: 8390 not listed as used by ne2k-pci"
        ctl dmesg | grep -Ei 'RTL8139|8139too' | grep -Ei 'eth[0-9]' && pass "k2427: 8139too probed the emulated card" || fail "k2427: no 8139too probe in the kernel log"
        ctl dmesg | grep -Ei 'ne2k-pci|RTL-8029' | grep -Ei 'eth[0-9]' && pass "k2427: ne2k-pci probed the emulated card" || fail "k2427: no ne2k-pci probe in the kernel log"
    fi
    show_target k2427
    halt_vm
fi

# ---- the serial-device form of --target: the agent's port as a host pty ----
if SERIAL=pty boot k2418-pty "$K18"; then
    out=$(ctl selftest agpty 2>&1)
    if grep -q 'selftest passed' <<<"$out"; then
        pass "k2418-pty: target $TARGET (stty raw): uname, query_module, create/init/delete_module over the serial-device path"
    else
        fail "k2418-pty: $out"
    fi
    halt_vm
fi

say "elapsed: $(($(date +%s) - START)) s"
if [ "$FAILED" != 0 ]; then say "RESULT: FAILED"; exit 1; fi
if [ "$HAVE_INSMOD" != 1 ]; then
    say "RESULT: agent checks passed on both kernels; linker not available yet ($INSMOD missing or without --target): module loads not run"
    exit 3
fi
say "RESULT: all checks passed"
exit 0
