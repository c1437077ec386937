/*
 * MIPS o32 port of the agent (either byte order): call number 4000 + n in v0, arguments in
 * a0-a3 and the fifth on the stack at 16($sp); a3 != 0 on return means v0 is an errno.
 */
#include "arch.h"

const struct arch_info arch = {
    .name = "mips", .word_size = 4,
#ifdef __MIPSEB__
    .big_endian = 1,
#else
    .big_endian = 0,
#endif
    .o_creat = 0x100, .o_trunc = 0x200, .o_append = 0x8, .o_noctty = 0x800,
    .sock_stream = 2, .sol_socket = 0xffff, .so_reuseaddr = 4,
    .tcgets = 0x540d, .tcsets = 0x540e, .vmin = 4, .vtime = 5,
};

static const short numbers[SYS_COUNT] = {
    [SYS_EXIT] = 1, [SYS_READ] = 3, [SYS_WRITE] = 4, [SYS_OPEN] = 5,
    [SYS_CLOSE] = 6, [SYS_GETPID] = 20, [SYS_TIME] = 13, [SYS_POLL] = 188,
    [SYS_MOUNT] = 21, [SYS_MKDIR] = 39, [SYS_CHDIR] = 12, [SYS_UNAME] = 122,
    [SYS_SYSLOG] = 103, [SYS_FDATASYNC] = 152, [SYS_NANOSLEEP] = 166,
    [SYS_DUP2] = 63, [SYS_SETSID] = 66,
    [SYS_CREATE_MODULE] = 127, [SYS_INIT_MODULE] = 128,
    [SYS_DELETE_MODULE] = 129, [SYS_QUERY_MODULE] = 187,
    [SYS_IOCTL] = 54, [SYS_SOCKETCALL] = 102, [SYS_LSEEK] = 19,
};

long arch_syscall(enum sysno which, long a, long b, long c, long d, long e)
{
    register long v0 __asm__("$2");
    register long a0 __asm__("$4") = a;
    register long a1 __asm__("$5") = b;
    register long a2 __asm__("$6") = c;
    register long a3 __asm__("$7") = d;
    if ((unsigned) which >= SYS_COUNT)
        return -38;                     /* ENOSYS */
    v0 = 4000 + numbers[which];
    __asm__ volatile (".set noreorder\n"
                      "addiu $sp, $sp, -32\n"
                      "sw %6, 16($sp)\n"
                      "syscall\n"
                      "addiu $sp, $sp, 32\n"
                      ".set reorder\n"
                      : "+r"(v0), "+r"(a3)
                      : "r"(a0), "r"(a1), "r"(a2), "0"(v0), "r"(e)
                      : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
                        "$24", "$25", "hi", "lo", "memory");
    return a3 ? -v0 : v0;
}

__attribute__((used)) static void start_c(long *sp)
{
    int argc = (int) sp[0];
    char **argv = (char **) (sp + 1);
    arch_syscall(SYS_EXIT, agent_main(argc, argv, argv + argc + 1), 0, 0, 0, 0);
    for (;;)
        ;
}

__asm__(".text\n"
        ".set noreorder\n"
        ".globl _start\n"
        ".ent _start\n"
        "_start:\n"
        "  move $4, $sp\n"
        "  li $8, -8\n"
        "  and $sp, $sp, $8\n"
        "  addiu $sp, $sp, -32\n"
        "  jal start_c\n"
        "  nop\n"
        ".end _start\n"
        ".set reorder\n");
