/*
 * glibc's getopt_long run over modutils 2.4.16 insmod's option string and long-option table
 * (the facts of its INSMOD_MAIN: "fhkLmnpqrsSvVxXyYe:o:O:P:R:" and 22 long names), as the
 * independent expectation of GetoptGlibcTest.
 *
 * Reads one command line per input line (arguments separated by TAB, argv[0] is "insmod") and
 * prints, per option getopt_long returns, "-c" or "-c ARG"; on '?' glibc's own message (stderr
 * is joined to stdout) and "ERR", and the line stops there, as the original stopped at its usage
 * text. Each line ends with "END".
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct option long_opts[] = {
	{"force", 0, 0, 'f'}, {"help", 0, 0, 'h'}, {"autoclean", 0, 0, 'k'}, {"lock", 0, 0, 'L'},
	{"map", 0, 0, 'm'}, {"noload", 0, 0, 'n'}, {"probe", 0, 0, 'p'}, {"poll", 0, 0, 'p'},
	{"quiet", 0, 0, 'q'}, {"root", 0, 0, 'r'}, {"syslog", 0, 0, 's'}, {"kallsyms", 0, 0, 'S'},
	{"verbose", 0, 0, 'v'}, {"version", 0, 0, 'V'}, {"noexport", 0, 0, 'x'}, {"export", 0, 0, 'X'},
	{"noksymoops", 0, 0, 'y'}, {"ksymoops", 0, 0, 'Y'}, {"persist", 1, 0, 'e'}, {"name", 1, 0, 'o'},
	{"blob", 1, 0, 'O'}, {"prefix", 1, 0, 'P'}, {0, 0, 0, 0}
};

int main(void)
{
	static char line[8192];
	setvbuf(stdout, NULL, _IONBF, 0);
	dup2(1, 2);
	setvbuf(stderr, NULL, _IONBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		char *argv[256];
		int argc = 0, o;
		char *p = line, *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		argv[argc++] = "insmod";
		while (argc < 255) {
			argv[argc++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		argv[argc] = NULL;
		optind = 0;
		while ((o = getopt_long(argc, argv, "fhkLmnpqrsSvVxXyYe:o:O:P:R:", long_opts, NULL)) != -1) {
			if (o == '?') {
				printf("ERR\n");
				break;
			}
			if (optarg)
				printf("-%c %s\n", o, optarg);
			else
				printf("-%c\n", o);
		}
		printf("END\n");
	}
	return 0;
}
