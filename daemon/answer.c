/* SPDX-License-Identifier: ISC */
/*
 * answer: the RFC 867 answer line, "Weekday, Month DD, YYYY HH:MM:SS-ZONE"
 * with CR LF, formatted by hand from a struct tm (no locale, no strftime)
 * into the caller's buffer.
 */
#include "autoconf.h"

#include <stdio.h>
#include <time.h>

#include "daemon/answer.h"

static const char answer_days[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char answer_months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/*
 * The ctime(3) form, spelled out so that neither the locale nor a chroot
 * without locale data can change it: "Thu Nov 26 10:32:52 2026\r\n".
 */
size_t
answer_format(const struct tm *tm, char *buf, size_t len)
{
	int n;

	if (tm->tm_wday < 0 || tm->tm_wday > 6 ||
	    tm->tm_mon < 0 || tm->tm_mon > 11 ||
	    tm->tm_mday < 1 || tm->tm_mday > 31 ||
	    tm->tm_hour < 0 || tm->tm_hour > 23 ||
	    tm->tm_min < 0 || tm->tm_min > 59 ||
	    tm->tm_sec < 0 || tm->tm_sec > 60)
		return 0;
	n = snprintf(buf, len, "%s %s %2d %02d:%02d:%02d %lld\r\n",
	    answer_days[tm->tm_wday], answer_months[tm->tm_mon], tm->tm_mday,
	    tm->tm_hour, tm->tm_min, tm->tm_sec, (long long)tm->tm_year + 1900);
	if (n < 0 || (size_t)n >= len)
		return 0;
	return (size_t)n;
}

/* The line for this moment; localtime_r uses the zone loaded before chroot. */
size_t
answer_now(char *buf, size_t len)
{
	struct tm tm;
	time_t now;

	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL)
		return 0;
	return answer_format(&tm, buf, len);
}
