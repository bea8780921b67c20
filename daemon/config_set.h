/* SPDX-License-Identifier: ISC */
/*
 * config_set: the handlers the directive table (config_parse.c) names,
 * one per kind of setting. Each is a config_handler_fn.
 */
#ifndef DAYTIMED_CONFIG_SET_H
#define DAYTIMED_CONFIG_SET_H

#include "daemon/config_parse.h"

config_handler_fn	config_set_listen;	/* listen tcp|udp ADDR:PORT [proxy] */
config_handler_fn	config_set_rule;	/* allow|deny NETBLOCK [user] */
config_handler_fn	config_set_string;	/* a string at d->field */
config_handler_fn	config_set_uint;	/* numbers from d->field on */
config_handler_fn	config_set_facility;	/* syslog facility NAME */
config_handler_fn	config_set_ident_mode;	/* ident mode always|... */
config_handler_fn	config_set_seconds;	/* a timeval at d->field */
config_handler_fn	config_set_choice;	/* a choice's index at d->field */
config_handler_fn	config_set_proxy;	/* proxy NETBLOCK */

struct acl_prefix;
struct acl_rule;

/*
 * A NETBLOCK word of line l into *net: 0, with a warning reported for
 * host bits or an IPv4-mapped netblock; -1 after reporting an error.
 */
int	config_set_netblock(struct config_parse *, const struct config_line *l,
	    const struct config_token *word, struct acl_prefix *net);
/*
 * Add rule r, stated on line l (its FILE:LINE), to the parse's build;
 * -1 after reporting why not (too many rules, out of memory).
 */
int	config_set_add(struct config_parse *, const struct config_line *l,
	    struct acl_rule *r);

#endif
