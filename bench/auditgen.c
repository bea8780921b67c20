/* SPDX-License-Identifier: ISC */
/*
 * auditgen: a realistic daytimed audit log for the report benchmark, on
 * standard output, as rsyslog writes /var/log/daytimed/audit.log
 * (RSYSLOG_FileFormat, as the Debian package routes it):
 *
 *   auditgen [-n RECORDS] [-s] [-u] [-d DAY] [-r SEED]
 *
 * -n records (10,000,000), spread evenly over one day (-d YYYY-MM-DD,
 * default 2026-11-26, UTC); -s adds time= and chain fields as sealed
 * records have (the MACs are random: the report's own cost of reading
 * them, not a chain that verifies); -u makes every denied source a new
 * one (a flood of spoofed sources: the worst case for bounded tables);
 * -r the seed (1).
 *
 * The mix, per 1000 records: 700 allowed TCP and UDP connections from
 * 2,000 clients in a few partner netblocks (ident ok for most, a named
 * user rule among 40 rules, some ident timeouts and errors); 250 denied,
 * from about 200,000 scanning sources over the whole IPv4 and some IPv6
 * space, 30% of them from 20 heavy sources (a real scan's few loud
 * hosts); 50
 * dropped by the per-source, connections and udp-rate limits from 300
 * flooding sources. A start record opens the day and a stop closes it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 1;
static char obuf[1 << 20];

/* xorshift64*: fast and good enough for a workload. */
static uint64_t
auditgen_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

/* A number below n, skewed to small ones (the heavy sources first). */
static uint64_t
auditgen_skewed(uint64_t n)
{
	uint64_t a = auditgen_rand() % n, b = auditgen_rand() % n;

	return (a * b) / n;
}

int
main(int argc, char **argv)
{
	static const char *const users[] = { "alice", "bob", "carol", "dave",
	    "erin", "frank", "www-data", "root" };
	static const char *const limits[] = { "per-source", "connections",
	    "udp-rate" };
	uint64_t n = 10000000, i, x, src;
	int sealed = 0, unique = 0, c, y = 2026, mo = 11, d = 26;
	struct tm tm;
	time_t day;
	char stamp[64], peer[64], ident[64], st[32], net[48], rule[96];
	const char *proto, *dec;
	int64_t t_us, step;

	while ((c = getopt(argc, argv, "n:sud:r:")) != -1) {
		switch (c) {
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		case 's':
			sealed = 1;
			break;
		case 'u':
			unique = 1;
			break;
		case 'd':
			if (strlen(optarg) != 10 || optarg[4] != '-' ||
			    optarg[7] != '-')
				return 2;
			y = (int)strtol(optarg, NULL, 10);
			mo = (int)strtol(optarg + 5, NULL, 10);
			d = (int)strtol(optarg + 8, NULL, 10);
			break;
		case 'r':
			rng = strtoull(optarg, NULL, 10) | 1;
			break;
		default:
			fprintf(stderr, "usage: auditgen [-n RECORDS] [-s] [-u] "
			    "[-d YYYY-MM-DD] [-r SEED]\n");
			return 2;
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	day = timegm(&tm);
	step = n > 0 ? 86400000000LL / (int64_t)(n + 2) : 1;
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	t_us = (int64_t)day * 1000000;
	for (i = 0; i < n + 2; i++, t_us += step) {
		time_t s = (time_t)(t_us / 1000000);
		struct tm g;

		gmtime_r(&s, &g);
		snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d."
		    "%06d+00:00", g.tm_year + 1900, g.tm_mon + 1, g.tm_mday,
		    g.tm_hour, g.tm_min, g.tm_sec, (int)(t_us % 1000000));
		if (i == 0 || i == n + 1) {
			printf("%s gw1 daytimed[812]: event=%s%s\n", stamp,
			    i == 0 ? "start version=0.1.0 config=/etc/daytimed/"
			    "daytimed.conf rules=44 v4_netblocks=9 v6_netblocks=2 "
			    "listeners=4 workers=2" : "stop reason=signal", "");
			continue;
		}
		x = auditgen_rand() % 1000;
		proto = auditgen_rand() % 10 < 8 ? "tcp" : "udp";
		strcpy(ident, "-");
		strcpy(st, proto[0] == 't' ? "skipped" : "skipped");
		if (x < 700) {
			/* a partner: 10.N.0.0/16 or 2001:db8:N::/48 */
			src = auditgen_skewed(2000);
			dec = "allow";
			if (src % 10 == 9) {
				snprintf(peer, sizeof(peer), "[2001:db8:%x::%x]:%u",
				    (unsigned)(src % 4),
				    (unsigned)(src + 1), 1024 +
				    (unsigned)(auditgen_rand() % 60000));
				snprintf(net, sizeof(net), "2001:db8:%x::/48",
				    (unsigned)(src % 4));
			} else {
				snprintf(peer, sizeof(peer), "10.%u.%u.%u:%u",
				    (unsigned)(src % 8), (unsigned)(src / 256 % 256),
				    (unsigned)(src % 256), 1024 +
				    (unsigned)(auditgen_rand() % 60000));
				snprintf(net, sizeof(net), "10.%u.0.0/16",
				    (unsigned)(src % 8));
			}
			snprintf(rule, sizeof(rule), "/etc/daytimed/rules.d/"
			    "partners.rules:%u", 3 + (unsigned)(src % 8) * 4);
			if (proto[0] == 't') {
				uint64_t k = auditgen_rand() % 100;

				if (k < 80) {
					snprintf(ident, sizeof(ident), "%s",
					    users[src % 8]);
					strcpy(st, "ok");
					if (src % 8 < 2)
						snprintf(rule, sizeof(rule),
						    "/etc/daytimed/rules.d/"
						    "partners.rules:%u", 4 +
						    (unsigned)(src % 8) * 4);
				} else if (k < 90)
					strcpy(st, "timeout");
				else if (k < 95)
					strcpy(st, "error:NO-USER");
				else
					strcpy(st, "refused");
			}
		} else if (x < 950) {
			/* a scan: anywhere; 30% of it from 20 heavy sources */
			src = auditgen_rand() % 10 < 3 ? auditgen_rand() % 20 :
			    20 + auditgen_rand() % 200000;
			src = (src + 1) * 2654435761ULL;
			if (unique)
				src = (i + 1) << 8;
			dec = "deny";
			snprintf(rule, sizeof(rule), "default");
			if (src % 20 == 0) {
				snprintf(peer, sizeof(peer), "[2a0%x:%x:%x::%x]:%u",
				    (unsigned)(src % 16), (unsigned)(src >> 8 &
				    0xffff), (unsigned)(src >> 24 & 0xffff),
				    (unsigned)(src >> 40 & 0xffff), 1024 +
				    (unsigned)(auditgen_rand() % 60000));
				net[0] = '\0';
			} else {
				snprintf(peer, sizeof(peer), "%u.%u.%u.%u:%u",
				    (unsigned)(src >> 8 & 0xff),
				    (unsigned)(src >> 16 & 0xff),
				    (unsigned)(src >> 24 & 0xff),
				    (unsigned)(src >> 32 & 0xff), 1024 +
				    (unsigned)(auditgen_rand() % 60000));
				if ((src >> 8 & 0xff) == 192) {
					snprintf(net, sizeof(net),
					    "192.0.0.0/8");
					snprintf(rule, sizeof(rule), "/etc/"
					    "daytimed/daytimed.conf:40");
				} else
					net[0] = '\0';
			}
		} else {
			src = auditgen_skewed(300);
			dec = "drop";
			snprintf(peer, sizeof(peer), "198.51.100.%u:%u",
			    (unsigned)(src % 250), 1024 +
			    (unsigned)(auditgen_rand() % 60000));
			snprintf(rule, sizeof(rule), "limit:%s",
			    limits[proto[0] == 'u' ? 2 : src % 2]);
			net[0] = '\0';
		}
		printf("%s gw1 daytimed[812]: conn=%016" PRIx64 " proto=%s "
		    "peer=%s local=%s decision=%s rule=%s ident=%s "
		    "ident_status=%s%s%s duration_us=%u bytes=%u", stamp,
		    auditgen_rand(), proto, peer, peer[0] == '[' ?
		    "[2001:db8::13]:13" : "192.0.2.13:13", dec, rule, ident, st,
		    net[0] != '\0' ? " netblock=" : "", net,
		    (unsigned)(auditgen_rand() % 5000), dec[0] == 'a' ? 26 : 0);
		if (sealed)
			printf(" time=%.26sZ epoch=5eed5eed5eed5eed seq=%" PRIu64
			    " mac=%016" PRIx64 "%016" PRIx64 "%016" PRIx64
			    "%016" PRIx64, stamp, i, auditgen_rand(),
			    auditgen_rand(), auditgen_rand(), auditgen_rand());
		putchar('\n');
	}
	return ferror(stdout) ? 1 : 0;
}
