/* SPDX-License-Identifier: ISC */
/*
 * config_list: list files, "allow file PATH" and "deny file PATH". Each
 * line of PATH holds one NETBLOCK, and "#" or ";" starts a comment, so
 * Spamhaus DROP ("1.2.3.0/24 ; SBL123") and FireHOL netsets are read as
 * they are published. Every entry becomes a rule with PATH:LINE. The
 * line reader is a pure function over (buffer, length); the handler
 * reads the file through the parse's loader, as include does.
 */
#ifndef DAYTIMED_CONFIG_LIST_H
#define DAYTIMED_CONFIG_LIST_H

#include <stddef.h>

#include "daemon/config_parse.h"
#include "daemon/config_word.h"

/* What one line of a list file holds. */
enum config_list_kind {
	CONFIG_LIST_BLANK,	/* white space and comments only */
	CONFIG_LIST_ENTRY,	/* one word, in word */
	CONFIG_LIST_LONG,	/* longer than CONFIG_LINE_MAX bytes */
	CONFIG_LIST_NUL,	/* a NUL byte */
	CONFIG_LIST_CONTROL,	/* a control byte, in bad */
	CONFIG_LIST_WORDS	/* more than one word: word, then extra */
};

struct config_list_line {
	enum config_list_kind	 kind;
	unsigned		 line;	/* from 1 */
	size_t			 len;	/* bytes, without the line end */
	int			 bom;	/* a UTF-8 byte order mark opened it */
	unsigned char		 bad;	/* CONFIG_LIST_CONTROL: the byte */
	struct config_token	 word;	/* the netblock text, or the first word */
	struct config_token	 extra;	/* CONFIG_LIST_WORDS: the second word */
};

/*
 * Read the line that starts at *pos of (buf, len) into *out and move
 * *pos and *line past it: 1, or 0 at the end of the buffer. A line ends
 * at LF (CR LF too); the last one may lack it. A byte order mark is
 * taken only at offset 0. Words in out point into buf.
 */
int	config_list_next(const char *buf, size_t len, size_t *pos,
	    unsigned *line, struct config_list_line *out);

/* allow file PATH, deny file PATH (the row's value is the action). */
config_handler_fn	config_list_file;

#endif
