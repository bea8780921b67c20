/* SPDX-License-Identifier: ISC */
/*
 * config_list: the list file line reader and the "allow file" / "deny
 * file" handler.
 *
 * A list may hold a million entries, so the handler keeps nothing per
 * line but the rule itself: the file name is interned once by the parse
 * (and once more by the rule table), and the parse shows at most
 * CONFIG_DIAG_PER_FILE errors and as many warnings for the file,
 * counting the rest.
 * Every line that is not blank is either a rule or a diagnostic with
 * PATH:LINE: nothing is skipped without a word.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "daemon/config_list.h"
#include "daemon/config_parse.h"
#include "daemon/config_set.h"
#include "daemon/config_word.h"

#define CONFIG_LIST_BOM		"\xef\xbb\xbf"
#define CONFIG_LIST_BOMLEN	3

static void	config_list_words(const char *, size_t,
		    struct config_list_line *);

/* The next line of a list; pure. */
int
config_list_next(const char *buf, size_t len, size_t *pos, unsigned *line,
    struct config_list_line *out)
{
	const char *l, *nl;
	size_t ll, i, comment;

	if (*pos >= len)
		return 0;
	memset(out, 0, sizeof(*out));
	out->line = ++*line;
	l = buf + *pos;
	nl = memchr(l, '\n', len - *pos);
	ll = nl != NULL ? (size_t)(nl - l) : len - *pos;
	*pos += ll + (nl != NULL);
	if (l == buf && ll >= CONFIG_LIST_BOMLEN &&
	    memcmp(l, CONFIG_LIST_BOM, CONFIG_LIST_BOMLEN) == 0) {
		out->bom = 1;
		l += CONFIG_LIST_BOMLEN;
		ll -= CONFIG_LIST_BOMLEN;
	}
	if (ll > 0 && l[ll - 1] == '\r')
		ll--;		/* CR LF line ends */
	out->len = ll;
	if (ll > CONFIG_LINE_MAX) {
		out->kind = CONFIG_LIST_LONG;
		return 1;
	}
	/*
	 * The whole line, comment included, as config_parse_text checks a
	 * configuration file's: a NUL or control byte anywhere says the
	 * file is not the text it should be, comment or not.
	 */
	for (comment = ll, i = 0; i < ll; i++) {
		unsigned char c = (unsigned char)l[i];

		if ((c == '#' || c == ';') && comment == ll)
			comment = i;
		if (c == '\0') {
			out->kind = CONFIG_LIST_NUL;
			return 1;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			out->kind = CONFIG_LIST_CONTROL;
			out->bad = c;
			return 1;
		}
	}
	config_list_words(l, comment, out);
	return 1;
}

/* The words of a line's text before its comment: none, one, or more. */
static void
config_list_words(const char *l, size_t ll, struct config_list_line *out)
{
	struct config_token tok[2];
	size_t n = config_word_split(l, ll, tok, 2);

	if (n >= 1)
		out->word = tok[0];
	if (n >= 2)
		out->extra = tok[1];
	out->kind = n == 0 ? CONFIG_LIST_BLANK : n == 1 ? CONFIG_LIST_ENTRY :
	    CONFIG_LIST_WORDS;
}

/*
 * A word of a list as a message names it: quoted if it could be a
 * netblock, else by its length only (config_word_is_netblock says why);
 * 1 for the latter.
 */
static int
config_list_show(const struct config_token *t, char *buf, size_t len)
{
	char show[80];

	if (config_word_is_netblock(t)) {
		config_word_show(t, show, sizeof(show));
		(void)snprintf(buf, len, "'%s'", show);
		return 0;
	}
	(void)snprintf(buf, len, "a word of %zu bytes", t->len);
	return 1;
}

/* One line that is not an entry: its diagnostic (1: it was an error). */
static int
config_list_bad(struct config_parse *p, const struct config_line *el,
    const struct config_list_line *ll)
{
	char show[96], extra[96];
	int hidden;

	switch (ll->kind) {
	case CONFIG_LIST_LONG:
		config_parse_report(p, 1, el->file, el->line,
		    "line too long (%zu bytes, at most %d)", ll->len,
		    CONFIG_LINE_MAX);
		return 1;
	case CONFIG_LIST_NUL:
		config_parse_report(p, 1, el->file, el->line,
		    "NUL byte in line");
		return 1;
	case CONFIG_LIST_CONTROL:
		config_parse_report(p, 1, el->file, el->line,
		    "control byte \\x%02x in line", ll->bad);
		return 1;
	case CONFIG_LIST_WORDS:
		hidden = config_list_show(&ll->word, show, sizeof(show));
		hidden |= config_list_show(&ll->extra, extra, sizeof(extra));
		config_parse_report(p, 1, el->file, el->line,
		    "one netblock per line, not %s followed by %s (%sa "
		    "comment starts with # or ;)", show, extra, hidden ?
		    "a word that is not a netblock is not shown; " : "");
		return 1;
	default:
		return 0;
	}
}

/*
 * allow file PATH / deny file PATH: PATH relative to the file that
 * names it, read through the loader (and so bundled by the monitor's
 * files-only walk, which stops here), then one rule per entry.
 */
void
config_list_file(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	struct config_list_line ll;
	struct config_line el;
	struct acl_rule r;
	const char *file;
	char path[4096], what[CONFIG_NAME_MAX], show[160], *buf;
	size_t len, pos = 0, entries = 0, bad = 0;
	unsigned line = 0;

	if (snprintf(what, sizeof(what), "%s file", d->words[0]) >=
	    (int)sizeof(what))
		what[0] = '\0';
	if (config_parse_path(l->file, &l->arg[0], path, sizeof(path)) == -1) {
		config_parse_report(p, 1, l->file, l->line,
		    "%s: path too long", what);
		return;
	}
	if ((file = config_parse_read(p, l, what, path, &buf, &len)) == NULL)
		return;
	if (p->mode == CONFIG_PARSE_FILES) {
		free(buf);
		return;
	}
	memset(&el, 0, sizeof(el));
	el.file = file;
	el.listed = 1;
	while (config_list_next(buf, len, &pos, &line, &ll)) {
		el.line = ll.line;
		if (ll.bom)
			config_parse_report(p, 0, file, ll.line, "UTF-8 byte "
			    "order mark at the start of the list: ignored");
		if (ll.kind != CONFIG_LIST_ENTRY) {
			bad += (size_t)config_list_bad(p, &el, &ll);
			continue;
		}
		entries++;
		memset(&r, 0, sizeof(r));
		r.action = (enum acl_action)d->value;
		if (config_set_netblock(p, &el, &ll.word, &r.net) == -1)
			continue;
		if (config_set_add(p, &el, &r) == -1)
			break;	/* too many rules, or no memory: said once */
	}
	if (entries == 0 && bad == 0) {
		config_word_show_str(path, show, sizeof(show));
		config_parse_report(p, 0, l->file, l->line,
		    "%s %s: the list holds no netblock", what, show);
	}
	free(buf);
}
