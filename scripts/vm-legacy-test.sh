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
# boot, default 120), ONLY=k2418|k2427|k2418-pty runs that boot alone.
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
    if [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ]; then say "SKIP: $name (ONLY=$ONLY)"; return 1; fi
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
    if ! grep -q 'insmod-agent: serving on' "$CONSOLE" && grep -q 'Kernel panic' "$CONSOLE" && [ -z "${RETRIED:-}" ]; then
        # Under heavy host load TCG can miss the kernel's early timer check ("IO-APIC + timer
        # doesn't work!"): boot once more before calling it a failure.
        say "NOTE: $name: kernel panic while booting ($(grep -m1 'Kernel panic' "$CONSOLE")); booting again"
        halt_vm
        RETRIED=1 boot "$name" "$kernel" "$@"
        return
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
    # A session's idle limit lasts until the next greeting, so each look asks for 4 s again.
    before=$(ctl cat /proc/modules --idle 4 2>&1 | grep -c '^agkill ')
    # The agent deletes it after 4 s without a frame. Every look (ctl) is a frame and restarts
    # that clock, so each look follows a silence longer than the limit; under emulation on a
    # loaded host the timer can fire late, hence up to four silences (seen after the first
    # on an idle host).
    for ((i = 0; i < 4; i++)); do
        sleep $((6 + 2 * i))
        after=$(ctl cat /proc/modules --idle 4 2>&1 | grep -c '^agkill ')
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

# load NAME MODULE_PATH [INSMOD_OPTIONS]: bin/insmod --target -m, map kept for the checks
load() {
    local name=$1 mod=$2 base
    shift 2
    base=$(basename "$mod" .o)
    if "$INSMOD" --target="$TARGET" -m "$@" "$mod" > "$WORK/$name.$base.map" 2> "$WORK/$name.$base.err"; then
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


# ---- the rest of the family (bin/lsmod, bin/ksyms, bin/rmmod) against the target's /proc ----
RMMOD=$ROOT/bin/rmmod LSMOD=$ROOT/bin/lsmod KSYMS=$ROOT/bin/ksyms
HAVE_FAMILY=0
if [ -x "$KSYMS" ] && "$KSYMS" -H 2>&1 | grep -q noheader; then HAVE_FAMILY=1; fi

# lsmod_check NAME: the header's taint state is /proc/sys/kernel/tainted's; every module line is
# the /proc/modules line with the one extra blank modutils' lsmod printed after the use count.
lsmod_check() {
    local name=$1 t hdr
    "$LSMOD" --target="$TARGET" > "$WORK/$name.lsmod" 2> "$WORK/$name.lsmod.err" || { fail "$name: lsmod: $(cat "$WORK/$name.lsmod.err")"; return; }
    ctl cat /proc/modules > "$WORK/$name.procmodules"
    t=$(ctl cat /proc/sys/kernel/tainted 2>/dev/null | tr -d '\n')
    hdr='Module                  Size  Used by    Not tainted'
    [ "$t" != 0 ] && hdr="Module                  Size  Used by    Tainted: $( ((t & 1)) && echo P || echo G)$( ((t & 2)) && echo F || echo ' ')$( ((t & 4)) && echo S || echo ' ')"
    if [ "$(head -1 "$WORK/$name.lsmod")" = "$hdr" ] &&
       tail -n +2 "$WORK/$name.lsmod" | sed -E 's/^(.{32}) /\1/' | cmp -s - "$WORK/$name.procmodules"; then
        pass "$name: lsmod agrees with /proc/modules ($(($(wc -l < "$WORK/$name.lsmod") - 1)) modules, tainted=$t): '$(sed -n 2p "$WORK/$name.lsmod")'"
    else
        fail "$name: lsmod vs /proc/modules:"; cat "$WORK/$name.lsmod"; say "--"; cat "$WORK/$name.procmodules"
    fi
}

# ksyms_check NAME: ksyms -a lists exactly /proc/ksyms (same order, values, names, modules);
# the header is modutils'; ksyms -m gives each module's query_module address and size in KiB.
ksyms_check() {
    local name=$1 bad=0 m addr size k
    "$KSYMS" --target="$TARGET" -a > "$WORK/$name.ksyms-a" 2> "$WORK/$name.ksyms.err" || { fail "$name: ksyms -a: $(cat "$WORK/$name.ksyms.err")"; return; }
    ctl cat /proc/ksyms > "$WORK/$name.procksyms"
    if [ "$(head -1 "$WORK/$name.ksyms-a")" = "$(printf '%-8s  %-32s  Defined by' Address Symbol)" ] &&
       diff <(tail -n +2 "$WORK/$name.ksyms-a" | awk '{print $1, $2, $3}') <(awk '{print $1, $2, $3}' "$WORK/$name.procksyms") >/dev/null; then
        pass "$name: ksyms -a lists /proc/ksyms exactly ($(wc -l < "$WORK/$name.procksyms") symbols)"
    else
        fail "$name: ksyms -a differs from /proc/ksyms"; diff <(tail -n +2 "$WORK/$name.ksyms-a" | awk '{print $1, $2, $3}') <(awk '{print $1, $2, $3}' "$WORK/$name.procksyms") | head
    fi
    "$KSYMS" --target="$TARGET" -m -h > "$WORK/$name.ksyms-m"
    ctl modules > "$WORK/$name.qm"
    while read -r m size _; do
        addr=$(awk -v m="$m" '$1 == m { print $2 }' "$WORK/$name.qm")
        k=$(( (size + 1023) / 1024 ))
        grep -Eq "^$addr  \(${k}k\) +\[$m\]\$" "$WORK/$name.ksyms-m" || { bad=1; say "  $m: want $addr ${k}k, ksyms -m: $(grep "\[$m\]\$" "$WORK/$name.ksyms-m" | grep -v '  [^ (]')"; }
    done < "$WORK/$name.procmodules"
    if [ "$bad" = 0 ]; then pass "$name: ksyms -m: every module's struct address (query_module) and size (/proc/modules) in KiB"; else fail "$name: ksyms -m"; fi
}

# rm_expect NAME RC PATTERN ARGS...: bin/rmmod --target ARGS exits RC and its stderr is one line
# matching PATTERN (or empty, for an empty PATTERN)
rm_expect() {
    local name=$1 rc=$2 pat=$3 got
    shift 3
    "$RMMOD" --target="$TARGET" "$@" > "$WORK/$name.rm.out" 2> "$WORK/$name.rm.err"
    got=$?
    if [ "$got" = "$rc" ] && { if [ -z "$pat" ]; then [ ! -s "$WORK/$name.rm.err" ]; else grep -Eq -- "$pat" "$WORK/$name.rm.err" && [ "$(wc -l < "$WORK/$name.rm.err")" = 1 ]; fi; }; then
        pass "$name: rmmod $*: exit $got, '$(cat "$WORK/$name.rm.err")'"
    else
        fail "$name: rmmod $*: exit $got (want $rc), stderr: $(cat "$WORK/$name.rm.err"), stdout: $(cat "$WORK/$name.rm.out")"
    fi
}

listed() { ctl cat /proc/modules | grep -q "^$1 "; }

# target_clock: the target's time (seconds since the epoch), which names its snapshots
target_clock() { ctl info | sed -n 's/^clock: *\([0-9]*\).*/\1/p'; }

# snapshot_after NAME T0 GONE: a .modules snapshot taken at or after target time T0 exists on
# the target and no longer lists GONE (rmmod snapshots when the module list changed)
snapshot_after() {
    local name=$1 t0=$2 gone=$3 t ts t1
    t1=$(target_clock)
    for ((t = t0; t <= t1; t++)); do
        ts=$(date -u -d "@$t" +%Y%m%d%H%M%S)
        if ctl cat "/var/log/ksymoops/$ts.modules" > "$WORK/$name.snap" 2>/dev/null && [ -s "$WORK/$name.snap" ]; then
            if ! grep -q "^$gone " "$WORK/$name.snap"; then
                pass "$name: ksymoops snapshot /var/log/ksymoops/$ts.modules taken after the removal of $gone"; return
            fi
        fi
    done
    fail "$name: no ksymoops snapshot without $gone since $(date -u -d "@$t0" +%H:%M:%S)"
}

# The persistent-data round trip: values set at insmod time come back from kernel memory into
# the persist file at rmmod, and the next insmod -e loads them from that file alone.
persist_roundtrip() {
    local name=$1 P=$WORK/persist pf want
    mkdir -p "$P"
    cp "$ROOT/testdata/legacy-kernels/persist/params-p.o" "$P/params.o"
    pf=$P/state/params.conf
    want=$(printf 'p_harr=3,4\np_chars="say \\"hi\\""\np_byte=-5\np_int=7')
    if "$INSMOD" --target="$TARGET" -f -e "$pf" "$P/params.o" p_int=7 p_harr=3,4 'p_chars="say \"hi\""' p_byte=-5 > "$WORK/$name.p1" 2>&1 &&
       "$RMMOD" --target="$TARGET" -v params > "$WORK/$name.p1rm" 2>&1 && ! listed params &&
       [ "$(tail -n +3 "$pf")" = "$want" ] && grep -q "^#% Kernel Linux .* $(ctl info | sed -n 's/^kernel:  Linux \([^ ]*\).*/\1/p') " "$pf" &&
       grep -q '^#% Data saved ... ... [ 0-9][0-9] [0-9:]* [0-9]* GMT$' "$pf"; then
        pass "$name: rmmod wrote the persistent values read from kernel memory: $(tail -n +3 "$pf" | tr '\n' ' ')"
    else
        fail "$name: persist round 1"; cat "$WORK/$name.p1" "$WORK/$name.p1rm"; cat "$pf" 2>/dev/null
        return
    fi
    printf '# kept by rmmod\n' >> "$pf"
    if "$INSMOD" --target="$TARGET" -f -e "$pf" "$P/params.o" > "$WORK/$name.p2" 2>&1 && listed params &&
       "$RMMOD" --target="$TARGET" params > "$WORK/$name.p2rm" 2>&1 && ! listed params &&
       [ "$(tail -n +3 "$pf")" = "$(printf '%s\n# kept by rmmod' "$want")" ]; then
        pass "$name: the next insmod -e loaded them from the file alone and rmmod saved them again (comment kept)"
        # params.o's init_module prints its parameters (p_int p_byte p_short ... p_harr[0]): the
        # kernel saw the same values at both loads, the second time from the file only.
        # (its format has no newline, so the kernel log may run the next message on after it)
        if [ "$(ctl dmesg | grep -o '7 251 3 4 default say "hi" 10 <NULL> 3' | wc -l)" = 2 ]; then
            pass "$name: the module printed the same values at both loads: '7 251 3 4 default say \"hi\" 10 <NULL> 3'"
        else
            fail "$name: the module's own report of its values: $(ctl dmesg | grep ' default ')"
        fi
    else
        fail "$name: persist round 2"; cat "$WORK/$name.p2" "$WORK/$name.p2rm"; cat "$pf"
    fi
}

bad_input() {
    local name=$1
    rm_expect "$name" 1 '^rmmod: module nosuch is not loaded$' nosuch
    rm_expect "$name" 1 '^rmmod: module a/b;c is not loaded$' 'a/b;c'
    rm_expect "$name" 1 '.' "$(printf 'x%.0s' $(seq 80))"
    rm_expect "$name" 1 '^rmmod: module nosuch not loaded$' -r nosuch
    "$RMMOD" --target=tcp:127.0.0.1:$(free_port) e1000 > "$WORK/$name.lost" 2>&1
    if [ $? = 1 ] && [ "$(wc -l < "$WORK/$name.lost")" = 1 ] && grep -q 'cannot reach the target' "$WORK/$name.lost"; then
        pass "$name: rmmod with no agent at the other end: '$(cat "$WORK/$name.lost")'"
    else
        fail "$name: lost link: $(cat "$WORK/$name.lost")"
    fi
}

# ---- modprobe (modutils 2.4's) through the agent: depmod here over the same objects ----
DEPMOD=$ROOT/bin/depmod MODPROBE=$ROOT/bin/modprobe

# modprobe_checks NAME VERSION SYSTEM_MAP_GZ MODULE "STACK" "PATHS" [BASE]: depmod -a over PATHS
# with modules.conf naming every generated file (depfile=...), or, with BASE, over a board's tree
# laid out in BASE/lib/modules/VERSION/kernel (depmod -b BASE; modprobe --basedir=BASE); then
# modprobe --target -n -v shows one insmod line per module of STACK (dependencies first), modprobe
# loads them (the kernel lists the last one loaded first), modprobe -r removes the whole stack,
# and an unknown module gets modutils' message and status 255.
modprobe_checks() {
    local name=$1 version=$2 mapgz=$3 mod=$4 stack=$5 paths=$6 base=${7:-} conf=$WORK/$1.modules.conf f p want got
    local dep=$WORK/$name.modules.dep how
    local -a mp=(-C "$conf")
    gunzip -c "$mapgz" > "$WORK/$name.System.map"
    if [ -n "$base" ]; then
        mkdir -p "$base/lib/modules/$version/kernel"
        for p in $paths; do cp -r "$p" "$base/lib/modules/$version/kernel/"; done
        dep=$base/lib/modules/$version/modules.dep mp=(--basedir="$base") how="-b $base"
        "$DEPMOD" -r -a -b "$base" -F "$WORK/$name.System.map" "$version" > "$WORK/$name.depmod" 2>&1
    else
        : > "$conf"
        for p in $paths; do echo "path=$p" >> "$conf"; done
        echo "prune derived" >> "$conf"
        for f in generic_string pcimap isapnpmap usbmap parportmap ieee1394map pnpbiosmap dep; do
            echo "${f}file=$WORK/$name.modules.$f" >> "$conf"
        done
        how="-C $conf (depfile=...)"
        "$DEPMOD" -r -a -C "$conf" -F "$WORK/$name.System.map" "$version" > "$WORK/$name.depmod" 2>&1
    fi
    if [ $? = 0 ] && [ -s "$dep" ]; then
        pass "$name: depmod -a $how wrote $(grep -c ':' "$dep") modules.dep entries to $dep"
    else
        fail "$name: depmod: $(cat "$WORK/$name.depmod")"; return
    fi
    want=""
    for m in $stack; do want+="/sbin/insmod $base$(sed -n "s|^\([^:]*/$m\.o\):.*|\1|p" "$dep")"$'\n'; done
    got=$("$MODPROBE" --target="$TARGET" "${mp[@]}" -n -v "$mod" 2>&1)$'\n'
    if [ "$got" = "$want" ]; then
        pass "$name: modprobe -n -v $mod: $(echo "$got" | sed 's|.*/||' | tr '\n' ' ')"
    else
        fail "$name: modprobe -n -v $mod: got '$got', want '$want'"
    fi
    if "$MODPROBE" --target="$TARGET" "${mp[@]}" "$mod" > "$WORK/$name.mp.out" 2>&1; then
        got=$(ctl cat /proc/modules | awk '{ print $1 }' | grep -xE "$(echo $stack | tr ' ' '|')" | tr '\n' ' ')
        want=$(echo $stack | tr ' ' '\n' | tac | tr '\n' ' ')
        if [ "$got" = "$want" ]; then
            pass "$name: modprobe $mod loaded $stack in that order (/proc/modules, newest first: $got)"
        else
            fail "$name: modprobe $mod: /proc/modules has '$got', want '$want'"
        fi
    else
        fail "$name: modprobe $mod: $(cat "$WORK/$name.mp.out")"
    fi
    if "$MODPROBE" --target="$TARGET" "${mp[@]}" -r "$mod" > "$WORK/$name.mpr.out" 2>&1; then
        got=$(ctl cat /proc/modules | awk '{ print $1 }' | grep -xE "$(echo $stack | tr ' ' '|')")
        [ -z "$got" ] && pass "$name: modprobe -r $mod removed the stack $stack" || fail "$name: after modprobe -r $mod: $got left"
    else
        fail "$name: modprobe -r $mod: $(cat "$WORK/$name.mpr.out")"
    fi
    "$MODPROBE" --target="$TARGET" "${mp[@]}" nosuch > "$WORK/$name.mpbad" 2>&1
    got=$?
    if [ "$got" = 255 ] && [ "$(cat "$WORK/$name.mpbad")" = "modprobe: Can't locate module nosuch" ]; then
        pass "$name: modprobe nosuch: exit 255, 'modprobe: Can't locate module nosuch'"
    else
        fail "$name: modprobe nosuch: exit $got, $(cat "$WORK/$name.mpbad")"
    fi
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
        if [ "$HAVE_FAMILY" = 1 ]; then
            lsmod_check k2418
            ksyms_check k2418
            rm_expect k2418 1 '^jbd: Device or resource busy$' jbd
            listed jbd && pass "k2418: jbd, used by ext3, is still loaded" || fail "k2418: jbd removed while in use"
            rm_expect k2418 1 '^rmmod: jbd is in use$' -r jbd
            t0=$(target_clock)
            rm_expect k2418 0 '' -r ext3
            if ! listed ext3 && ! listed jbd && listed cramfs && listed e1000; then
                pass "k2418: rmmod -r ext3 removed the stack ext3+jbd and nothing else"
            else
                fail "k2418: after rmmod -r ext3: $(ctl cat /proc/modules | tr '\n' ';')"
            fi
            snapshot_after k2418 "$t0" ext3
            bad_input k2418
            listed cramfs && listed e1000 && pass "k2418: bad input removed nothing" || fail "k2418: a module vanished"
            modprobe_checks k2418 2.4.18-14custom "$ROOT/testdata/corpus-i386/System.map-2.4.18-14custom.gz" ext3 \
                "jbd ext3" "$K18_DIR"
        fi
    fi
    show_target k2418
    halt_vm
fi

# ---- 2.4.27 ----
if boot k2427 "$K27" -device rtl8139 -device ne2k_pci; then
    agent_checks k2427 '2.4.27'
    if [ "$HAVE_INSMOD" = 1 ]; then
        load k2427 "$K27_DIR/drivers/net/mii.o" -k
        load k2427 "$K27_DIR/lib/crc32.o"
        load k2427 "$K27_DIR/drivers/net/8139too.o"
        load k2427 "$K27_DIR/drivers/net/8390.o"
        load k2427 "$K27_DIR/drivers/net/ne2k-pci.o"
        proc_has /proc/modules '^mii .*\[8139too\]' && pass "k2427: mii used by 8139too" || fail "k2427: mii not listed as used by 8139too"
        proc_has /proc/modules '^8390 .*\[ne2k-pci\]' && pass "k2427: 8390 used by ne2k-pci" || fail "k2427: 8390 not listed as used by ne2k-pci"
        ctl dmesg | grep -Ei 'RTL8139|8139too' | grep -Ei 'eth[0-9]' && pass "k2427: 8139too probed the emulated card" || fail "k2427: no 8139too probe in the kernel log"
        ctl dmesg | grep -Ei 'ne2k-pci|RTL-8029' | grep -Ei 'eth[0-9]' && pass "k2427: ne2k-pci probed the emulated card" || fail "k2427: no ne2k-pci probe in the kernel log"
        if [ "$HAVE_FAMILY" = 1 ]; then
            lsmod_check k2427
            ksyms_check k2427
            grep -q '^mii .*(autoclean) \[8139too\]$' "$WORK/k2427.lsmod" && pass "k2427: lsmod marks mii (insmod -k) autoclean" || fail "k2427: mii not shown autoclean"
            t0=$(target_clock)
            rm_expect k2427 0 '' 8139too
            ! listed 8139too && listed mii && pass "k2427: rmmod 8139too removed it; mii (autoclean, used once by 8139too) stays" || fail "k2427: after rmmod 8139too: $(ctl cat /proc/modules | tr '\n' ';')"
            snapshot_after k2427 "$t0" 8139too
            rm_expect k2427 0 '' -a
            ! listed mii && listed 8390 && listed crc32 && pass "k2427: rmmod -a: the kernel's autoclean pass removed the unused autoclean mii only" || fail "k2427: after rmmod -a: $(ctl cat /proc/modules | tr '\n' ';')"
            rm_expect k2427 1 '^8390: Device or resource busy$' 8390
            rm_expect k2427 0 '' -r ne2k-pci
            ! listed ne2k-pci && ! listed 8390 && ! listed crc32 && pass "k2427: rmmod -r ne2k-pci removed the stack ne2k-pci+8390+crc32 (8390 was crc32's last user)" || fail "k2427: after rmmod -r ne2k-pci: $(ctl cat /proc/modules | tr '\n' ';')"
            persist_roundtrip k2427
            modprobe_checks k2427 "$(ctl info | sed -n 's/^kernel:  Linux \([^ ]*\).*/\1/p')" \
                "$ROOT/testdata/legacy-kernels/System.map-2.4.27-aks.gz" ne2k-pci \
                "crc32 8390 ne2k-pci" "$K27_DIR/drivers $K27_DIR/lib" "$WORK/k2427.board"
        fi
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
