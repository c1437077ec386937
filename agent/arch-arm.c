/*
 * ARM port of the agent, old ABI (OABI) as 2.4 kernels know it: the call number is in the
 * swi instruction (0x900000 + n), arguments in r0-r4. The numbers mirror i386 for every call
 * used here (create_module and query_module included, as in 2.4's calls.S).
 */
#include "arch.h"

const struct arch_info arch = {
    .name = "arm", .word_size = 4, .big_endian = 0,
    .o_creat = 0100, .o_trunc = 01000, .o_append = 02000, .o_noctty = 0400,
    .sock_stream = 1, .sol_socket = 1, .so_reuseaddr = 2,
    .tcgets = 0x5401, .tcsets = 0x5402, .vmin = 6, .vtime = 5,
};

#define SWI(n)                                                              \
    __asm__ volatile ("swi %[nr]"                                           \
                      : "+r"(r0)                                            \
                      : [nr] "i"(0x900000 + (n)), "r"(r1), "r"(r2), "r"(r3), "r"(r4) \
                      : "memory")

long arch_syscall(enum sysno which, long a, long b, long c, long d, long e)
{
    register long r0 __asm__("r0") = a;
    register long r1 __asm__("r1") = b;
    register long r2 __asm__("r2") = c;
    register long r3 __asm__("r3") = d;
    register long r4 __asm__("r4") = e;
    switch (which) {
    case SYS_EXIT: SWI(1); break;
    case SYS_READ: SWI(3); break;
    case SYS_WRITE: SWI(4); break;
    case SYS_OPEN: SWI(5); break;
    case SYS_CLOSE: SWI(6); break;
    case SYS_CHDIR: SWI(12); break;
    case SYS_LSEEK: SWI(19); break;
    case SYS_TIME: SWI(13); break;
    case SYS_GETPID: SWI(20); break;
    case SYS_MOUNT: SWI(21); break;
    case SYS_MKDIR: SWI(39); break;
    case SYS_IOCTL: SWI(54); break;
    case SYS_DUP2: SWI(63); break;
    case SYS_SETSID: SWI(66); break;
    case SYS_SOCKETCALL: SWI(102); break;
    case SYS_SYSLOG: SWI(103); break;
    case SYS_UNAME: SWI(122); break;
    case SYS_CREATE_MODULE: SWI(127); break;
    case SYS_INIT_MODULE: SWI(128); break;
    case SYS_DELETE_MODULE: SWI(129); break;
    case SYS_FDATASYNC: SWI(148); break;
    case SYS_NANOSLEEP: SWI(162); break;
    case SYS_QUERY_MODULE: SWI(167); break;
    case SYS_POLL: SWI(168); break;
    default: return -38;                /* ENOSYS */
    }
    return r0;
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
        ".globl _start\n"
        "_start:\n"
        "  mov r0, sp\n"
        "  bic sp, sp, #7\n"
        "  bl start_c\n");
