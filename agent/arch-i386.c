/* i386 port of the agent: int $0x80 syscalls. */
#include "arch.h"

const struct arch_info arch = {
    .name = "i386", .word_size = 4, .big_endian = 0,
    .o_creat = 0100, .o_trunc = 01000, .o_append = 02000, .o_noctty = 0400,
    .sock_stream = 1, .sol_socket = 1, .so_reuseaddr = 2,
    .tcgets = 0x5401, .tcsets = 0x5402, .vmin = 6, .vtime = 5,
};

static const short numbers[SYS_COUNT] = {
    [SYS_EXIT] = 1, [SYS_READ] = 3, [SYS_WRITE] = 4, [SYS_OPEN] = 5,
    [SYS_CLOSE] = 6, [SYS_GETPID] = 20, [SYS_TIME] = 13, [SYS_POLL] = 168,
    [SYS_MOUNT] = 21, [SYS_MKDIR] = 39, [SYS_CHDIR] = 12, [SYS_UNAME] = 122,
    [SYS_SYSLOG] = 103, [SYS_FDATASYNC] = 148, [SYS_NANOSLEEP] = 162,
    [SYS_DUP2] = 63, [SYS_SETSID] = 66,
    [SYS_CREATE_MODULE] = 127, [SYS_INIT_MODULE] = 128,
    [SYS_DELETE_MODULE] = 129, [SYS_QUERY_MODULE] = 167,
    [SYS_IOCTL] = 54, [SYS_SOCKETCALL] = 102, [SYS_LSEEK] = 19,
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
