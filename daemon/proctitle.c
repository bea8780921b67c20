/* SPDX-License-Identifier: ISC */
/*
 * proctitle: the argv rewrite. The kernel shows /proc/PID/cmdline from
 * the memory where argv's strings were, and continues into the
 * environment's strings when the last byte of argv's is no NUL; so the
 * room for a title is argv's strings and the environment's after them,
 * as far as they are contiguous. Both are copied to the heap first
 * (environ and argv then point at the copies), and the room is ours.
 */
#include "autoconf.h"

#include <sys/prctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/proctitle.h"

#define PROCTITLE_MAX	128

extern char **environ;

static char	*proctitle_room;	/* where argv[0] was; NULL: none */
static size_t	 proctitle_len;
static char	**proctitle_args;	/* the copies argv points at now */

/* Copy argv and the environment away, and keep their memory. */
void
proctitle_init(int argc, char **argv)
{
	char *end, **env, **args;
	size_t n, i;

	if (argc < 1 || argv[0] == NULL)
		return;
	end = argv[0] + strlen(argv[0]) + 1;
	for (i = 1; i < (size_t)argc && argv[i] == end; i++)
		end = argv[i] + strlen(argv[i]) + 1;
	if (i < (size_t)argc)
		return;		/* not the layout we know: leave it */
	for (n = 0; environ != NULL && environ[n] != NULL; n++)
		;
	if ((env = calloc(n + 1, sizeof(*env))) == NULL ||
	    (args = calloc((size_t)argc + 1, sizeof(*args))) == NULL) {
		free(env);
		return;
	}
	for (i = 0; i < n; i++) {
		if (environ[i] == end)
			end = environ[i] + strlen(environ[i]) + 1;
		if ((env[i] = strdup(environ[i])) == NULL)
			return;	/* half-copied: the copies leak, nothing breaks */
	}
	for (i = 0; i < (size_t)argc; i++)
		if ((args[i] = strdup(argv[i])) == NULL)
			return;
	proctitle_room = argv[0];
	proctitle_len = (size_t)(end - argv[0]);
	for (i = 0; i < (size_t)argc; i++)
		argv[i] = args[i];
	proctitle_args = args;	/* they live as long as the process */
	environ = env;
}

/* "daytimed: what" over the old command line, the rest zeroed. */
void
proctitle_set(const char *what)
{
	char title[PROCTITLE_MAX];
	int n;

	if (proctitle_room == NULL || proctitle_len < 2)
		return;
	n = snprintf(title, sizeof(title), "daytimed: %s", what);
	if (n < 0)
		return;
	if ((size_t)n >= proctitle_len)
		n = (int)proctitle_len - 1;
	if ((size_t)n >= sizeof(title))
		n = sizeof(title) - 1;
	memset(proctitle_room, '\0', proctitle_len);
	memcpy(proctitle_room, title, (size_t)n);
}

/* Name the calling thread, as top -H and /proc/PID/task show it. */
void
proctitle_thread(const char *name)
{
	(void)prctl(PR_SET_NAME, name, 0, 0, 0);
}
