/* SPDX-License-Identifier: ISC */
/*
 * link: the prev= text of an epoch's start record and the state file's
 * line (see link.h). Pure; one spelling per link: lowercase hex, a
 * decimal seq without leading zeros, "stop" or "run".
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "compat/compat.h"
#include "audit/link.h"

/* The prev= value: none, broken, or ID:SEQ:stop|run. */
int
link_format(const struct link *l, char *buf, size_t len)
{
	int n;

	switch (l->kind) {
	case LINK_NONE:
		n = snprintf(buf, len, "none");
		break;
	case LINK_BROKEN:
		n = snprintf(buf, len, "broken");
		break;
	default:
		n = snprintf(buf, len, "%.*s:%" PRIu64 ":%s", LINK_EPOCH_HEX,
		    l->epoch, l->seq, l->stopped ? "stop" : "run");
		break;
	}
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* Parse a prev= value strictly. */
int
link_parse(const char *s, size_t len, struct link *l)
{
	unsigned long long seq;
	const char *c1, *c2;
	size_t i, sl;

	memset(l, 0, sizeof(*l));
	if (len == 4 && memcmp(s, "none", 4) == 0) {
		l->kind = LINK_NONE;
		return 0;
	}
	if (len == 6 && memcmp(s, "broken", 6) == 0) {
		l->kind = LINK_BROKEN;
		return 0;
	}
	if (len < LINK_EPOCH_HEX + 2 || s[LINK_EPOCH_HEX] != ':')
		return -1;
	for (i = 0; i < LINK_EPOCH_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
	c1 = s + LINK_EPOCH_HEX;
	if ((c2 = memchr(c1 + 1, ':', len - LINK_EPOCH_HEX - 1)) == NULL)
		return -1;
	sl = (size_t)(c2 - c1 - 1);
	if (sl == 0 || (sl > 1 && c1[1] == '0') ||
	    compat_parse_uint(c1 + 1, sl, UINT64_MAX, &seq) == -1)
		return -1;
	if ((size_t)(s + len - c2 - 1) == 4 && memcmp(c2 + 1, "stop", 4) == 0)
		l->stopped = 1;
	else if ((size_t)(s + len - c2 - 1) == 3 && memcmp(c2 + 1, "run", 3) == 0)
		l->stopped = 0;
	else
		return -1;
	memcpy(l->epoch, s, LINK_EPOCH_HEX);
	l->epoch[LINK_EPOCH_HEX] = '\0';
	l->seq = seq;
	l->kind = LINK_EPOCH;
	return 0;
}

/* "daytimed-audit-state-v1 ID:SEQ:stop\n" */
int
link_state_format(const struct link *l, char *buf, size_t len)
{
	char t[LINK_TEXT_MAX];
	int n;

	if (l->kind != LINK_EPOCH || link_format(l, t, sizeof(t)) == -1)
		return -1;
	n = snprintf(buf, len, "%s%s\n", LINK_STATE_MAGIC, t);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* The state file: the magic, an epoch link, a newline, nothing else. */
int
link_state_parse(const char *buf, size_t len, struct link *l)
{
	size_t ml = sizeof(LINK_STATE_MAGIC) - 1;

	memset(l, 0, sizeof(*l));
	if (len < ml + 1 || len > LINK_STATE_MAX ||
	    memcmp(buf, LINK_STATE_MAGIC, ml) != 0 || buf[len - 1] != '\n')
		return -1;
	if (link_parse(buf + ml, len - ml - 1, l) == -1 ||
	    l->kind != LINK_EPOCH) {
		memset(l, 0, sizeof(*l));
		return -1;
	}
	return 0;
}
