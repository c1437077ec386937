/*
 * insmod target agent: runs on a Linux 2.x target that cannot run Java and
 * performs the kernel-facing steps of insmod for a host over a framed,
 * CRC-checked protocol (see PROTOCOL.md). No libc: every kernel call goes
 * through arch_syscall() of the port (arch-<name>.c).
 *
 * Modes:
 *   agent --stdio [--idle S]             serve on fds 0/1 (tests)
 *   agent --tty DEV [--speed N] [--idle S]  serve on a serial line
 *   agent --listen PORT [--idle S]        serve TCP clients one at a time
 *   as process 1 (/sbin/init of an initrd): mount /proc, log to /dev/console,
 *   serve on the tty named by agent_tty= on the kernel command line
 *   (default /dev/ttyS1), agent_speed= and agent_idle= likewise.
 */
#include "arch.h"

#define PROTO_VERSION   2
#define HDR_LEN         8
#define MAX_PAYLOAD     (16384 + 1024)
#define DATA_CHUNK      16384
#define FRAME_MAX       (HDR_LEN + MAX_PAYLOAD + 4)
#define STAGE_MAX       (4u << 20)
#define BULK_MAX        (1u << 20)
#define MAX_PENDING     8
#define NAME_MAX_LEN    64
#define PATH_MAX_LEN    256

/* Request types (host -> agent). */
enum {
    REQ_HELLO = 0x01, REQ_UNAME = 0x02, REQ_READ_FILE = 0x03, REQ_STAGE = 0x04,
    REQ_WRITE_FILE = 0x05, REQ_QUERY_MODULE = 0x06, REQ_CREATE_MODULE = 0x07,
    REQ_INIT_MODULE = 0x08, REQ_DELETE_MODULE = 0x09, REQ_STAT = 0x0A,
    REQ_TIME = 0x0B, REQ_KLOG = 0x0C, REQ_READ_AT = 0x0D,
};
/* Response types (agent -> host). */
enum { RSP_OK = 0x80, RSP_ERR = 0x81, RSP_DATA = 0x82 };
/* ERR codes. */
enum {
    E_UNKNOWN_REQUEST = 1, E_BAD_FRAME = 2, E_BAD_REQUEST = 3,
    E_TOO_LARGE = 4, E_SYSCALL = 5, E_STATE = 6,
};

#define EINTR   4
#define EAGAIN  11
#define ENOSYS  38

/* ---- freestanding helpers (gcc may emit calls to the first four) ---- */

void *memcpy(void *d, const void *s, unsigned long n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, unsigned long n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp < sp) {
        while (n--)
            *dp++ = *sp++;
    } else {
        while (n--)
            dp[n] = sp[n];
    }
    return d;
}

void *memset(void *d, int c, unsigned long n)
{
    unsigned char *dp = d;
    while (n--)
        *dp++ = (unsigned char) c;
    return d;
}

int memcmp(const void *a, const void *b, unsigned long n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

static unsigned long slen(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static int starts(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

static unsigned long to_num(const char *s)
{
    unsigned long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned long) (*s++ - '0');
    return v;
}

#define sys(w, a, b, c, d, e) arch_syscall((w), (long) (a), (long) (b), (long) (c), (long) (d), (long) (e))

static void say(const char *s)
{
    sys(SYS_WRITE, 2, s, slen(s), 0, 0);
}

/* Decimal without division (some ports have no divide instruction and libgcc's needs libc). */
static void say_num(long v)
{
    static const unsigned long pow10[] = { 1000000000ul, 100000000ul, 10000000ul, 1000000ul,
                                           100000ul, 10000ul, 1000ul, 100ul, 10ul, 1ul };
    char buf[12];
    int n = 0, i, started = 0;
    unsigned long u = v < 0 ? (unsigned long) -v : (unsigned long) v;
    if (v < 0)
        buf[n++] = '-';
    for (i = 0; i < 10; i++) {
        char d = '0';
        while (u >= pow10[i]) {
            u -= pow10[i];
            d++;
        }
        if (d != '0' || started || i == 9) {
            buf[n++] = d;
            started = 1;
        }
    }
    sys(SYS_WRITE, 2, buf, n, 0, 0);
}

static long now(void)
{
    return sys(SYS_TIME, 0, 0, 0, 0, 0);
}

static void sleep_ms(long ms)
{
    long ts[2] = { 0, 0 };
    while (ms >= 1000) {
        ts[0]++;
        ms -= 1000;
    }
    ts[1] = ms * 1000000L;
    sys(SYS_NANOSLEEP, ts, 0, 0, 0, 0);
}

/* ---- CRC-32 (IEEE 802.3, reflected, as zlib and java.util.zip.CRC32) ---- */

static unsigned crc_table[256];

static void crc_init(void)
{
    unsigned i, k, c;
    for (i = 0; i < 256; i++) {
        c = i;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static unsigned crc32(const unsigned char *p, unsigned long n)
{
    unsigned c = 0xFFFFFFFFu;
    while (n--)
        c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static unsigned get32(const unsigned char *p)
{
    return (unsigned) p[0] | (unsigned) p[1] << 8 | (unsigned) p[2] << 16 | (unsigned) p[3] << 24;
}

static void put32(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char) v;
    p[1] = (unsigned char) (v >> 8);
    p[2] = (unsigned char) (v >> 16);
    p[3] = (unsigned char) (v >> 24);
}

/* ---- state ---- */

static int fd_in = 0, fd_out = 1;
static int link_broken;
static long idle_limit = 30;           /* seconds without a valid frame before pending modules are deleted */
static long idle_default = 30;         /* the limit a HELLO with idle 0 restores (--idle, agent_idle=) */
static int legacy_ok;                  /* the kernel has query_module(2), so the 2.4 module calls are safe */

static unsigned char rxbuf[2 * FRAME_MAX];
static unsigned long rxlen;
static unsigned char txbuf[FRAME_MAX];
static unsigned char stage[STAGE_MAX];
static unsigned long stage_total, stage_fill;
static unsigned char bulk[BULK_MAX];

static char pending[MAX_PENDING][NAME_MAX_LEN + 1];

/*
 * The last request obeyed and its final answer, kept so that a repeat of a request that changes
 * something (the host sends it again when the request or its answer was lost on the line) is
 * answered again rather than done twice.
 */
static struct {
    int type, seq;
    unsigned crc;
    unsigned long len;                  /* 0: nothing kept */
    int capture;                        /* the dispatch in progress records its OK/ERR here */
    unsigned char frame[HDR_LEN + 256 + 4];
} answered;

/* ---- output ---- */

static void write_all(const unsigned char *p, unsigned long n)
{
    while (n && !link_broken) {
        long w = sys(SYS_WRITE, fd_out, p, n, 0, 0);
        if (w == -EINTR || w == -EAGAIN)
            continue;
        if (w <= 0) {
            link_broken = 1;
            return;
        }
        p += w;
        n -= (unsigned long) w;
    }
}

/* Sends one frame; the payload may already sit at txbuf + HDR_LEN (p == 0). */
static void send_frame(int type, int seq, const void *p, unsigned long n)
{
    if (n > MAX_PAYLOAD)
        n = MAX_PAYLOAD;
    txbuf[0] = 'K';
    txbuf[1] = 'M';
    txbuf[2] = (unsigned char) type;
    txbuf[3] = (unsigned char) seq;
    put32(txbuf + 4, (unsigned) n);
    if (p)
        memmove(txbuf + HDR_LEN, p, n);
    put32(txbuf + HDR_LEN + n, crc32(txbuf, HDR_LEN + n));
    if (answered.capture && type != RSP_DATA && HDR_LEN + n + 4 <= sizeof answered.frame) {
        memcpy(answered.frame, txbuf, HDR_LEN + n + 4);
        answered.len = HDR_LEN + n + 4;
    }
    write_all(txbuf, HDR_LEN + n + 4);
}

static void send_err(int seq, unsigned code, long err, const char *msg)
{
    unsigned char *p = txbuf + HDR_LEN;
    unsigned long m = slen(msg);
    if (m > 200)
        m = 200;
    put32(p, code);
    put32(p + 4, (unsigned) err);
    memcpy(p + 8, msg, m);
    p[8 + m] = 0;
    send_frame(RSP_ERR, seq, 0, 9 + m);
}

static void send_ok(int seq, const void *p, unsigned long n)
{
    send_frame(RSP_OK, seq, p, n);
}

/* Sends a bulk result as DATA frames; the final OK frame is the caller's. */
static void send_bulk(int seq, const unsigned char *p, unsigned long n)
{
    while (n) {
        unsigned long c = n > DATA_CHUNK ? DATA_CHUNK : n;
        send_frame(RSP_DATA, seq, p, c);
        p += c;
        n -= c;
    }
}

/* ---- request payload reader: every field is bounds-checked ---- */

struct rd {
    const unsigned char *p;
    unsigned long n, off;
    int bad;
};

static unsigned rd_u32(struct rd *r)
{
    unsigned v;
    if (r->bad || r->n - r->off < 4) {
        r->bad = 1;
        return 0;
    }
    v = get32(r->p + r->off);
    r->off += 4;
    return v;
}

static unsigned rd_u8(struct rd *r)
{
    if (r->bad || r->off >= r->n) {
        r->bad = 1;
        return 0;
    }
    return r->p[r->off++];
}

/* A NUL-terminated string of 1..max bytes copied into out (max+1 bytes). */
static void rd_str(struct rd *r, char *out, unsigned long max)
{
    unsigned long i;
    out[0] = 0;
    if (r->bad)
        return;
    for (i = 0; r->off + i < r->n; i++) {
        char c = (char) r->p[r->off + i];
        if (c == 0) {
            if (i == 0) {
                r->bad = 1;
                return;
            }
            out[i] = 0;
            r->off += i + 1;
            return;
        }
        if (i >= max) {
            r->bad = 1;
            return;
        }
        out[i] = c;
    }
    r->bad = 1;                         /* no terminator */
}

static int rd_done(struct rd *r)
{
    return !r->bad && r->off == r->n;
}

/* ---- pending (created, not yet initialised) modules ---- */

static void pending_add(const char *name)
{
    int i;
    for (i = 0; i < MAX_PENDING; i++)
        if (!pending[i][0]) {
            memcpy(pending[i], name, slen(name) + 1);
            return;
        }
}

static void pending_drop(const char *name)
{
    int i;
    for (i = 0; i < MAX_PENDING; i++)
        if (pending[i][0] && streq(pending[i], name))
            pending[i][0] = 0;
}

static void pending_cleanup(const char *why)
{
    int i;
    for (i = 0; i < MAX_PENDING; i++)
        if (pending[i][0]) {
            long r = sys(SYS_DELETE_MODULE, pending[i], 0, 0, 0, 0);
            say("insmod-agent: ");
            say(why);
            say(": deleted half-created module ");
            say(pending[i]);
            if (r < 0) {
                say(" failed, errno ");
                say_num(-r);
            }
            say("\n");
            pending[i][0] = 0;
        }
}

/* ---- file helpers ---- */

/* Reads a whole file into bulk[]; returns its length or -errno. */
static long slurp(const char *path)
{
    long fd = sys(SYS_OPEN, path, 0, 0, 0, 0);
    unsigned long n = 0;
    if (fd < 0)
        return fd;
    for (;;) {
        long r;
        if (n == BULK_MAX) {
            sys(SYS_CLOSE, fd, 0, 0, 0, 0);
            return -27;                 /* EFBIG */
        }
        r = sys(SYS_READ, fd, bulk + n, BULK_MAX - n, 0, 0);
        if (r == -EINTR)
            continue;
        if (r < 0) {
            sys(SYS_CLOSE, fd, 0, 0, 0, 0);
            return r;
        }
        if (r == 0)
            break;
        n += (unsigned long) r;
    }
    sys(SYS_CLOSE, fd, 0, 0, 0, 0);
    return (long) n;
}

/* ---- request handlers ---- */

static void op_hello(int seq, struct rd *r)
{
    unsigned nonce = rd_u32(r);
    unsigned idle = rd_u32(r);
    unsigned char *p = txbuf + HDR_LEN;
    unsigned long n;
    if (!rd_done(r)) {
        send_err(seq, E_BAD_REQUEST, 0, "hello: want nonce, idle");
        return;
    }
    idle_limit = idle ? (long) idle : idle_default;     /* for this session only */
    put32(p, nonce);
    p[4] = PROTO_VERSION;
    p[5] = (unsigned char) legacy_ok;
    p[6] = (unsigned char) arch.word_size;
    p[7] = (unsigned char) arch.big_endian;
    put32(p + 8, MAX_PAYLOAD);
    put32(p + 12, STAGE_MAX);
    put32(p + 16, BULK_MAX);
    put32(p + 20, (unsigned) idle_limit);
    n = slen(arch.name);
    memcpy(p + 24, arch.name, n + 1);
    send_frame(RSP_OK, seq, 0, 24 + n + 1);
}

static void op_uname(int seq, struct rd *r)
{
    static char u[6 * 65];
    unsigned char *p = txbuf + HDR_LEN;
    unsigned long n = 0;
    int i;
    long e;
    if (!rd_done(r)) {
        send_err(seq, E_BAD_REQUEST, 0, "uname takes no arguments");
        return;
    }
    e = sys(SYS_UNAME, u, 0, 0, 0, 0);
    if (e < 0) {
        send_err(seq, E_SYSCALL, -e, "uname");
        return;
    }
    for (i = 0; i < 5; i++) {           /* sysname nodename release version machine */
        const char *f = u + 65 * i;
        unsigned long k = 0;
        while (k < 64 && f[k])
            k++;
        memcpy(p + n, f, k);
        p[n + k] = 0;
        n += k + 1;
    }
    send_frame(RSP_OK, seq, 0, n);
}

static void op_read_file(int seq, struct rd *r)
{
    char path[PATH_MAX_LEN + 1];
    unsigned char ok[4];
    long n;
    rd_str(r, path, PATH_MAX_LEN);
    if (!rd_done(r) || path[0] != '/') {
        send_err(seq, E_BAD_REQUEST, 0, "read: want an absolute path");
        return;
    }
    n = slurp(path);
    if (n < 0) {
        send_err(seq, E_SYSCALL, -n, "read");
        return;
    }
    send_bulk(seq, bulk, (unsigned long) n);
    put32(ok, (unsigned) n);
    send_ok(seq, ok, 4);
}

static void op_stage(int seq, struct rd *r)
{
    unsigned off = rd_u32(r);
    unsigned total = rd_u32(r);
    unsigned long n;
    unsigned char ok[4];
    if (r->bad) {
        send_err(seq, E_BAD_REQUEST, 0, "stage: want offset, total, bytes");
        return;
    }
    n = r->n - r->off;
    if (total > STAGE_MAX) {
        send_err(seq, E_TOO_LARGE, 0, "stage: image larger than the agent's buffer");
        return;
    }
    if (off == 0) {
        stage_total = total;
        stage_fill = 0;
    } else if (total != stage_total || off != stage_fill) {
        send_err(seq, E_STATE, 0, "stage: chunk out of sequence");
        return;
    }
    if (n > stage_total - stage_fill) {
        send_err(seq, E_BAD_REQUEST, 0, "stage: chunk runs past the total");
        return;
    }
    memcpy(stage + stage_fill, r->p + r->off, n);
    stage_fill += n;
    put32(ok, (unsigned) stage_fill);
    send_ok(seq, ok, 4);
}

static int stage_complete(int seq)
{
    if (stage_fill != stage_total) {
        send_err(seq, E_STATE, 0, "staged data incomplete");
        return 0;
    }
    return 1;
}

static void op_write_file(int seq, struct rd *r)
{
    unsigned flags = rd_u32(r);
    unsigned mode = rd_u32(r);
    char path[PATH_MAX_LEN + 1];
    unsigned char ok[4];
    unsigned long done = 0;
    long fd, e;
    rd_str(r, path, PATH_MAX_LEN);
    if (!rd_done(r) || path[0] != '/' || (flags & ~1u) || (mode & ~07777u)) {
        send_err(seq, E_BAD_REQUEST, 0, "write: want flags, mode, absolute path");
        return;
    }
    if (!stage_complete(seq))
        return;
    fd = sys(SYS_OPEN, path, 1 | arch.o_creat | (flags & 1 ? arch.o_append : arch.o_trunc), mode, 0, 0);
    if (fd < 0) {
        send_err(seq, E_SYSCALL, -fd, "open");
        return;
    }
    while (done < stage_fill) {
        long w = sys(SYS_WRITE, fd, stage + done, stage_fill - done, 0, 0);
        if (w == -EINTR)
            continue;
        if (w <= 0) {
            sys(SYS_CLOSE, fd, 0, 0, 0, 0);
            send_err(seq, E_SYSCALL, w < 0 ? -w : 28 /* ENOSPC */, "write");
            return;
        }
        done += (unsigned long) w;
    }
    e = sys(SYS_FDATASYNC, fd, 0, 0, 0, 0);
    sys(SYS_CLOSE, fd, 0, 0, 0, 0);
    if (e < 0 && e != -22 /* EINVAL: fs without sync */) {
        send_err(seq, E_SYSCALL, -e, "fdatasync");
        return;
    }
    stage_total = stage_fill = 0;
    put32(ok, (unsigned) done);
    send_ok(seq, ok, 4);
}

static void op_query_module(int seq, struct rd *r)
{
    unsigned which = rd_u32(r);
    unsigned size = rd_u32(r);
    unsigned has_name = rd_u8(r);
    char name[NAME_MAX_LEN + 1];
    unsigned char ok[8];
    unsigned long ret = 0;
    long e;
    if (has_name)
        rd_str(r, name, NAME_MAX_LEN);
    if (!rd_done(r) || has_name > 1 || which > 5) {
        send_err(seq, E_BAD_REQUEST, 0, "query_module: want which, size, has_name[, name]");
        return;
    }
    if (size > BULK_MAX) {
        send_err(seq, E_TOO_LARGE, 0, "query_module: buffer larger than the agent's");
        return;
    }
    if (!legacy_ok) {
        e = -ENOSYS;
    } else {
        e = sys(SYS_QUERY_MODULE, has_name ? name : 0, which, size ? bulk : 0, size, &ret);
    }
    if (e == 0)
        send_bulk(seq, bulk, size);
    put32(ok, (unsigned) e);
    put32(ok + 4, (unsigned) ret);
    send_ok(seq, ok, 8);
}

static void op_create_module(int seq, struct rd *r)
{
    unsigned size = rd_u32(r);
    char name[NAME_MAX_LEN + 1];
    unsigned char ok[8];
    long a;
    rd_str(r, name, NAME_MAX_LEN);
    if (!rd_done(r)) {
        send_err(seq, E_BAD_REQUEST, 0, "create_module: want size, name");
        return;
    }
    if (!legacy_ok) {
        send_err(seq, E_SYSCALL, ENOSYS, "create_module");
        return;
    }
    a = sys(SYS_CREATE_MODULE, name, size, 0, 0, 0);
    /* The result is an address: only -4095..-1 are errors (the module area may sit high). */
    if ((unsigned long) a >= (unsigned long) -4095L) {
        send_err(seq, E_SYSCALL, -a, "create_module");
        return;
    }
    pending_add(name);
    put32(ok, (unsigned) (unsigned long) a);
    put32(ok + 4, arch.word_size > 4 ? (unsigned) ((unsigned long) a >> 16 >> 16) : 0);
    send_ok(seq, ok, 8);
}

static void op_init_module(int seq, struct rd *r)
{
    char name[NAME_MAX_LEN + 1];
    long e;
    rd_str(r, name, NAME_MAX_LEN);
    if (!rd_done(r)) {
        send_err(seq, E_BAD_REQUEST, 0, "init_module: want name");
        return;
    }
    if (!stage_complete(seq))
        return;
    if (stage_fill < (unsigned long) arch.word_size) {
        send_err(seq, E_STATE, 0, "init_module: no image staged");
        return;
    }
    if (!legacy_ok) {
        send_err(seq, E_SYSCALL, ENOSYS, "init_module");
        return;
    }
    e = sys(SYS_INIT_MODULE, name, stage, 0, 0, 0);
    stage_total = stage_fill = 0;
    if (e < 0) {
        send_err(seq, E_SYSCALL, -e, "init_module");
        return;
    }
    pending_drop(name);
    send_ok(seq, 0, 0);
}

static void op_delete_module(int seq, struct rd *r)
{
    unsigned has_name = rd_u8(r);
    char name[NAME_MAX_LEN + 1];
    long e;
    if (has_name)
        rd_str(r, name, NAME_MAX_LEN);
    if (!rd_done(r) || has_name > 1) {
        send_err(seq, E_BAD_REQUEST, 0, "delete_module: want has_name[, name]");
        return;
    }
    if (!legacy_ok) {
        send_err(seq, E_SYSCALL, ENOSYS, "delete_module");
        return;
    }
    e = sys(SYS_DELETE_MODULE, has_name ? name : 0, 0, 0, 0, 0);
    if (e < 0) {
        send_err(seq, E_SYSCALL, -e, "delete_module");
        return;
    }
    if (has_name)
        pending_drop(name);
    send_ok(seq, 0, 0);
}

static void op_stat(int seq, struct rd *r)
{
    char path[PATH_MAX_LEN + 1];
    unsigned char ok[4];
    unsigned kind = 0;                  /* 0 absent, 1 directory, 2 something else we can open */
    long fd;
    rd_str(r, path, PATH_MAX_LEN);
    if (!rd_done(r) || path[0] != '/') {
        send_err(seq, E_BAD_REQUEST, 0, "stat: want an absolute path");
        return;
    }
    if (sys(SYS_CHDIR, path, 0, 0, 0, 0) == 0) {
        kind = 1;
        sys(SYS_CHDIR, "/", 0, 0, 0, 0);
    } else if ((fd = sys(SYS_OPEN, path, 0 | arch.o_noctty, 0, 0, 0)) >= 0) {
        kind = 2;
        sys(SYS_CLOSE, fd, 0, 0, 0, 0);
    }
    put32(ok, kind);
    send_ok(seq, ok, 4);
}

static void op_time(int seq, struct rd *r)
{
    unsigned char ok[8];
    long t;
    if (!rd_done(r)) {
        send_err(seq, E_BAD_REQUEST, 0, "time takes no arguments");
        return;
    }
    t = now();
    put32(ok, (unsigned) t);
    put32(ok + 4, t < 0 ? 0xFFFFFFFFu : 0);
    send_ok(seq, ok, 8);
}

static void op_klog(int seq, struct rd *r)
{
    unsigned char ok[4];
    long n;
    if (!rd_done(r)) {
        send_err(seq, E_BAD_REQUEST, 0, "klog takes no arguments");
        return;
    }
    n = sys(SYS_SYSLOG, 3 /* read all */, bulk, BULK_MAX, 0, 0);
    if (n < 0) {
        send_err(seq, E_SYSCALL, -n, "syslog");
        return;
    }
    send_bulk(seq, bulk, (unsigned long) n);
    put32(ok, (unsigned) n);
    send_ok(seq, ok, 4);
}

/* A byte range of a file at an offset: rmmod reads persistent parameters from /dev/kmem. The
 * offset is a kernel address, so on a 32-bit target it is passed to lseek as the (possibly
 * negative-looking) long it is; only -4095..-1 are errors. */
static void op_read_at(int seq, struct rd *r)
{
    unsigned lo = rd_u32(r), hi = rd_u32(r), len = rd_u32(r);
    char path[PATH_MAX_LEN + 1];
    unsigned char ok[4];
    unsigned long n = 0;
    long fd, e;
    rd_str(r, path, PATH_MAX_LEN);
    if (!rd_done(r) || path[0] != '/' || (arch.word_size == 4 && hi != 0)) {
        send_err(seq, E_BAD_REQUEST, 0, "read_at: want offset_lo, offset_hi, length, absolute path");
        return;
    }
    if (len > BULK_MAX) {
        send_err(seq, E_TOO_LARGE, 0, "read_at: more than the agent's buffer");
        return;
    }
    fd = sys(SYS_OPEN, path, 0, 0, 0, 0);
    if (fd < 0) {
        send_err(seq, E_SYSCALL, -fd, "read_at: open");
        return;
    }
    e = sys(SYS_LSEEK, fd, (long) (lo | ((unsigned long) hi << 16 << 16)), 0 /* SEEK_SET */, 0, 0);
    if ((unsigned long) e >= (unsigned long) -4095L) {
        sys(SYS_CLOSE, fd, 0, 0, 0, 0);
        send_err(seq, E_SYSCALL, -e, "read_at: lseek");
        return;
    }
    while (n < len) {
        e = sys(SYS_READ, fd, bulk + n, len - n, 0, 0);
        if (e == -EINTR)
            continue;
        if (e <= 0)
            break;
        n += (unsigned long) e;
    }
    sys(SYS_CLOSE, fd, 0, 0, 0, 0);
    if (e < 0 && n == 0) {
        send_err(seq, E_SYSCALL, -e, "read_at: read");
        return;
    }
    send_bulk(seq, bulk, n);
    put32(ok, (unsigned) n);
    send_ok(seq, ok, 4);
}

static void dispatch(int type, int seq, const unsigned char *payload, unsigned long n)
{
    struct rd r = { payload, n, 0, 0 };
    switch (type) {
    case REQ_HELLO: op_hello(seq, &r); break;
    case REQ_UNAME: op_uname(seq, &r); break;
    case REQ_READ_FILE: op_read_file(seq, &r); break;
    case REQ_STAGE: op_stage(seq, &r); break;
    case REQ_WRITE_FILE: op_write_file(seq, &r); break;
    case REQ_QUERY_MODULE: op_query_module(seq, &r); break;
    case REQ_CREATE_MODULE: op_create_module(seq, &r); break;
    case REQ_INIT_MODULE: op_init_module(seq, &r); break;
    case REQ_DELETE_MODULE: op_delete_module(seq, &r); break;
    case REQ_STAT: op_stat(seq, &r); break;
    case REQ_TIME: op_time(seq, &r); break;
    case REQ_KLOG: op_klog(seq, &r); break;
    case REQ_READ_AT: op_read_at(seq, &r); break;
    default: send_err(seq, E_UNKNOWN_REQUEST, 0, "unknown request type"); break;
    }
}

/*
 * The requests that change the target's state: done once, answered again when repeated. (HELLO
 * is not one: after a greeting there is nothing to repeat.)
 */
static int changes_state(int type)
{
    return type == REQ_STAGE || type == REQ_WRITE_FILE || type == REQ_CREATE_MODULE
        || type == REQ_INIT_MODULE || type == REQ_DELETE_MODULE;
}

/* Dispatches the valid request at rxbuf, or repeats the answer when it is the last one again. */
static void obey(int type, int seq, unsigned crc, unsigned long len)
{
    if (answered.len && type == answered.type && seq == answered.seq && crc == answered.crc
            && changes_state(type)) {
        write_all(answered.frame, answered.len);
        return;
    }
    answered.type = type;
    answered.seq = seq;
    answered.crc = crc;
    answered.len = 0;
    answered.capture = 1;
    dispatch(type, seq, rxbuf + HDR_LEN, len);
    answered.capture = 0;
}

/* ---- framing: find, check and dispatch frames in rxbuf ---- */

static void rx_drop(unsigned long n)
{
    if (n > rxlen)
        n = rxlen;
    memmove(rxbuf, rxbuf + n, rxlen - n);
    rxlen -= n;
}

/*
 * Consumes what it can from rxbuf. Returns 1 when a partial frame is waiting
 * for more bytes, 0 when rxbuf holds nothing useful.
 */
static int rx_process(void)
{
    for (;;) {
        unsigned long i, len;
        if (rxlen == 0)
            return 0;
        /* Skip to the next possible magic. */
        for (i = 0; i < rxlen; i++)
            if (rxbuf[i] == 'K' && (i + 1 == rxlen || rxbuf[i + 1] == 'M'))
                break;
        rx_drop(i);
        if (rxlen < HDR_LEN)
            return rxlen > 0;
        len = get32(rxbuf + 4);
        if (len > MAX_PAYLOAD || (rxbuf[2] & 0x80)) {
            rx_drop(1);                 /* not a request header: resynchronise */
            continue;
        }
        if (rxlen < HDR_LEN + len + 4)
            return 1;
        if (crc32(rxbuf, HDR_LEN + len) != get32(rxbuf + HDR_LEN + len)) {
            send_err(rxbuf[3], E_BAD_FRAME, 0, "checksum mismatch");
            say("insmod-agent: checksum mismatch in a frame of ");
            say_num((long) len);
            say(" bytes\n");
            rx_drop(1);                 /* a real frame may start inside this one */
            continue;
        }
        obey(rxbuf[2], rxbuf[3], get32(rxbuf + HDR_LEN + len), len);
        rx_drop(HDR_LEN + len + 4);
        return 2;                       /* a valid frame: the caller resets its idle clock */
    }
}

/* Serves one link until it ends (EOF or error). */
static void serve(void)
{
    long last = now();
    rxlen = 0;
    link_broken = 0;
    while (!link_broken) {
        struct { int fd; short events, revents; } pfd;
        int partial = 0;
        long r;
        for (;;) {
            int s = rx_process();
            if (s == 2) {
                last = now();
                continue;
            }
            partial = s;
            break;
        }
        if (link_broken)
            break;
        pfd.fd = fd_in;
        pfd.events = 1;                 /* POLLIN */
        pfd.revents = 0;
        r = sys(SYS_POLL, &pfd, 1, 1000, 0, 0);
        if (r == -EINTR)
            continue;
        if (r < 0) {
            say("insmod-agent: poll failed\n");
            break;
        }
        if (r == 0) {
            if (partial) {
                say("insmod-agent: dropped a partial frame after 1 s without bytes (");
                say_num((long) rxlen);
                say(" bytes)\n");
                rx_drop(1);             /* a frame stalled mid-way: give up on it */
            }
            if (now() - last >= idle_limit) {
                pending_cleanup("link idle");
                last = now();
            }
            continue;
        }
        r = sys(SYS_READ, fd_in, rxbuf + rxlen, sizeof rxbuf - rxlen, 0, 0);
        if (r == -EINTR || r == -EAGAIN)
            continue;
        if (r <= 0)
            break;
        rxlen += (unsigned long) r;
    }
    pending_cleanup("link closed");
}

/* ---- sockets (socketcall(2): present on every 2.x port) and serial lines ---- */

static long socketcall(long call, long *args)
{
    return sys(SYS_SOCKETCALL, call, args, 0, 0, 0);
}

static long tcp_listen(unsigned port)
{
    long args[5], fd, r;
    int one = 1;
    struct { unsigned short family, port; unsigned addr; unsigned char zero[8]; } sa;
    args[0] = 2; args[1] = arch.sock_stream; args[2] = 0;         /* AF_INET */
    fd = socketcall(1, args);                                     /* socket */
    if (fd < 0)
        return fd;
    args[0] = fd; args[1] = arch.sol_socket; args[2] = arch.so_reuseaddr;
    args[3] = (long) &one; args[4] = sizeof one;
    socketcall(14, args);                                         /* setsockopt */
    memset(&sa, 0, sizeof sa);
    sa.family = 2;                                                /* host order */
    ((unsigned char *) &sa.port)[0] = (unsigned char) (port >> 8); /* network order */
    ((unsigned char *) &sa.port)[1] = (unsigned char) port;
    args[0] = fd; args[1] = (long) &sa; args[2] = sizeof sa;
    r = socketcall(2, args);                                      /* bind */
    if (r >= 0) {
        args[0] = fd; args[1] = 1;
        r = socketcall(4, args);                                  /* listen */
    }
    if (r < 0) {
        sys(SYS_CLOSE, fd, 0, 0, 0, 0);
        return r;
    }
    return fd;
}

static long tcp_accept(int fd)
{
    long args[3] = { fd, 0, 0 };
    return socketcall(5, args);
}

static unsigned baud_code(unsigned speed)
{
    switch (speed) {
    case 9600: return 0000015;
    case 19200: return 0000016;
    case 38400: return 0000017;
    case 57600: return 0010001;
    case 230400: return 0010003;
    case 460800: return 0010004;
    default: return 0010002;            /* 115200 */
    }
}

/* Raw 8N1: no echo, no signals, no flow control, no CR/LF mapping (cflag bits agree on all ports). */
static long tty_raw(int fd, unsigned speed)
{
    struct { unsigned iflag, oflag, cflag, lflag; unsigned char line, cc[32]; } t;
    long r = sys(SYS_IOCTL, fd, arch.tcgets, &t, 0, 0);
    if (r < 0)
        return r;
    t.iflag = 0;
    t.oflag = 0;
    t.lflag = 0;
    t.cflag = baud_code(speed) | 0000060 /* CS8 */ | 0000200 /* CREAD */ | 0004000 /* CLOCAL */;
    t.cc[arch.vmin] = 1;
    t.cc[arch.vtime] = 0;
    return sys(SYS_IOCTL, fd, arch.tcsets, &t, 0, 0);
}

/* ---- modes ---- */

static const char *env_get(char **envp, const char *key)
{
    for (; envp && *envp; envp++)
        if (starts(*envp, key))
            return *envp + slen(key);
    return 0;
}

static void probe_legacy(void)
{
    /* modutils' probe: query_module(NULL, 0, NULL, 0, NULL) succeeds only on 2.1-2.4. */
    legacy_ok = sys(SYS_QUERY_MODULE, 0, 0, 0, 0, 0) == 0;
}

static int serve_tty(const char *dev, unsigned speed, int forever)
{
    for (;;) {
        long fd = sys(SYS_OPEN, dev, 2 | arch.o_noctty, 0, 0, 0);
        if (fd < 0) {
            say("insmod-agent: cannot open ");
            say(dev);
            say(", errno ");
            say_num(-fd);
            say("\n");
            if (!forever)
                return 1;
            sleep_ms(5000);
            continue;
        }
        if (tty_raw((int) fd, speed) < 0)
            say("insmod-agent: warning: cannot set raw mode\n");
        say("insmod-agent: serving on ");
        say(dev);
        say("\n");
        fd_in = fd_out = (int) fd;
        serve();
        sys(SYS_CLOSE, fd, 0, 0, 0, 0);
        if (!forever)
            return 0;
        sleep_ms(1000);
    }
}

static int serve_tcp(unsigned port)
{
    long s = tcp_listen(port);
    if (s < 0) {
        say("insmod-agent: cannot listen, errno ");
        say_num(-s);
        say("\n");
        return 1;
    }
    say("insmod-agent: listening on TCP port ");
    say_num(port);
    say("\n");
    for (;;) {
        long c = tcp_accept((int) s);
        if (c < 0) {
            if (c == -EINTR)
                continue;
            sleep_ms(100);
            continue;
        }
        fd_in = fd_out = (int) c;
        serve();
        sys(SYS_CLOSE, c, 0, 0, 0, 0);
    }
}

static int run_as_init(char **envp)
{
    const char *tty = env_get(envp, "agent_tty=");
    const char *speed = env_get(envp, "agent_speed=");
    const char *idle = env_get(envp, "agent_idle=");
    long fd;
    sys(SYS_MKDIR, "/proc", 0555, 0, 0, 0);
    sys(SYS_MOUNT, "proc", "/proc", "proc", 0, 0);
    fd = sys(SYS_OPEN, "/dev/console", 2 | arch.o_noctty, 0, 0, 0);
    if (fd >= 0) {
        sys(SYS_DUP2, fd, 0, 0, 0, 0);
        sys(SYS_DUP2, fd, 1, 0, 0, 0);
        sys(SYS_DUP2, fd, 2, 0, 0, 0);
        if (fd > 2)
            sys(SYS_CLOSE, fd, 0, 0, 0, 0);
    }
    if (idle)
        idle_limit = (long) to_num(idle);
    if (idle_limit <= 0)
        idle_limit = 30;
    idle_default = idle_limit;
    say("insmod-agent: init on ");
    say(arch.name);
    say(legacy_ok ? ", query_module present\n" : ", no query_module (not a 2.1-2.4 kernel)\n");
    return serve_tty(tty ? tty : "/dev/ttyS1", speed ? (unsigned) to_num(speed) : 115200, 1);
}

static int usage(void)
{
    say("usage: insmod-agent --stdio | --tty DEV [--speed N] | --listen PORT  [--idle SECONDS]\n");
    return 2;
}

int agent_main(int argc, char **argv, char **envp)
{
    const char *tty = 0;
    unsigned port = 0, speed = 115200;
    int stdio = 0, i;
    crc_init();
    probe_legacy();
    if (sys(SYS_GETPID, 0, 0, 0, 0, 0) == 1)
        return run_as_init(envp);
    for (i = 1; i < argc; i++) {
        if (streq(argv[i], "--stdio"))
            stdio = 1;
        else if (streq(argv[i], "--tty") && i + 1 < argc)
            tty = argv[++i];
        else if (streq(argv[i], "--speed") && i + 1 < argc)
            speed = (unsigned) to_num(argv[++i]);
        else if (streq(argv[i], "--listen") && i + 1 < argc)
            port = (unsigned) to_num(argv[++i]);
        else if (streq(argv[i], "--idle") && i + 1 < argc)
            idle_limit = (long) to_num(argv[++i]);
        else
            return usage();
    }
    if (idle_limit <= 0)
        idle_limit = 30;
    idle_default = idle_limit;
    if (stdio + (tty != 0) + (port != 0) != 1)
        return usage();
    if (stdio) {
        fd_in = 0;
        fd_out = 1;
        serve();
        return 0;
    }
    if (tty)
        return serve_tty(tty, speed, 0);
    return serve_tcp(port);
}
