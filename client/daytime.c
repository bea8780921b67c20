/* SPDX-License-Identifier: ISC */
/*
 * daytime: the RFC 867 client's command line and output.  The hosts are
 * asked in turn, each within its own deadline (daytime_ask.c).  What a
 * server sent is shown on one line with every byte outside printable
 * ASCII escaped, so that no server can drive the terminal; -r writes it
 * byte for byte instead.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/record.h"
#include "compat/compat.h"
#include "client/daytime.h"

#define DAYTIME_DEFAULT_PORT	"13"
#define DAYTIME_WAIT_DEFAULT	(5 * DAYTIME_NSEC)
#define DAYTIME_WAIT_MIN	1000000LL	/* 0.001 s */
#define DAYTIME_WAIT_MAX	(3600 * DAYTIME_NSEC)
#define DAYTIME_WAIT_FRAC_MAX	9		/* digits after the point */
/* An answer as shown: each byte at most four ("\xHH"), then "\n". */
#define DAYTIME_SHOWN_MAX	(4 * DAYTIME_ANSWER_MAX + 1)

#define DAYTIME_EXIT_ANSWER	0
#define DAYTIME_EXIT_NONE	1
#define DAYTIME_EXIT_USAGE	2

static const struct option daytime_longopts[] = {
	{ "ipv4",	no_argument,		NULL,	'4' },
	{ "ipv6",	no_argument,		NULL,	'6' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "port",	required_argument,	NULL,	'p' },
	{ "raw",	no_argument,		NULL,	'r' },
	{ "udp",	no_argument,		NULL,	'u' },
	{ "version",	no_argument,		NULL,	'V' },
	{ "wait",	required_argument,	NULL,	'w' },
	{ NULL,		0,			NULL,	0 }
};

static void	daytime_synopsis(FILE *);
static void	daytime_usage(FILE *);
static int	daytime_usage_error(void);
static const char *daytime_optname(char *const [], int, char *, size_t);
static int	daytime_parse_wait(const char *, long long *);
static int	daytime_parse_port(const char *, int, char *, size_t);
static size_t	daytime_show(const struct daytime_answer *, char *, size_t);
static int	daytime_print(const char *, const struct daytime_answer *,
		    int);

/* Parse the command line, ask every host, print the answers. */
int
main(int argc, char *argv[])
{
	struct daytime_opts	 o;
	struct daytime_answer	 ans;
	char			 port[sizeof("65535")], name[64];
	const char		*portarg = NULL;
	int			 ch, four = 0, six = 0, raw = 0, i, nhosts, rc;

	memset(&o, 0, sizeof(o));
	o.port = DAYTIME_DEFAULT_PORT;
	o.wait_ns = DAYTIME_WAIT_DEFAULT;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":46hp:ruVw:", daytime_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case '4':
			four = 1;
			break;
		case '6':
			six = 1;
			break;
		case 'h':
			daytime_usage(stdout);
			return DAYTIME_EXIT_ANSWER;
		case 'p':
			portarg = optarg;
			break;
		case 'r':
			raw = 1;
			break;
		case 'u':
			o.udp = 1;
			break;
		case 'V':
			printf("daytime %s\n", PACKAGE_VERSION);
			return DAYTIME_EXIT_ANSWER;
		case 'w':
			if (daytime_parse_wait(optarg, &o.wait_ns) == -1) {
				daytime_warnx("-w '%s': not a number of seconds "
				    "from 0.001 to 3600", optarg);
				return daytime_usage_error();
			}
			break;
		case ':':
			daytime_warnx("option %s needs a value",
			    daytime_optname(argv, ch, name, sizeof(name)));
			return daytime_usage_error();
		default:
			daytime_warnx("unknown option %s",
			    daytime_optname(argv, ch, name, sizeof(name)));
			return daytime_usage_error();
		}
	}
	argc -= optind;
	argv += optind;
	if (four && six) {
		daytime_warnx("-4 and -6 exclude each other");
		return daytime_usage_error();
	}
	o.family = four ? AF_INET : six ? AF_INET6 : AF_UNSPEC;
	if (argc == 0) {
		daytime_warnx("no host given");
		return daytime_usage_error();
	}
	/* "HOST PORT", as nc has it, unless -p named the port already. */
	nhosts = argc;
	if (portarg == NULL && argc == 2 &&
	    daytime_parse_port(argv[1], o.udp, port, sizeof(port)) == 0) {
		o.port = port;
		nhosts = 1;
	} else if (portarg != NULL) {
		if (daytime_parse_port(portarg, o.udp, port, sizeof(port)) == -1) {
			daytime_warnx("port '%s': not a number from 1 to 65535 "
			    "nor a %s service name", portarg,
			    o.udp ? "UDP" : "TCP");
			return daytime_usage_error();
		}
		o.port = port;
	}
	for (i = 0; i < nhosts; i++) {
		if (argv[i][0] == '\0') {
			daytime_warnx("empty host name");
			return daytime_usage_error();
		}
		/* getaddrinfo would take "13" as 0.0.0.13: a misplaced port */
		if (strspn(argv[i], "0123456789") == strlen(argv[i])) {
			daytime_warnx("'%s' is not a host; %s", argv[i],
			    nhosts > 1 ? "with several hosts, give the port "
			    "with -p" : "the host comes before the port");
			return daytime_usage_error();
		}
	}

	rc = DAYTIME_EXIT_ANSWER;
	for (i = 0; i < nhosts; i++) {
		if (daytime_ask(&o, argv[i], &ans) == -1) {
			rc = DAYTIME_EXIT_NONE;
			continue;
		}
		if (daytime_print(nhosts > 1 ? argv[i] : NULL, &ans, raw) == -1) {
			daytime_warnx("stdout: %s", strerror(errno));
			return DAYTIME_EXIT_NONE;
		}
	}
	return rc;
}

/* The synopsis, alone after a mistake (stderr), or heading -h's text. */
static void
daytime_synopsis(FILE *fp)
{
	fprintf(fp,
	    "usage: daytime [-ru] [-4|-6] [-p PORT] [-w SECONDS] HOST [PORT]\n"
	    "       daytime [-ru] [-4|-6] [-p PORT] [-w SECONDS] HOST...\n"
	    "       daytime -h | --help | -V | --version\n");
}

/* The whole usage text, for -h and --help. */
static void
daytime_usage(FILE *fp)
{
	daytime_synopsis(fp);
	fprintf(fp,
	    "  -4, --ipv4          use only IPv4 addresses\n"
	    "  -6, --ipv6          use only IPv6 addresses\n"
	    "  -p, --port PORT     1-65535 or a service name (default 13, daytime)\n"
	    "  -r, --raw           write the answer byte for byte, unescaped\n"
	    "  -u, --udp           ask over UDP (default TCP)\n"
	    "  -w, --wait SECONDS  time for each host, 0.001-3600 (default 5)\n"
	    "Several hosts: one line each, \"HOST: ANSWER\", asked in turn.\n"
	    "exit: 0 every host answered, 1 a host did not, 2 usage error\n");
}

/* A usage mistake, already named on stderr: the synopsis, exit 2. */
static int
daytime_usage_error(void)
{
	daytime_synopsis(stderr);
	return DAYTIME_EXIT_USAGE;
}

/*
 * The option getopt_long just refused, as the user wrote it: "-x" for a
 * short one, "--name" (without "=VALUE") for a long one.
 */
static const char *
daytime_optname(char *const argv[], int ch, char *buf, size_t size)
{
	const char	*arg = optind > 0 ? argv[optind - 1] : NULL;
	size_t		 n;

	if (arg != NULL && strncmp(arg, "--", 2) == 0 &&
	    (ch == ':' || optopt == 0)) {
		(void)strlcpy(buf, arg, size);
		n = strcspn(buf, "=");
		buf[n] = '\0';
		return buf;
	}
	if (optopt > ' ' && optopt < 0x7f) {
		if (snprintf(buf, size, "-%c", optopt) >= 0)
			return buf;
	}
	return "(unprintable)";
}

/* Every diagnostic goes to stderr with the program's name in front. */
void
daytime_warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("daytime: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Seconds as DIGITS[.DIGITS] into nanoseconds: at most 9 fraction digits,
 * range checked as it accumulates, no sign, no exponent, no blanks.
 */
static int
daytime_parse_wait(const char *s, long long *out)
{
	const char		*dot;
	unsigned long long	 whole, frac = 0;
	size_t			 len = strlen(s), ilen, flen, i;
	long long		 ns;

	dot = memchr(s, '.', len);
	ilen = dot != NULL ? (size_t)(dot - s) : len;
	if (compat_parse_uint(s, ilen, DAYTIME_WAIT_MAX / DAYTIME_NSEC,
	    &whole) == -1)
		return -1;
	if (dot != NULL) {
		flen = len - ilen - 1;
		if (flen == 0 || flen > DAYTIME_WAIT_FRAC_MAX ||
		    compat_parse_uint(dot + 1, flen, DAYTIME_NSEC - 1, &frac) == -1)
			return -1;
		for (i = flen; i < DAYTIME_WAIT_FRAC_MAX; i++)
			frac *= 10;
	}
	ns = (long long)whole * DAYTIME_NSEC + (long long)frac;
	if (ns < DAYTIME_WAIT_MIN || ns > DAYTIME_WAIT_MAX)
		return -1;
	*out = ns;
	return 0;
}

/*
 * A port as canonical digits into out: decimal digits from 1 to 65535,
 * or a service name of the protocol in use (getservbyname, e.g. from
 * /etc/services).  Resolved here, so that getaddrinfo only sees digits.
 */
static int
daytime_parse_port(const char *s, int udp, char *out, size_t size)
{
	unsigned long long	 num;
	struct servent		*se;
	size_t			 len = strlen(s);
	int			 n;

	if (len > 0 && strspn(s, "0123456789") == len) {
		if (compat_parse_uint(s, len, 65535, &num) == -1 || num == 0)
			return -1;
	} else {
		se = getservbyname(s, udp ? "udp" : "tcp");
		if (se == NULL)
			return -1;
		num = ntohs((uint16_t)se->s_port);
		if (num == 0)
			return -1;
	}
	n = snprintf(out, size, "%llu", num);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return 0;
}

/*
 * The answer as one line: the line end the server sent (any CR and LF at
 * the end) is dropped, the rest through the project's one escaper
 * (record_escape_show: printable ASCII and space as they are, every other
 * byte and the backslash and quotes as \xHH), and "\n" ends it.
 * Returns the length written.
 */
static size_t
daytime_show(const struct daytime_answer *ans, char *out, size_t size)
{
	size_t len = ans->len, n;

	if (size < 4 * len + 1)
		return 0;	/* never: the callers' buffers fit the cap */
	while (len > 0 && (ans->buf[len - 1] == '\n' ||
	    ans->buf[len - 1] == '\r'))
		len--;
	n = record_escape_show(out, size - 1, ans->buf, len, NULL);
	out[n++] = '\n';
	return n;
}

/* One host's answer on stdout, after "HOST: " when prefix is set. */
static int
daytime_print(const char *prefix, const struct daytime_answer *ans, int raw)
{
	char	shown[DAYTIME_SHOWN_MAX];
	size_t	n;

	if (prefix != NULL &&
	    (compat_write_all(STDOUT_FILENO, prefix, strlen(prefix)) == -1 ||
	    compat_write_all(STDOUT_FILENO, ": ", 2) == -1))
		return -1;
	if (raw)
		return compat_write_all(STDOUT_FILENO, ans->buf, ans->len);
	n = daytime_show(ans, shown, sizeof(shown));
	return compat_write_all(STDOUT_FILENO, shown, n);
}

