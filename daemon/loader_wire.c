/* SPDX-License-Identifier: ISC */
/*
 * loader_wire: a recorded bundle on the wire between monitor and engine
 * (encode, and decode with every length checked against the cap), and
 * the engine's loader serving the parser from a decoded bundle, so that
 * a reload parses exactly the bytes the monitor read.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config_parse.h"
#include "daemon/loader.h"
#include "daemon/loader_int.h"

/* Store v big-endian. */
void
loader_put32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
}

/* Store v big-endian, 64 bits. */
static void
loader_put64(char *p, uint64_t v)
{
	loader_put32(p, (uint32_t)(v >> 32));
	loader_put32(p + 4, (uint32_t)v);
}

/* Load a big-endian v, 64 bits. */
static uint64_t
loader_get64(const char *p)
{
	return (uint64_t)loader_get32(p) << 32 | loader_get32(p + 4);
}

/* Load a big-endian v. */
uint32_t
loader_get32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

/* magic, count, then per entry: kind, name length, name, data length, data. */
int
loader_bundle_encode(const struct loader_bundle *b, char **out,
    size_t *outlen)
{
	size_t len = LOADER_HEADER, i, o;
	char *buf;

	for (i = 0; i < b->n; i++)
		len += LOADER_ENTRY_HEADER + strlen(b->e[i].name) + b->e[i].len;
	if (len > LOADER_WIRE_MAX(b->max) || (buf = malloc(len)) == NULL)
		return -1;
	loader_put32(buf, LOADER_MAGIC);
	loader_put32(buf + 4, (uint32_t)b->n);
	for (o = LOADER_HEADER, i = 0; i < b->n; i++) {
		size_t nl = strlen(b->e[i].name);

		buf[o++] = (char)b->e[i].kind;
		loader_put32(buf + o, (uint32_t)nl);
		memcpy(buf + o + 4, b->e[i].name, nl);
		o += 4 + nl;
		loader_put64(buf + o, b->e[i].id.dev);
		loader_put64(buf + o + 8, b->e[i].id.ino);
		o += 16;
		loader_put32(buf + o, (uint32_t)b->e[i].len);
		memcpy(buf + o + 4, b->e[i].data, b->e[i].len);
		o += 4 + b->e[i].len;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* The engine checks every length: the monitor is trusted, bugs are not. */
struct loader_bundle *
loader_bundle_decode(const char *buf, size_t len, size_t max)
{
	struct loader_bundle *b;
	size_t o = LOADER_HEADER, i, n;

	if (len < LOADER_HEADER || len > LOADER_WIRE_MAX(max) ||
	    loader_get32(buf) != LOADER_MAGIC)
		return NULL;
	n = loader_get32(buf + 4);
	if ((b = loader_bundle_new(max)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		struct config_file_id id;
		size_t nl, dl;
		char kind, *name;

		if (len - o < 5)
			goto bad;
		kind = buf[o];
		nl = loader_get32(buf + o + 1);
		o += 5;
		if (nl == 0 || nl > len - o || memchr(buf + o, '\0', nl) != NULL)
			goto bad;
		if ((name = strndup(buf + o, nl)) == NULL)
			goto bad;
		o += nl;
		if (len - o < 20) {
			free(name);
			goto bad;
		}
		id.dev = loader_get64(buf + o);
		id.ino = loader_get64(buf + o + 8);
		dl = loader_get32(buf + o + 16);
		o += 20;
		/* a full bundle's reason: only last, past max by its room */
		if (dl > len - o || (kind != LOADER_GLOB && kind != LOADER_FILE &&
		    kind != LOADER_ERROR && kind != LOADER_FULL) ||
		    (kind == LOADER_FULL && i + 1 != n) ||
		    (kind != LOADER_FILE && (id.dev != 0 || id.ino != 0)) ||
		    loader_bundle_put(b, (enum loader_kind)kind, name, &id,
		    buf + o, dl) == -1) {
			free(name);
			goto bad;
		}
		free(name);
		o += dl;
	}
	if (o != len)
		goto bad;
	return b;
bad:
	loader_bundle_free(b);
	return NULL;
}

/*
 * The entry for a name: a glob's answer (or its error), or a read's. In
 * a full bundle, the name whose read did not fit gets the reason even if
 * an earlier read of it was kept (the load fails where the disk loader's
 * count fails it), and so does every name not kept. A glob's answer that
 * was kept stands even when the read of the same name did not fit (an
 * include without a wildcard globs, then reads, the one name).
 */
static const struct loader_entry *
loader_bundle_find(const struct loader_bundle *b, const char *name, int glob)
{
	const struct loader_entry *over = NULL;
	size_t i;

	if (b->n > 0 && b->e[b->n - 1].kind == LOADER_FULL)
		over = &b->e[b->n - 1];
	if (over != NULL && !glob && strcmp(over->name, name) == 0)
		return over;
	for (i = 0; i < b->n; i++)
		if (strcmp(b->e[i].name, name) == 0 &&
		    (glob ? b->e[i].kind == LOADER_GLOB :
		    b->e[i].kind == LOADER_FILE ||
		    b->e[i].kind == LOADER_ERROR))
			return &b->e[i];
	for (i = 0; glob && i < b->n; i++)
		if (b->e[i].kind == LOADER_ERROR &&
		    strcmp(b->e[i].name, name) == 0)
			return &b->e[i];
	return over;
}

/* The bundle loader's glob: the names the monitor's glob returned. */
static int
loader_bundle_glob(void *arg, const char *pattern, char ***names, size_t *n,
    char *err, size_t errlen)
{
	const struct loader_entry *e = loader_bundle_find(arg, pattern, 1);
	size_t i, k, o;

	*names = NULL;
	*n = 0;
	if (e == NULL || e->kind != LOADER_GLOB) {
		snprintf(err, errlen, "%s", e != NULL ? e->data :
		    "not read by the monitor");
		return -1;
	}
	for (k = 0, i = 0; i < e->len; i++)
		k += e->data[i] == '\0';
	if (k == 0)
		return 0;
	if ((*names = calloc(k, sizeof(char *))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (o = 0, i = 0; i < k; i++) {
		if (((*names)[i] = strdup(e->data + o)) == NULL) {
			loader_names_free(*names, i);
			*names = NULL;
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		o += strlen(e->data + o) + 1;
	}
	*n = k;
	return 0;
}

/* The bundle loader's read: the bytes the monitor read, or its error. */
static int
loader_bundle_read(void *arg, const char *name, char **buf, size_t *len,
    struct config_file_id *id, char *err, size_t errlen)
{
	const struct loader_entry *e = loader_bundle_find(arg, name, 0);

	if (e == NULL || e->kind != LOADER_FILE) {
		snprintf(err, errlen, "%s", e != NULL ? e->data :
		    "not read by the monitor");
		return -1;
	}
	if ((*buf = malloc(e->len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(*buf, e->data, e->len + 1);
	*len = e->len;
	*id = e->id;
	return 0;
}

/* Serve the bundle through a loader. */
void
loader_bundle_loader(struct loader_bundle *b, struct config_loader *l)
{
	l->glob = loader_bundle_glob;
	l->read = loader_bundle_read;
	l->arg = b;
}
