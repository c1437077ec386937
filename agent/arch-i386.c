/* i386 port of the agent: int $0x80 syscalls, socketcall(2), struct termios. */
#include "arch.h"

const struct arch_info arch = {
    .name = "i386", .word_size = 4, .big_endian = 0,
    .o_creat = 0100, .o_trunc = 01000, .o_append = 02000, .o_noctty = 0400,
};

static const short numbers[SYS_COUNT] = {
    [SYS_EXIT] = 1, [SYS_READ] = 3, [SYS_WRITE] = 4, [SYS_OPEN] = 5,
    [SYS_CLOSE] = 6, [SYS_GETPID] = 20, [SYS_TIME] = 13, [SYS_POLL] = 168,
    [SYS_MOUNT] = 21, [SYS_MKDIR] = 39, [SYS_CHDIR] = 12, [SYS_UNAME] = 122,
    [SYS_SYSLOG] = 103, [SYS_FDATASYNC] = 148, [SYS_NANOSLEEP] = 162,
    [SYS_DUP2] = 63, [SYS_SETSID] = 66,
    [SYS_CREATE_MODULE] = 127, [SYS_INIT_MODULE] = 128,
    [SYS_DELETE_MODULE] = 129, [SYS_QUERY_MODULE] = 167,
};

static long raw(long nr, long a, long b, long c, long d, long e)
{
    long r;
    /* ebx is the PIC register in some ABIs; we build -fno-pic, so plain constraints are fine. */
    __asm__ volatile ("int $0x80"
                      : "=a"(r)
                      : "0"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                      : "memory");
    return r;
}

long arch_syscall(enum sysno which, long a, long b, long c, long d, long e)
{
    if ((unsigned) which >= SYS_COUNT)
        return -38; /* ENOSYS */
    return raw(numbers[which], a, b, c, d, e);
}

/* socketcall(2): call number, pointer to the argument words. */
static long socketcall(long call, long *args)
{
    return raw(102, call, (long) args, 0, 0, 0);
}

long arch_tcp_listen(unsigned port)
{
    long args[5];
    long fd, r;
    int one = 1;
    struct { unsigned short family, port; unsigned addr; unsigned char zero[8]; } sa;

    args[0] = 2; args[1] = 1; args[2] = 0;          /* AF_INET, SOCK_STREAM */
    fd = socketcall(1, args);
    if (fd < 0)
        return fd;
    args[0] = fd; args[1] = 1; args[2] = 2;          /* SOL_SOCKET, SO_REUSEADDR */
    args[3] = (long) &one; args[4] = sizeof one;
    socketcall(14, args);
    sa.family = 2;
    sa.port = (unsigned short) (((port & 0xff) << 8) | ((port >> 8) & 0xff));
    sa.addr = 0;
    for (r = 0; r < 8; r++)
        sa.zero[r] = 0;
    args[0] = fd; args[1] = (long) &sa; args[2] = sizeof sa;
    r = socketcall(2, args);
    if (r >= 0) {
        args[0] = fd; args[1] = 1;
        r = socketcall(4, args);
    }
    if (r < 0) {
        raw(6, fd, 0, 0, 0, 0);
        return r;
    }
    return fd;
}

long arch_tcp_accept(int fd)
{
    long args[3] = { fd, 0, 0 };
    return socketcall(5, args);
}

/* The kernel's struct termios for i386 (TCGETS 0x5401, TCSETS 0x5402). */
struct kernel_termios {
    unsigned iflag, oflag, cflag, lflag;
    unsigned char line, cc[19];
};

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

long arch_tty_raw(int fd, unsigned speed)
{
    struct kernel_termios t;
    long r = raw(54, fd, 0x5401, (long) &t, 0, 0);
    if (r < 0)
        return r;
    t.iflag = 0;                        /* no IGNBRK/BRKINT/ICRNL/IXON/ISTRIP ... */
    t.oflag = 0;                        /* no OPOST */
    t.lflag = 0;                        /* no ECHO/ICANON/ISIG/IEXTEN */
    t.cflag = baud_code(speed) | 0000060 /* CS8 */ | 0000200 /* CREAD */ | 0004000 /* CLOCAL */;
    t.cc[6] = 1;                        /* VMIN */
    t.cc[5] = 0;                        /* VTIME */
    return raw(54, fd, 0x5402, (long) &t, 0, 0);
}

/* Entry: the kernel leaves argc, argv[], 0, envp[], 0 on the stack. */
__attribute__((used)) static void start_c(long *sp)
{
    int argc = (int) sp[0];
    char **argv = (char **) (sp + 1);
    char **envp = argv + argc + 1;
    raw(1, agent_main(argc, argv, envp), 0, 0, 0, 0);
    for (;;)
        ;
}

__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "  xorl %ebp, %ebp\n"
        "  movl %esp, %eax\n"
        "  andl $-16, %esp\n"
        "  subl $12, %esp\n"
        "  pushl %eax\n"
        "  call start_c\n"
        "  hlt\n");
