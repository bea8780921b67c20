/* SPDX-License-Identifier: ISC */
/*
 * config_diag: the one place a parse's diagnostics are formatted, and
 * the bounds on how many are shown (CONFIG_DIAG_PER_FILE errors and as
 * many warnings for one file, CONFIG_DIAG_MAX of each in all): past
 * them each is counted, heard without its text by a tally
 * (CONFIG_LOAD_TALLY), and summed up at the end in one line per file and
 * one for the rest, so a flood of warnings never hides an error.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/config_parse.h"

#define CONFIG_PARSE_MSG_MAX	1536

static struct config_parse_file *config_parse_file_of(struct config_parse *,
		    const char *);
static int	config_parse_more(char *, size_t, size_t, const char *);
static void	config_parse_sum(struct config_parse *, const char *, size_t,
		    size_t, int, const char *);

/* The parse's record of a file, found by name (the last one first), or NULL. */
static struct config_parse_file *
config_parse_file_of(struct config_parse *p, const char *file)
{
	size_t i;

	if (p->lastdiag < p->nfiles &&
	    (p->files[p->lastdiag].name == file ||
	    strcmp(p->files[p->lastdiag].name, file) == 0))
		return &p->files[p->lastdiag];
	for (i = 0; i < p->nfiles; i++)
		if (p->files[i].name == file || strcmp(p->files[i].name,
		    file) == 0) {
			p->lastdiag = i;
			return &p->files[i];
		}
	return NULL;
}

/*
 * One place formats diagnostics; the caller's diag adds nothing but
 * FILE:LINE. Past CONFIG_DIAG_PER_FILE errors (or warnings) for one file,
 * or CONFIG_DIAG_MAX in all, they are counted, not formatted:
 * config_parse_summary reports the counts, and a tally hears each one
 * without its text.
 */
void
config_parse_report(struct config_parse *p, int is_error, const char *file,
    unsigned line, const char *fmt, ...)
{
	struct config_parse_file *f = NULL;
	char msg[CONFIG_PARSE_MSG_MAX];
	size_t *hidden = NULL;
	va_list ap;

	is_error = is_error != 0;	/* an index of shown[] */
	if (is_error)
		p->errors++;
	if (p->diag == NULL)
		return;
	if (p->shown[is_error] >= CONFIG_DIAG_MAX)
		hidden = is_error ? &p->hidden_errors : &p->hidden_warnings;
	else if (file != NULL && (f = config_parse_file_of(p, file)) != NULL &&
	    f->shown[is_error] >= CONFIG_DIAG_PER_FILE)
		hidden = is_error ? &f->hidden_errors : &f->hidden_warnings;
	if (hidden != NULL) {
		(*hidden)++;
		if (p->tally)
			p->diag(p->diag_arg, is_error, file, line, NULL);
		return;
	}
	if (f != NULL)
		f->shown[is_error]++;
	p->shown[is_error]++;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	va_end(ap);
	p->diag(p->diag_arg, is_error, file, line, msg);
}

/* "3 more errors", "1 more warning": a count that is not zero. */
static int
config_parse_more(char *buf, size_t len, size_t n, const char *what)
{
	int r = n == 0 ? snprintf(buf, len, "%s", "") :
	    snprintf(buf, len, "%zu more %s%s", n, what, n == 1 ? "" : "s");

	return r < 0 || (size_t)r >= len ? -1 : 0;
}

/*
 * "N more errors and M more warnings not shown (at most K of each are
 * shown WHERE)".
 */
static void
config_parse_sum(struct config_parse *p, const char *file, size_t errors,
    size_t warnings, int most, const char *where)
{
	char msg[CONFIG_PARSE_MSG_MAX], e[64], w[64];
	int n;

	if (errors + warnings == 0 || config_parse_more(e, sizeof(e), errors,
	    "error") == -1 || config_parse_more(w, sizeof(w), warnings,
	    "warning") == -1)
		return;
	n = snprintf(msg, sizeof(msg), "%s%s%s not shown (at most %d of each "
	    "are shown %s)", e, e[0] != '\0' && w[0] != '\0' ? " and " : "",
	    w, most, where);
	if (n > 0 && (size_t)n < sizeof(msg))
		p->diag(p->diag_arg, (errors > 0) |
		    (p->tally ? CONFIG_DIAG_SUM : 0), file, 0, msg);
}

/*
 * One line per file for the diagnostics that were not shown, while lines
 * of its kind (an error if errors were not shown) may still be shown;
 * then one line for all the rest.
 */
void
config_parse_summary(struct config_parse *p)
{
	const struct config_parse_file *f;
	size_t i;
	int is_error;

	for (i = 0; p->diag != NULL && i < p->nfiles; i++) {
		f = &p->files[i];
		if (f->hidden_errors + f->hidden_warnings == 0)
			continue;
		is_error = f->hidden_errors > 0;
		if (p->shown[is_error] >= CONFIG_DIAG_MAX) {
			p->hidden_errors += f->hidden_errors;
			p->hidden_warnings += f->hidden_warnings;
			continue;
		}
		p->shown[is_error]++;
		config_parse_sum(p, f->name, f->hidden_errors,
		    f->hidden_warnings, CONFIG_DIAG_PER_FILE, "for one file");
	}
	if (p->diag != NULL)
		config_parse_sum(p, NULL, p->hidden_errors, p->hidden_warnings,
		    CONFIG_DIAG_MAX, "in all");
}
