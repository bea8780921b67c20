/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the grammar of the engine's messages to the monitor (monmsg.h):
 * the bytes an engine taken over could send the monitor, which holds the
 * pidfile and signals the engine. Any bytes: a whole message has its
 * fields in range and its size within the input and MONMSG_MAX, reads the
 * same with what follows it cut off, and every shorter prefix of it asks
 * for more, never past its end; more bytes never make a bad start good.
 * The same bytes as a /proc/PID/stat text: a state letter, or none.
 */
#include "autoconf.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/life.h"
#include "daemon/monmsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether m is a message of the grammar at the start of (buf, size). */
static void
fuzz_check_whole(const char *buf, size_t size, const struct monmsg *m)
{
	if (m->size < 1 || m->size > size || m->size > MONMSG_MAX ||
	    m->kind != (unsigned char)buf[0])
		abort();
	switch (m->kind) {
	case MONMSG_UP:
	case MONMSG_RELOAD:
		if (m->size != 1)
			abort();
		break;
	case MONMSG_SIGNAL:
		if (m->size != 6 || m->sig < 1 || m->sig >= NSIG ||
		    m->pid < 0 || m->pid > LIFE_PID_MAX)
			abort();
		break;
	case MONMSG_OUTCOME:
	case MONMSG_KEPT:
		if (m->len > MONMSG_TEXT_MAX || m->size != 5 + m->len ||
		    m->text != buf + 5)
			abort();
		break;
	default:
		abort();
	}
}

/* One input: what the monitor read of its channel. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct monmsg m, again;
	enum monmsg_rc rc;
	size_t need, len;
	char st;

	/* The other text the monitor reads of the engine: /proc/PID/stat. */
	st = monmsg_proc_state(buf, size);
	if (st != 0 && (st < 'A' || st > 'z' || memchr(buf, ')', size) == NULL))
		abort();
	rc = monmsg_parse(buf, size, &m, &need);
	if (rc == MONMSG_MORE) {
		if (need < 1 || size + need > MONMSG_MAX || m.kind != 0)
			abort();
		return 0;
	}
	if (rc == MONMSG_BAD) {
		if (m.kind != 0)
			abort();
		/* Bad stays bad: a prefix was not yet, or already, bad. */
		for (len = 0; len < size; len++)
			if (monmsg_parse(buf, len, &again, &need) == MONMSG_WHOLE)
				abort();
		return 0;
	}
	if (rc != MONMSG_WHOLE)
		abort();
	fuzz_check_whole(buf, size, &m);
	if (monmsg_parse(buf, m.size, &again, &need) != MONMSG_WHOLE ||
	    memcmp(&m, &again, sizeof(m)) != 0)
		abort();
	for (len = 0; len < m.size; len++)
		if (monmsg_parse(buf, len, &again, &need) != MONMSG_MORE ||
		    len + need > m.size)
			abort();
	return 0;
}
