/*
 * What the portable part of the agent (agent.c) needs from one architecture.
 * A port (arch-<name>.c) supplies: the process entry point, which calls
 * agent_main(); one syscall trampoline with the table that maps the generic
 * call numbers below to the kernel's; the sockets (socketcall(2) on i386,
 * separate calls elsewhere); raw mode on a tty; and a few constants.
 * Every function returns the kernel's result: >= 0, or -errno.
 */
#ifndef AGENT_ARCH_H
#define AGENT_ARCH_H

enum sysno {
    SYS_EXIT, SYS_READ, SYS_WRITE, SYS_OPEN, SYS_CLOSE, SYS_GETPID,
    SYS_TIME, SYS_POLL, SYS_MOUNT, SYS_MKDIR, SYS_CHDIR, SYS_UNAME,
    SYS_SYSLOG, SYS_FDATASYNC, SYS_NANOSLEEP, SYS_DUP2, SYS_SETSID,
    SYS_CREATE_MODULE, SYS_INIT_MODULE, SYS_DELETE_MODULE, SYS_QUERY_MODULE,
    SYS_COUNT
};

long arch_syscall(enum sysno which, long a, long b, long c, long d, long e);

long arch_tcp_listen(unsigned port);        /* socket+SO_REUSEADDR+bind(INADDR_ANY)+listen */
long arch_tcp_accept(int fd);
long arch_tty_raw(int fd, unsigned speed);  /* 8N1, no echo, no flow control, no CR/LF mapping */

struct arch_info {
    const char *name;        /* "i386", "arm", "mips", ... */
    int word_size;           /* sizeof(long) on the target */
    int big_endian;
    int o_creat, o_trunc, o_append, o_noctty;
};
extern const struct arch_info arch;

int agent_main(int argc, char **argv, char **envp);

#endif
