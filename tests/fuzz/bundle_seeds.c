/* SPDX-License-Identifier: ISC */
/*
 * bundle_seeds: writes the seed corpus of fuzz_bundle, a few bundles made
 * with the daemon's own encoder, into the directory named on the command
 * line:  make tests/fuzz/bundle_seeds &&
 *        tests/fuzz/bundle_seeds tests/fuzz/corpus/bundle
 */
#include "autoconf.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/loader.h"

#define SEEDS_MAIN	"/etc/daytimed/daytimed.conf"

/* Add one entry or die. */
static void
seeds_add(struct loader_bundle *b, enum loader_kind kind, const char *name,
    const char *data, size_t len)
{
	if (loader_bundle_add(b, kind, name, data, len) == -1)
		errx(1, "cannot add %s", name);
}

/* Encode b into dir/name and free it. */
static void
seeds_write(const char *dir, const char *name, struct loader_bundle *b)
{
	char path[4096], *buf;
	size_t len;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		errx(1, "path too long");
	if (loader_bundle_encode(b, &buf, &len) == -1)
		errx(1, "cannot encode %s", name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(buf, 1, len, f) != len ||
	    fclose(f) != 0)
		err(1, "%s", path);
	free(buf);
	loader_bundle_free(b);
}

/* A new bundle or die. */
static struct loader_bundle *
seeds_new(void)
{
	struct loader_bundle *b = loader_bundle_new(LOADER_BUNDLE_MAX);

	if (b == NULL)
		errx(1, "out of memory");
	return b;
}

/* A string entry (its length without the NUL). */
static void
seeds_str(struct loader_bundle *b, enum loader_kind kind, const char *name,
    const char *text)
{
	seeds_add(b, kind, name, text, strlen(text));
}

/* A file entry with the identity (device 1, inode ino). */
static void
seeds_file(struct loader_bundle *b, const char *name, unsigned ino,
    const char *text)
{
	struct config_file_id id = { 1, ino };

	if (loader_bundle_add_file(b, name, &id, text, strlen(text)) == -1)
		errx(1, "cannot add %s", name);
}

/* Write every seed bundle into the directory named by argv[1]. */
int
main(int argc, char *argv[])
{
	static const char names[] = "/etc/daytimed/conf.d/a.conf\0"
	    "/etc/daytimed/conf.d/b.conf";
	static const char binary[] = "listen tcp 127.0.0.1:13\r\n"
	    "user a\0b\nuser \x1b[2J\n\xff\xfe\nallow ::/0 user \x80\n";
	struct loader_bundle *b;
	char name[64], text[64];
	int i;

	if (argc != 2)
		errx(2, "usage: bundle_seeds DIR");

	/* A full configuration with a glob of two files. */
	b = seeds_new();
	seeds_str(b, LOADER_FILE, SEEDS_MAIN, "listen tcp 127.0.0.1:13\n"
	    "listen udp [::1]:13\nuser daytime\nident mode rules\n"
	    "include conf.d/*.conf\nallow 127.0.0.0/8\n");
	seeds_add(b, LOADER_GLOB, "/etc/daytimed/conf.d/*.conf", names,
	    sizeof(names));
	seeds_str(b, LOADER_FILE, "/etc/daytimed/conf.d/a.conf",
	    "deny 10.0.0.0/8 user mallory\nlimit connections 100\n");
	seeds_str(b, LOADER_FILE, "/etc/daytimed/conf.d/b.conf",
	    "allow 10.0.0.0/8\nworkers 2\n");
	seeds_write(argv[1], "full", b);

	/* The monitor's errors: a missing file, an unreadable one, a bad glob. */
	b = seeds_new();
	seeds_str(b, LOADER_FILE, SEEDS_MAIN, "listen tcp 127.0.0.1:13\n"
	    "include missing.conf\ninclude secret.conf\ninclude d/*\n");
	seeds_add(b, LOADER_GLOB, "/etc/daytimed/missing.conf", "", 0);
	seeds_add(b, LOADER_GLOB, "/etc/daytimed/secret.conf",
	    "/etc/daytimed/secret.conf", sizeof("/etc/daytimed/secret.conf"));
	seeds_str(b, LOADER_ERROR, "/etc/daytimed/secret.conf",
	    "cannot open: Permission denied");
	seeds_str(b, LOADER_ERROR, "/etc/daytimed/d/*", "cannot read directory");
	seeds_write(argv[1], "errors", b);

	/* Nothing at all. */
	seeds_write(argv[1], "empty", seeds_new());

	/* Hostile bytes inside a file. */
	b = seeds_new();
	seeds_add(b, LOADER_FILE, SEEDS_MAIN, binary, sizeof(binary) - 1);
	seeds_write(argv[1], "binary", b);

	/* A file that includes itself. */
	b = seeds_new();
	seeds_str(b, LOADER_FILE, SEEDS_MAIN,
	    "listen tcp 127.0.0.1:13\ninclude daytimed.conf\n");
	seeds_add(b, LOADER_GLOB, SEEDS_MAIN, SEEDS_MAIN, sizeof(SEEDS_MAIN));
	seeds_write(argv[1], "loop", b);

	/* A loop under another name: the same identity, as the disk says. */
	b = seeds_new();
	seeds_file(b, SEEDS_MAIN, 1, "listen tcp 127.0.0.1:13\n"
	    "include ./daytimed.conf\n");
	seeds_add(b, LOADER_GLOB, "/etc/daytimed/./daytimed.conf",
	    "/etc/daytimed/./daytimed.conf",
	    sizeof("/etc/daytimed/./daytimed.conf"));
	seeds_file(b, "/etc/daytimed/./daytimed.conf", 1,
	    "listen tcp 127.0.0.1:13\ninclude ./daytimed.conf\n");
	seeds_write(argv[1], "alias", b);

	/* A chain of includes deeper than the parser allows. */
	b = seeds_new();
	seeds_str(b, LOADER_FILE, "/d/f0", "listen udp 127.0.0.1:13\n"
	    "include f1\n");
	for (i = 1; i < 10; i++) {
		snprintf(name, sizeof(name), "/d/f%d", i);
		seeds_add(b, LOADER_GLOB, name, name, strlen(name) + 1);
		snprintf(text, sizeof(text), "include f%d\n", i + 1);
		seeds_str(b, LOADER_FILE, name, text);
	}
	seeds_write(argv[1], "deep", b);
	return 0;
}
