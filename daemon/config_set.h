/* SPDX-License-Identifier: ISC */
/*
 * config_set: the handlers the directive table (config_parse.c) names,
 * one per kind of setting. Each is a config_handler_fn.
 */
#ifndef DAYTIMED_CONFIG_SET_H
#define DAYTIMED_CONFIG_SET_H

#include "daemon/config_parse.h"

config_handler_fn	config_set_listen;	/* listen tcp|udp ADDR:PORT */
config_handler_fn	config_set_rule;	/* allow|deny NETBLOCK [user] */
config_handler_fn	config_set_string;	/* a string at d->field */
config_handler_fn	config_set_uint;	/* numbers from d->field on */
config_handler_fn	config_set_facility;	/* syslog facility NAME */
config_handler_fn	config_set_ident_mode;	/* ident mode always|... */
config_handler_fn	config_set_seconds;	/* a timeval at d->field */
config_handler_fn	config_set_choice;	/* a choice's index at d->field */

#endif
