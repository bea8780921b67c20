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

enum ident_mode { IDENT_MODE_ALWAYS = 0, IDENT_MODE_RULES, IDENT_MODE_OFF };

struct config_listen {
	int			proto;		/* SOCK_STREAM or SOCK_DGRAM */
	struct sockaddr_storage	ss;
	socklen_t		sslen;
	char			text[64];	/* "tcp 127.0.0.1:13" as written */
	unsigned		line;
};

struct config {
	char			*file;		/* the main file */
	struct config_listen	 listens[CONFIG_LISTEN_MAX];
	size_t			 nlistens;
	char			*user;
	char			*group;
	char			*chroot;
	char			*pidfile;
	char			*syslog_socket;	/* default /dev/log */
	int			 facility;	/* LOG_DAEMON ... */
	enum ident_mode		 ident_mode;
	struct timeval		 ident_timeout;
	unsigned		 ident_port;
	unsigned		 limit_connections;	/* 0: unlimited */
	unsigned		 limit_per_source;
	unsigned		 limit_udp_rate;
	unsigned		 limit_udp_total;	/* answers/s, all sources */
	int			 udp_privileged_ports;	/* answer sources < 1024 */
	unsigned		 workers;
	char			*audit_key;
	struct acl		*acl;
	struct acl_stats	 stats;
	size_t			 nfiles;	/* files read, includes too */
};

/*
 * Parse the configuration rooted at file. Every error and warning goes to
 * diag; returns NULL when there was at least one error.
 */
struct config *config_load(const char *file, const struct config_loader *,
	    config_diag_fn *, void *arg);
/* Parse one in-memory file with no includes allowed (tests, fuzzing). */
struct config *config_parse_buffer(const char *name, const char *buf,
	    size_t len, config_diag_fn *, void *arg);
void	config_free(struct config *);

/* Facility number for a name ("daemon", "local0", ...), or -1. */
int	config_facility(const char *);

#endif
