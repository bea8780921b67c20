/* SPDX-License-Identifier: ISC */
/*
 * monmsg: the engine's messages to the monitor, judged byte by byte; and
 * the engine's state as /proc/PID/stat tells the monitor.
 */
#include "autoconf.h"

#include <sys/types.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "daemon/life.h"
#include "daemon/monmsg.h"

#define MONMSG_SIGNAL_SIZE	6	/* 'S' SIG PID[4] */
#define MONMSG_TEXT_HDR		5	/* 'O' LEN[4] */

_Static_assert(LIFE_PID_MAX <= INT32_MAX, "a pid the wire holds is a pid_t");

/* A big-endian 32-bit number. */
static uint32_t
monmsg_get32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

/* Wanted: size bytes in all, len there. */
static enum monmsg_rc
monmsg_more(struct monmsg *m, size_t len, size_t size, size_t *need)
{
	memset(m, 0, sizeof(*m));
	*need = size - len;
	return MONMSG_MORE;
}

/* Not a message of the grammar. */
static enum monmsg_rc
monmsg_bad(struct monmsg *m)
{
	memset(m, 0, sizeof(*m));
	return MONMSG_BAD;
}

enum monmsg_rc
monmsg_parse(const char *buf, size_t len, struct monmsg *m, size_t *need)
{
	uint32_t v;
	int sig;

	*need = 0;
	if (len == 0)
		return monmsg_more(m, len, 1, need);
	memset(m, 0, sizeof(*m));
	switch (buf[0]) {
	case MONMSG_UP:
	case MONMSG_RELOAD:
		m->kind = buf[0];
		m->size = 1;
		return MONMSG_WHOLE;
	case MONMSG_SIGNAL:
		if (len < 2)
			return monmsg_more(m, len, MONMSG_SIGNAL_SIZE, need);
		sig = (unsigned char)buf[1];
		if (sig < 1 || sig >= NSIG)
			return monmsg_bad(m);
		if (len < MONMSG_SIGNAL_SIZE)
			return monmsg_more(m, len, MONMSG_SIGNAL_SIZE, need);
		if ((v = monmsg_get32(buf + 2)) > LIFE_PID_MAX)
			return monmsg_bad(m);
		m->kind = MONMSG_SIGNAL;
		m->sig = sig;
		m->pid = (pid_t)v;
		m->size = MONMSG_SIGNAL_SIZE;
		return MONMSG_WHOLE;
	case MONMSG_OUTCOME:
	case MONMSG_KEPT:
		if (len < MONMSG_TEXT_HDR)
			return monmsg_more(m, len, MONMSG_TEXT_HDR, need);
		if ((v = monmsg_get32(buf + 1)) > MONMSG_TEXT_MAX)
			return monmsg_bad(m);
		if (len < MONMSG_TEXT_HDR + (size_t)v)
			return monmsg_more(m, len, MONMSG_TEXT_HDR + (size_t)v,
			    need);
		m->kind = buf[0];
		m->text = buf + MONMSG_TEXT_HDR;
		m->len = v;
		m->size = MONMSG_TEXT_HDR + (size_t)v;
		return MONMSG_WHOLE;
	default:
		return monmsg_bad(m);
	}
}

char
monmsg_proc_state(const char *buf, size_t len)
{
	size_t i = len;

	while (i > 0 && buf[i - 1] != ')')
		i--;
	if (i == 0 || i + 2 > len || buf[i] != ' ' || buf[i + 1] < 'A' ||
	    buf[i + 1] > 'z' || (i + 2 < len && buf[i + 2] != ' '))
		return 0;
	return buf[i + 1];
}
