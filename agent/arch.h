/*
 * What the portable part of the agent (agent.c) needs from one architecture.
 * A port (arch-<name>.c) supplies: the process entry point, which calls
 * agent_main(); one syscall trampoline with the table that maps the generic
 * call numbers below to the kernel's, returning >= 0 or -errno; and the
 * constants that differ between architectures (open flags, sockets, termios).
 */
#ifndef AGENT_ARCH_H
#define AGENT_ARCH_H

enum sysno {
    SYS_EXIT, SYS_READ, SYS_WRITE, SYS_OPEN, SYS_CLOSE, SYS_GETPID,
    SYS_TIME, SYS_POLL, SYS_MOUNT, SYS_MKDIR, SYS_CHDIR, SYS_UNAME,
    SYS_SYSLOG, SYS_FDATASYNC, SYS_NANOSLEEP, SYS_DUP2, SYS_SETSID,
    SYS_CREATE_MODULE, SYS_INIT_MODULE, SYS_DELETE_MODULE, SYS_QUERY_MODULE,
    SYS_IOCTL, SYS_SOCKETCALL, SYS_LSEEK,
    SYS_COUNT
};

long arch_syscall(enum sysno which, long a, long b, long c, long d, long e);

struct arch_info {
    const char *name;        /* "i386", "arm", "mips", ... */
    int word_size;           /* sizeof(long) on the target */
    int big_endian;
    int o_creat, o_trunc, o_append, o_noctty;
    int sock_stream, sol_socket, so_reuseaddr;   /* socketcall(2) is used on every port */
    unsigned tcgets, tcsets;                     /* struct termios: 4 flag words, c_line, c_cc[] */
    int vmin, vtime;                             /* indexes into c_cc */
};
extern const struct arch_info arch;

int agent_main(int argc, char **argv, char **envp);

#endif
