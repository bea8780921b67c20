/* SPDX-License-Identifier: ISC */
/*
 * config: struct config and its lifecycle (defaults, free), a whole load
 * (config_parse for the text, then the checks that need every file read:
 * a listen line, rules against ident mode, the rule table built), and the
 * syslog facility names. The bytes come from a loader (loader.h: the disk
 * at startup and for -t/-e; the monitor's bundle on reload).
 */
#ifndef DAYTIMED_CONFIG_H
#define DAYTIMED_CONFIG_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "acl/acl.h"
#include "daemon/config_parse.h"

/*
 * The limits a configuration has when it says nothing (daytimed.conf(5),
 * "Built-in limits", gives the reasons): safe with no limit line at all.
 */
#define CONFIG_DEFAULT_CONNECTIONS	256	/* two descriptors each */
#define CONFIG_DEFAULT_PER_SOURCE	8
#define CONFIG_DEFAULT_RATE		10	/* new connections/s per source */
#define CONFIG_DEFAULT_UDP_RATE		5	/* answers/s per source */
#define CONFIG_DEFAULT_UDP_TOTAL	100	/* answers/s, all sources */
#define CONFIG_WORKERS_MAX		64	/* event loops at most */

enum ident_mode { IDENT_MODE_ALWAYS = 0, IDENT_MODE_RULES, IDENT_MODE_OFF };

/* Where the last epoch is remembered when "audit state" is not given. */
#define CONFIG_AUDIT_STATE	LOCALSTATEDIR "/lib/daytimed/audit.state"

#define CONFIG_LISTEN_ADDR_MAX	56	/* "[IPV6]:PORT" with its NUL */

struct config_listen {
	int			proto;		/* SOCK_STREAM or SOCK_DGRAM */
	struct sockaddr_storage	ss;
	socklen_t		sslen;
	char			text[64];	/* "tcp 127.0.0.1:13", normalised */
	unsigned		line;
	int			proxy;		/* expects a PROXY protocol header */
};

struct config {
	char			*file;		/* the main file */
	struct config_listen	 listens[CONFIG_LISTEN_MAX];
	size_t			 nlistens;
	char			*user;
	char			*group;
	char			*chroot;
	char			*pidfile;
	int			 pidfile_arg;	/* pidfile: daytimed -p's */
	char			*syslog_socket;	/* default /dev/log */
	int			 facility;	/* LOG_DAEMON ... */
	int			 audit_facility;  /* the records'; -1: facility */
	enum ident_mode		 ident_mode;
	struct timeval		 ident_timeout;
	unsigned		 ident_port;
	unsigned		 limit_connections;	/* 0: unlimited */
	unsigned		 limit_per_source;
	unsigned		 limit_rate;	/* new connections/s per source */
	unsigned		 limit_udp_rate;
	unsigned		 limit_udp_total;	/* answers/s, all sources */
	unsigned		 source_prefix[2];	/* a source: IPv4, IPv6 bits */
	int			 udp_privileged_ports;	/* answer sources < 1024 */
	unsigned		 workers;
	int			 seccomp;	/* the engine's system call filter */
	char			*audit_key;
	struct acl_prefix	*proxies;	/* trusted to send PROXY headers */
	struct config_seen	*proxy_seen;	/* where each was given (-T) */
	size_t			 nproxies;
	struct timeval		 proxy_timeout;	/* the header within this */
	char			*audit_signing_key;	/* host's Ed25519 key */
	char			*audit_state;	/* NULL: CONFIG_AUDIT_STATE */
	struct acl		*acl;
	struct acl_stats	 stats;
	size_t			 nfiles;	/* files read, includes too */
	/* Where each setting came from, for -T (config_show.c): */
	struct config_parse_file *names;	/* the files read */
	size_t			 nnames;
	struct config_seen	*origin;	/* per directive row; file NULL:
						   the default */
	const char		*listen_file[CONFIG_LISTEN_MAX];
	_Atomic unsigned	 refs;	/* holders less one: 0 is the first */
};

/*
 * Parse the configuration rooted at file. Every error and warning goes to
 * diag; returns NULL when there was at least one error.
 */
struct config *config_load(const char *file, const struct config_loader *,
	    config_diag_fn *, void *arg);
/* The same, with CONFIG_LOAD_* flags. */
#define CONFIG_LOAD_INETD	0x1	/* -i: no listen line needed */
#define CONFIG_LOAD_TALLY	0x2	/* diag hears what is not shown */
struct config *config_load_flags(const char *file,
	    const struct config_loader *, unsigned flags, config_diag_fn *,
	    void *arg);
/*
 * The same, but what was parsed comes back with errors too, counted in
 * *errors (its rule table may be missing): preflight judges the files a
 * failed load read for the run user it names.
 */
struct config *config_load_partial(const char *file,
	    const struct config_loader *, unsigned flags, int *errors,
	    config_diag_fn *, void *arg);
/* Parse one in-memory file with no includes allowed (tests, fuzzing). */
struct config *config_parse_buffer(const char *name, const char *buf,
	    size_t len, config_diag_fn *, void *arg);
void	config_free(struct config *);

/*
 * Where the directive key ("user", "audit key") was given: 0 with *file
 * and *line, or -1 when it was not (its value is the default).
 */
int	config_origin(const struct config *, const char *key,
	    const char **file, unsigned *line);

/* Facility number for a name ("daemon", "local0", ...), or -1. */
/* Whether a peer of some listener can be looked up: a plain TCP one. */
int	config_looks_up(const struct config *);
int	config_facility(const char *);
/* The name of a facility number, or NULL. */
const char *config_facility_name(int);
/* The facility audit records go to: audit-facility, else facility. */
int	config_audit_facility(const struct config *);
/* The audit state file: audit state, else CONFIG_AUDIT_STATE. */
const char *config_audit_state(const struct config *);
/* The number of event loops this configuration gives on this host. */
unsigned config_workers(const struct config *);

/* Whether a is inside one of the proxy netblocks (may send a PROXY header). */
int	config_proxy_trusted(const struct config *, const struct acl_addr *a);

/*
 * A configuration in use is shared: the engine holds the current one,
 * each event loop a reference to it, and each connection in flight the
 * one it took. A new configuration has one holder.
 */
void	config_ref(struct config *);
/*
 * Drop a reference. The last one frees the configuration on a thread of
 * its own: a table of a million rules takes tens of milliseconds to free,
 * and that must never happen on an event loop.
 */
void	config_unref(struct config *);
/*
 * A reload keeps what needs a restart (listen lines with their proxy
 * mark, user, group, chroot, pidfile, syslog, audit key, signing-key and
 * state, workers, seccomp; the proxy netblocks and proxy timeout are not
 * among them: like the rules, they take effect for new connections) from
 * the running configuration old in the new one, and warns through diag
 * (file NULL) for each that changed. Returns -1 when out of memory.
 */
int	config_keep_fixed(struct config *, const struct config *old,
	    config_diag_fn *, void *arg);

#endif
