/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the bundle decoder, the only parser of what crosses from the
 * monitor to the engine: any bytes as a bundle. What decodes must encode
 * back to the same bytes, and then serve a whole configuration load (the
 * first entry's name as the main file) whose diagnostics stay bounded and
 * whose result frees cleanly.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/loader.h"

#define FUZZ_MSG_MAX	1600

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check one diagnostic; abort (a finding) on a bad one. */
static void
fuzz_bundle_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	(void)arg;
	(void)file;
	(void)line;
	if (is_error != 0 && is_error != 1)
		abort();
	if (strnlen(msg, FUZZ_MSG_MAX) >= FUZZ_MSG_MAX)
		abort();
}

/* Every decoded entry is what the format promises. */
static void
fuzz_bundle_check(const struct loader_bundle *b, const uint8_t *data,
    size_t size)
{
	char *out = NULL;
	size_t i, outlen = 0;

	for (i = 0; i < b->n; i++) {
		const struct loader_entry *e = &b->e[i];

		if (e->name[0] == '\0' || e->data[e->len] != '\0' ||
		    (e->kind != LOADER_GLOB && e->kind != LOADER_FILE &&
		    e->kind != LOADER_ERROR && (e->kind != LOADER_FULL ||
		    i + 1 != b->n)))
			abort();
	}
	if (b->bytes > b->max)
		abort();
	if (loader_bundle_encode(b, &out, &outlen) == -1 || outlen != size ||
	    memcmp(out, data, size) != 0)
		abort();
	free(out);
}

/* One input: a bundle as the engine would receive it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loader_bundle *b;
	struct config_loader l;
	struct config *conf;

	b = loader_bundle_decode((const char *)data, size, LOADER_BUNDLE_MAX);
	if (b == NULL)
		return 0;
	fuzz_bundle_check(b, data, size);
	loader_bundle_loader(b, &l);
	conf = config_load(b->n > 0 ? b->e[0].name : "/etc/daytimed.conf", &l,
	    fuzz_bundle_diag, NULL);
	if (conf != NULL && (conf->nlistens == 0 || conf->acl == NULL))
		abort();
	config_free(conf);
	loader_bundle_free(b);
	return 0;
}
