/* SPDX-License-Identifier: ISC */
/*
 * config_parse: configuration text -> settings in a struct config, rules
 * into an acl build, or FILE:LINE diagnostics. The tokenizer and the table
 * of directives live here. Pure: the bytes of each file come only through
 * a loader (struct config_loader), so the same parser serves the disk at
 * startup, -t and -e, and the monitor's bundle on reload. In the FILES
 * mode only the directives that read files run: the monitor follows the
 * same includes and list files the full parse would, and nothing else.
 *
 * Diagnostics are bounded: at most CONFIG_DIAG_PER_FILE errors and as many
 * warnings are shown for one file, CONFIG_DIAG_MAX of each in all, the
 * rest are counted and summed up by config_parse_summary, one line per
 * file and one for all (a list of a million entries, or a file that
 * includes itself on every line, must not make a million lines). Errors
 * and warnings have a bound each so that no number of warnings can hide
 * the error that stops the configuration.
 */
#ifndef DAYTIMED_CONFIG_PARSE_H
#define DAYTIMED_CONFIG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/config_word.h"

#define CONFIG_LINE_MAX		4096	/* longest line, newline excluded */
#define CONFIG_TOKENS_MAX	8	/* words in one line */
#define CONFIG_INCLUDE_DEPTH	8
#define CONFIG_FILES_MAX	1024	/* files in one configuration */
#define CONFIG_KEY_MAX		3	/* words naming a directive */
#define CONFIG_NUM_MAX		2	/* numeric arguments of a directive */
#define CONFIG_LISTEN_MAX	64	/* listen lines */
#define CONFIG_PROXY_MAX	256	/* proxy netblocks */
#define CONFIG_NAME_MAX		64	/* a directive's name in messages */
#define CONFIG_RULES_MAX	(1u << 22)	/* rules in one configuration */
#define CONFIG_DIAG_PER_FILE	100	/* errors, and warnings, for one file */
#define CONFIG_DIAG_MAX		500	/* errors, and warnings, in all */

struct acl_build;
struct config;
struct config_parse;
struct config_directive;

/*
 * Diagnostics: is_error 0 is a warning. file NULL: no position. A parse
 * with tally set (CONFIG_LOAD_TALLY) also hands over each diagnostic
 * past the bounds, with msg NULL, and sets CONFIG_DIAG_SUM in is_error
 * for the lines that say how many were not shown: whoever counts the
 * problems counts the former and not the latter. A counted one's file
 * and line are not to be relied on (preflight_load, holding a first
 * read back, hands them over later with neither).
 */
typedef void config_diag_fn(void *arg, int is_error, const char *file,
    unsigned line, const char *msg);
#define CONFIG_DIAG_SUM		0x2	/* in is_error: "N more not shown" */

/* What a file is, whatever its name, to find include loops: 0 0 unknown. */
struct config_file_id {
	uint64_t	dev;
	uint64_t	ino;
};

/*
 * Where file bytes come from. glob returns the sorted names matching a
 * pattern (0 and *names NULL for none; -1 with errno for an error) and
 * read returns a file's bytes and identity (-1 and a message in err on
 * failure).
 */
struct config_loader {
	int	(*glob)(void *arg, const char *pattern, char ***names,
		    size_t *n, char *err, size_t errlen);
	int	(*read)(void *arg, const char *name, char **buf, size_t *len,
		    struct config_file_id *id, char *err, size_t errlen);
	void	*arg;
};

/* One line of a directive, as its handler sees it. */
struct config_line {
	const char		*file;		/* interned for the parse */
	unsigned		 line;
	const struct config_token *arg;		/* the words after the key */
	size_t			 narg;
	unsigned long long	 num[CONFIG_NUM_MAX];	/* numeric arguments */
	int			 listed;	/* a list file's line */
};

typedef void config_handler_fn(struct config_parse *,
    const struct config_directive *, const struct config_line *);

/* Directive flags. */
#define CONFIG_ONCE	0x01	/* a second one is an error naming the first */
#define CONFIG_ABSOLUTE	0x02	/* the argument must be an absolute path */
#define CONFIG_FILES	0x04	/* reads files: runs in the FILES mode too */
#define CONFIG_LISTED	0x08	/* an unknown second word lists the family */
#define CONFIG_OFF	0x10	/* the number may be "off" instead (0) */

/* Bounds of one numeric argument. */
struct config_range {
	unsigned long long	 min, max;
};

/*
 * One row of the table. The dispatcher matches the key (the longest that
 * fits), checks the number of arguments (and choices) for the usage line,
 * then once, then the numeric arguments, and only then calls the handler.
 */
struct config_directive {
	const char		*words[CONFIG_KEY_MAX];	/* the key */
	const char		*usage;		/* the arguments, as usage shows */
	unsigned		 flags;		/* CONFIG_ONCE ... */
	unsigned char		 amin, amax;	/* how many argument words */
	config_handler_fn	*handler;
	size_t			 field;		/* offset in struct config */
	unsigned char		 nnum;		/* the first nnum are numbers */
	struct config_range	 num[CONFIG_NUM_MAX];
	const char *const	*choices;	/* the argument is one of these */
	int			 value;		/* a constant for the handler */
};

/* A file the parse read: its name, and how many diagnostics it drew. */
struct config_parse_file {
	char		*name;		/* interned: rules point at it */
	unsigned	 shown[2];	/* [0] warnings, [1] errors */
	size_t		 hidden_errors, hidden_warnings;
};

/* Where a once-directive was first given, to name it in errors. */
struct config_seen {
	const char	*file;
	unsigned	 line;
};

/* A file being read (the include stack) and what it is. */
struct config_frame {
	const char		*file;
	struct config_file_id	 id;
};

enum config_parse_mode {
	CONFIG_PARSE_ALL,	/* every directive */
	CONFIG_PARSE_FILES	/* only those that read files */
};

/*
 * One parse. config.c owns it for a load: it reads errors and the rule
 * facts below after the parse, then runs the whole-file checks.
 */
struct config_parse {
	struct config			*conf;		/* NULL in FILES mode */
	struct acl_build		*build;		/* NULL in FILES mode */
	const struct config_loader	*loader;	/* NULL: no includes */
	config_diag_fn			*diag;
	void				*diag_arg;
	enum config_parse_mode		 mode;
	int				 tally;		/* see config_diag_fn */
	int				 errors;
	size_t				 nuser_rules;
	const char			*first_user_file;
	unsigned			 first_user_line;
	size_t				 nrules;	/* added to build */
	/* for config_parse.c and its handlers only */
	struct config_frame		 stack[CONFIG_INCLUDE_DEPTH + 1];
	size_t				 depth;
	struct config_parse_file	*files;		/* every file read */
	size_t				 nfiles;
	size_t				 lastdiag;	/* files[] of the last one */
	size_t				 shown[2];	/* [1] errors */
	size_t				 hidden_errors;	/* past CONFIG_DIAG_MAX */
	size_t				 hidden_warnings;
	struct config_seen		*seen;		/* one per table row */
	const char			*listen_file[CONFIG_LISTEN_MAX];
};

/*
 * Start a parse; -1 (reported) when out of memory. For CONFIG_PARSE_ALL
 * the caller then sets conf and build.
 */
int	config_parse_begin(struct config_parse *, enum config_parse_mode,
	    const struct config_loader *, config_diag_fn *, void *);
/*
 * Parse the bytes of one file (the include code hands each file here);
 * id is what the loader said the file is.
 */
void	config_parse_text(struct config_parse *, const char *name,
	    const char *buf, size_t len, const struct config_file_id *id);
/* Parse file: its bytes from buf when not NULL, else from the loader. */
void	config_parse_run(struct config_parse *, const char *file,
	    const char *buf, size_t len);
/* How many files the parse read. */
size_t	config_parse_nfiles(const struct config_parse *);
/*
 * Report, per file and then for all, the diagnostics that were counted
 * but not shown.
 */
void	config_parse_summary(struct config_parse *);
/* Free what the parse holds; the file names rules point at go too. */
void	config_parse_end(struct config_parse *);
/* Follow every file the configuration at file reads, nothing more. */
void	config_parse_files(const char *file, const struct config_loader *);
/* Report one diagnostic, formatted and bounded. */
void	config_parse_report(struct config_parse *, int is_error,
	    const char *file, unsigned line, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/*
 * How errors name a directive: a string setting with its argument ("user
 * NAME", "audit key PATH"), any other by its key ("limit connections").
 */
void	config_parse_name(const struct config_directive *, char *, size_t);
/* Report "usage: KEY ARGUMENTS" for the line. */
void	config_parse_usage(struct config_parse *,
	    const struct config_directive *, const struct config_line *);
/*
 * A path as a directive names it: an absolute arg as is, a relative one
 * against the directory of the file that names it (from). -1: too long.
 */
int	config_parse_path(const char *from, const struct config_token *arg,
	    char *buf, size_t len);
/*
 * Read the file at path through the loader for the directive on line l
 * (what: its name in messages, "allow file"). Returns the file name,
 * interned for the life of the parse, and its bytes in *buf (the
 * caller frees them); NULL when it was reported as an error at l.
 */
const char *config_parse_read(struct config_parse *, const struct config_line *l,
	    const char *what, const char *path, char **buf, size_t *len);
/* The table of directives (tests check that each row is covered). */
const struct config_directive *config_parse_table(size_t *n);
/* The row whose key is the words of key ("audit key"), or -1. */
int	config_parse_row(const char *key);

#endif
