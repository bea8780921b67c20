/* SPDX-License-Identifier: ISC */
/*
 * loader: the bundle codec between monitor and engine: round trips
 * (binary bytes, NULs, empty entries, the empty bundle), the loader it
 * serves, what the monitor records from disk, and hostile wire bytes
 * (every truncation, lengths past the end, counts, kinds, names,
 * trailing bytes, the cap). The disk loader: check_loader_disk.c.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "acl/acl.h"
#include "daemon/config.h"
#include "daemon/loader.h"
#include "tests/unit/config_fixture.h"
#include "tests/unit/suites.h"

static const char bin_data[] = "a\0b\x01\xff\n\0";
static const struct config_file_id bin_id = { 0x0102030405060708ull, 77 };

/* One of every kind of entry, binary bytes and empty data among them. */
static struct loader_bundle *
bundle_sample(size_t max)
{
	struct loader_bundle *b = loader_bundle_new(max);

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_FILE, "/e/main.conf",
	    LISTEN "include conf.d/*.conf\n", strlen(LISTEN) + 22), 0);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_GLOB, "/e/conf.d/*.conf",
	    "/e/conf.d/a.conf\0/e/conf.d/b.conf", 34), 0);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_FILE, "/e/conf.d/a.conf",
	    "user a\n", 7), 0);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_ERROR, "/e/conf.d/b.conf",
	    "cannot open: Permission denied", 30), 0);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_GLOB, "/e/none/*", "", 0),
	    0);
	ck_assert_int_eq(loader_bundle_add_file(b, "/e/bin", &bin_id, bin_data,
	    sizeof(bin_data)), 0);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_FILE, "/e/empty", "", 0),
	    0);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_ERROR, "/e/d/*",
	    "cannot read directory", 21), 0);
	return b;
}

/* Assert two bundles hold the same entries. */
static void
bundle_same(const struct loader_bundle *a, const struct loader_bundle *b)
{
	size_t i;

	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		ck_assert_int_eq(a->e[i].kind, b->e[i].kind);
		ck_assert_str_eq(a->e[i].name, b->e[i].name);
		ck_assert_uint_eq(a->e[i].len, b->e[i].len);
		ck_assert_uint_eq(a->e[i].id.dev, b->e[i].id.dev);
		ck_assert_uint_eq(a->e[i].id.ino, b->e[i].id.ino);
		ck_assert_int_eq(memcmp(a->e[i].data, b->e[i].data,
		    a->e[i].len), 0);
		ck_assert_int_eq(b->e[i].data[b->e[i].len], '\0');
	}
}

/* Decode exactly len bytes held in their own allocation (ASan sees overreads). */
static struct loader_bundle *
decode_exact(const char *wire, size_t len, size_t max)
{
	struct loader_bundle *b;
	char *copy = malloc(len > 0 ? len : 1);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, wire, len);
	b = loader_bundle_decode(copy, len, max);
	free(copy);
	return b;
}

START_TEST(test_bundle_round_trip)
{
	struct loader_bundle *a = bundle_sample(LOADER_BUNDLE_MAX), *b;
	char *wire, *again;
	size_t len, len2;

	ck_assert_int_eq(loader_bundle_encode(a, &wire, &len), 0);
	b = decode_exact(wire, len, LOADER_BUNDLE_MAX);
	ck_assert_ptr_nonnull(b);
	bundle_same(a, b);
	ck_assert_uint_eq(b->bytes, a->bytes);
	ck_assert_int_eq(loader_bundle_encode(b, &again, &len2), 0);
	ck_assert_uint_eq(len2, len);
	ck_assert_int_eq(memcmp(again, wire, len), 0);
	free(again);
	free(wire);
	loader_bundle_free(a);
	loader_bundle_free(b);

	/* The empty bundle: magic and a zero count. */
	a = loader_bundle_new(LOADER_BUNDLE_MAX);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(loader_bundle_encode(a, &wire, &len), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(wire, "dtb2\0\0\0\0", 8), 0);
	b = decode_exact(wire, len, LOADER_BUNDLE_MAX);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->n, 0);
	free(wire);
	loader_bundle_free(a);
	loader_bundle_free(b);
}
END_TEST

START_TEST(test_bundle_loader)
{
	struct loader_bundle *b = bundle_sample(LOADER_BUNDLE_MAX);
	struct config_loader l;
	struct config_file_id id;
	char err[256], **names, *buf;
	size_t n, len;

	loader_bundle_loader(b, &l);
	ck_assert_int_eq(l.glob(l.arg, "/e/conf.d/*.conf", &names, &n, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[0], "/e/conf.d/a.conf");
	ck_assert_str_eq(names[1], "/e/conf.d/b.conf");
	names_free(names, n);
	ck_assert_int_eq(l.glob(l.arg, "/e/none/*", &names, &n, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(names);
	ck_assert_int_eq(l.read(l.arg, "/e/bin", &buf, &len, &id, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(len, sizeof(bin_data));
	ck_assert_int_eq(memcmp(buf, bin_data, len), 0);
	/* The identity the monitor saw comes with the bytes. */
	ck_assert_uint_eq(id.dev, bin_id.dev);
	ck_assert_uint_eq(id.ino, bin_id.ino);
	free(buf);

	/* The monitor's errors come through as they were. */
	ck_assert_int_eq(l.read(l.arg, "/e/conf.d/b.conf", &buf, &len, &id, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot open: Permission denied");
	ck_assert_int_eq(l.glob(l.arg, "/e/d/*", &names, &n, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot read directory");
	/* What the monitor did not read is not made up. */
	ck_assert_int_eq(l.read(l.arg, "/e/other", &buf, &len, &id, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "not read by the monitor");
	ck_assert_int_eq(l.read(l.arg, "/e/none/*", &buf, &len, &id, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "not read by the monitor");
	ck_assert_int_eq(l.glob(l.arg, "/e/main.conf", &names, &n, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "not read by the monitor");
	loader_bundle_free(b);
}
END_TEST

START_TEST(test_bundle_config)
{
	struct loader_bundle *b = bundle_sample(LOADER_BUNDLE_MAX);
	struct config_loader l;
	struct collect c;
	struct config *conf;

	/* The parser reads the bundle as it reads the disk. */
	loader_bundle_loader(b, &l);
	memset(&c, 0, sizeof(c));
	conf = config_load("/e/main.conf", &l, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/e/main.conf", 2,
	    "include /e/conf.d/b.conf: cannot open: Permission denied");
	loader_bundle_free(b);
}
END_TEST

START_TEST(test_bundle_truncated)
{
	struct loader_bundle *a = bundle_sample(LOADER_BUNDLE_MAX);
	char *wire;
	size_t len, i;

	ck_assert_int_eq(loader_bundle_encode(a, &wire, &len), 0);
	for (i = 0; i < len; i++)
		ck_assert_msg(decode_exact(wire, i, LOADER_BUNDLE_MAX) == NULL,
		    "%zu of %zu bytes decoded", i, len);
	free(wire);
	loader_bundle_free(a);
}
END_TEST

/*
 * Append one entry's wire form with lengths as given (not as true), and
 * an identity of ino (the device 0).
 */
static size_t
wire_entry(char *buf, size_t o, char kind, uint32_t nl, const char *name,
    size_t nbytes, uint32_t ino, uint32_t dl, const char *data, size_t dbytes)
{
	buf[o++] = kind;
	loader_put32(buf + o, nl);
	memcpy(buf + o + 4, name, nbytes);
	o += 4 + nbytes;
	memset(buf + o, 0, 12);
	loader_put32(buf + o + 12, ino);
	o += 16;
	loader_put32(buf + o, dl);
	memcpy(buf + o + 4, data, dbytes);
	return o + 4 + dbytes;
}

/* A wire header: magic and count. */
static size_t
wire_head(char *buf, uint32_t magic, uint32_t count)
{
	loader_put32(buf, magic);
	loader_put32(buf + 4, count);
	return 8;
}

/*
 * One malformed bundle of one entry: each row changes one thing of the
 * well-formed { magic, 1, 'F', 3, "a.c", id 0 5, 2, "x\n" } (the lengths
 * as written, the bytes actually there, a trailing byte or not).
 */
static const struct {
	const char	*what;
	uint32_t	 magic, count;
	char		 kind;
	uint32_t	 nl;
	const char	*name;
	size_t		 nbytes;
	uint32_t	 ino;
	uint32_t	 dl;
	int		 trailing;
} malformed[] = {
	{ "bad magic", LOADER_MAGIC ^ 1, 1, 'F', 3, "a.c", 3, 5, 2, 0 },
	{ "old magic", 0x64746231u, 1, 'F', 3, "a.c", 3, 5, 2, 0 },
	{ "count larger", LOADER_MAGIC, 2, 'F', 3, "a.c", 3, 5, 2, 0 },
	{ "count huge", LOADER_MAGIC, 0xffffffffu, 'F', 3, "a.c", 3, 5, 2, 0 },
	{ "count smaller", LOADER_MAGIC, 0, 'F', 3, "a.c", 3, 5, 2, 0 },
	{ "trailing byte", LOADER_MAGIC, 1, 'F', 3, "a.c", 3, 5, 2, 1 },
	{ "unknown kind", LOADER_MAGIC, 1, 'X', 3, "a.c", 3, 5, 2, 0 },
	{ "kind NUL", LOADER_MAGIC, 1, '\0', 3, "a.c", 3, 5, 2, 0 },
	{ "kind lower case", LOADER_MAGIC, 1, 'f', 3, "a.c", 3, 5, 2, 0 },
	{ "identity on a glob", LOADER_MAGIC, 1, 'G', 3, "a.c", 3, 5, 2, 0 },
	{ "identity on an error", LOADER_MAGIC, 1, 'E', 3, "a.c", 3, 5, 2, 0 },
	{ "NUL in name", LOADER_MAGIC, 1, 'F', 3, "a\0c", 3, 5, 2, 0 },
	{ "empty name", LOADER_MAGIC, 1, 'F', 0, "", 0, 5, 2, 0 },
	{ "data one past", LOADER_MAGIC, 1, 'F', 3, "a.c", 3, 5, 3, 0 },
	{ "data far past", LOADER_MAGIC, 1, 'F', 3, "a.c", 3, 5, 0xffffffffu,
	  0 },
	{ "name past", LOADER_MAGIC, 1, 'F', 10, "a.c", 3, 5, 2, 0 },
	{ "name far past", LOADER_MAGIC, 1, 'F', 0xffffffffu, "a.c", 3, 5, 2,
	  0 },
};

START_TEST(test_bundle_hostile)
{
	struct loader_bundle *b;
	char w[64];
	size_t o;

	/* The well-formed one the rows are variations of. */
	o = wire_head(w, LOADER_MAGIC, 1);
	o = wire_entry(w, o, 'F', 3, "a.c", 3, 5, 2, "x\n", 2);
	b = decode_exact(w, o, 64);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(b->e[0].data, "x\n");
	ck_assert_uint_eq(b->e[0].id.ino, 5);
	loader_bundle_free(b);
	ck_assert_ptr_null(decode_exact("dtb2", 4, 64));

	o = wire_head(w, malformed[_i].magic, malformed[_i].count);
	o = wire_entry(w, o, malformed[_i].kind, malformed[_i].nl,
	    malformed[_i].name, malformed[_i].nbytes, malformed[_i].ino,
	    malformed[_i].dl, "x\n", 2);
	if (malformed[_i].trailing)
		w[o++] = '\0';
	ck_assert_msg(decode_exact(w, o, 64) == NULL, "decoded: %s",
	    malformed[_i].what);
}
END_TEST

START_TEST(test_bundle_cap)
{
	struct loader_bundle *b;
	char w[256], *wire;
	size_t o, len;

	/* Each entry counts name + data + 32 bytes against the cap. */
	o = wire_head(w, LOADER_MAGIC, 2);
	o = wire_entry(w, o, 'F', 3, "a.c", 3, 0, 2, "x\n", 2);
	o = wire_entry(w, o, 'G', 1, "*", 1, 0, 4, "a.c", 4);
	b = decode_exact(w, o, 37 + 37);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->bytes, 74);
	loader_bundle_free(b);
	ck_assert_ptr_null(decode_exact(w, o, 37 + 37 - 1));
	/* A length over the cap is refused before a byte is read. */
	wire = malloc(1);
	ck_assert_ptr_nonnull(wire);
	ck_assert_ptr_null(loader_bundle_decode(wire, LOADER_WIRE_MAX(10) + 1,
	    10));
	free(wire);

	/* Adding: the entry that does not fit, and everything after it. */
	b = loader_bundle_new(70);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_FILE, "a", "0123456789",
	    10), 0);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_FILE, "b", "0123456789",
	    10), -1);
	ck_assert_int_eq(b->full, 1);
	ck_assert_int_eq(loader_bundle_add(b, LOADER_ERROR, "b", "", 0), -1);
	ck_assert_uint_eq(b->n, 1);
	ck_assert_int_eq(loader_bundle_encode(b, &wire, &len), 0);
	ck_assert_uint_eq(len, 8 + 25 + 1 + 10);
	free(wire);
	loader_bundle_free(b);
}
END_TEST

START_TEST(test_bundle_record)
{
	char dir[] = "/tmp/check_loader.XXXXXX", main[512], sub[512];
	struct loader_bundle *b, *d;
	struct config_loader l;
	struct collect c, cd;
	struct config *conf;
	char *wire;
	size_t len, i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fmt(main, sizeof(main), "%s/main.conf", dir);
	fmt(sub, sizeof(sub), "%s/d", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	disk_put(dir, "d/b.rules", "deny 10.0.0.0/8\n");
	disk_put(dir, "d/a.rules", "allow 10.0.0.0/8\n");
	disk_put(dir, "main.conf", LISTEN "user x\nuser y\n"
	    "include d/*.rules\ninclude missing.conf\ninclude d\n");

	/* What the disk loader says ... */
	memset(&cd, 0, sizeof(cd));
	conf = config_load(main, &loader_disk, collect_diag, &cd);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(cd.n, 4);

	/* ... the recorded, encoded, decoded bundle says too. */
	b = loader_bundle_record(main, LOADER_BUNDLE_MAX);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->n, 7);
	ck_assert_int_eq(b->e[0].kind, LOADER_FILE);
	ck_assert_str_eq(b->e[0].name, main);
	ck_assert_int_eq(b->e[1].kind, LOADER_GLOB);
	ck_assert_int_eq(b->e[2].kind, LOADER_FILE);
	ck_assert_int_eq(b->e[3].kind, LOADER_FILE);
	ck_assert_int_eq(b->e[4].kind, LOADER_GLOB);
	ck_assert_uint_eq(b->e[4].len, 0);
	ck_assert_int_eq(b->e[5].kind, LOADER_GLOB);
	ck_assert_int_eq(b->e[6].kind, LOADER_ERROR);
	ck_assert_str_eq(b->e[6].data, "is a directory, not a file");
	ck_assert_int_eq(loader_bundle_encode(b, &wire, &len), 0);
	d = decode_exact(wire, len, LOADER_BUNDLE_MAX);
	ck_assert_ptr_nonnull(d);
	loader_bundle_loader(d, &l);
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &l, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, cd.n);
	for (i = 0; i < c.n; i++)
		expect(&c, i, cd.d[i].is_error, cd.d[i].file, cd.d[i].line,
		    cd.d[i].msg);
	free(wire);
	loader_bundle_free(b);
	loader_bundle_free(d);

	/* Over the cap: the file is missing from the bundle, the load fails. */
	b = loader_bundle_record(main, 64);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->full, 1);
	loader_bundle_loader(b, &l);
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &l, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_ge(c.errors, 1);
	loader_bundle_free(b);

	disk_rm(dir, "d/a.rules");
	disk_rm(dir, "d/b.rules");
	disk_rm(dir, "d");
	disk_rm(dir, "main.conf");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/*
 * A load over the cap: the monitor's bundle keeps what fits and one
 * LOADER_FULL entry past the cap, so the engine's parse says why, at the
 * line of each list that did not fit; the disk loader of a start and -t
 * counts the same and says the same, line for line.
 */
START_TEST(test_bundle_full)
{
	char dir[] = "/tmp/check_loader.XXXXXX", main[512], a[512], b[512],
	    c[512], want[1024], *wire;
	struct loader_bundle *rec, *back;
	struct loader_disk disk;
	struct config_loader l;
	struct collect cb, cd;
	struct config *conf;
	size_t max, len, i;
	const char *text = LISTEN "deny file a\ndeny file b\ndeny file c\n";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	disk_put(dir, "main.conf", text);
	disk_put(dir, "a", "10.0.0.0/8\n");
	disk_put(dir, "b", "10.1.0.0/16\n");
	disk_put(dir, "c", "10.2.0.0/16\n");
	fmt(main, sizeof(main), "%s/main.conf", dir);
	fmt(a, sizeof(a), "%s/a", dir);
	fmt(b, sizeof(b), "%s/b", dir);
	fmt(c, sizeof(c), "%s/c", dir);
	/* main.conf and a fit, b does not (each: name + data + 32) */
	max = strlen(main) + strlen(text) + 32 + strlen(a) + 11 + 32 + 10;

	rec = loader_bundle_record(main, max);
	ck_assert_ptr_nonnull(rec);
	ck_assert_int_eq(rec->full, 1);
	ck_assert_uint_eq(rec->n, 3);
	ck_assert_int_eq(rec->e[2].kind, LOADER_FULL);
	ck_assert_str_eq(rec->e[2].name, b);
	fmt(want, sizeof(want), "the files named by the configuration exceed "
	    "%zu bytes in all", max);
	ck_assert_str_eq(rec->e[2].data, want);
	/* it crosses the wire past max, by its room */
	ck_assert_int_eq(loader_bundle_encode(rec, &wire, &len), 0);
	ck_assert_uint_gt(len, max + 8);
	back = decode_exact(wire, len, max);
	ck_assert_ptr_nonnull(back);
	bundle_same(rec, back);
	free(wire);

	loader_bundle_loader(back, &l);
	memset(&cb, 0, sizeof(cb));
	ck_assert_ptr_null(config_load(main, &l, collect_diag, &cb));
	ck_assert_uint_eq(cb.n, 2);
	fmt(want, sizeof(want), "deny file %s: the files named by the "
	    "configuration exceed %zu bytes in all", b, max);
	expect(&cb, 0, 1, main, 3, want);
	fmt(want, sizeof(want), "deny file %s: the files named by the "
	    "configuration exceed %zu bytes in all", c, max);
	expect(&cb, 1, 1, main, 4, want);

	/* -t and a start: the same words at the same lines */
	loader_disk_trusting(&disk, NULL, max, &l);
	memset(&cd, 0, sizeof(cd));
	ck_assert_ptr_null(config_load(main, &l, collect_diag, &cd));
	ck_assert_uint_eq(cd.n, cb.n);
	for (i = 0; i < cd.n; i++)
		expect(&cd, i, cb.d[i].is_error, cb.d[i].file, cb.d[i].line,
		    cb.d[i].msg);
	ck_assert_int_eq(disk.full, 1);
	/* a cap of exactly what it all costs: it fits, both ways */
	loader_disk_trusting(&disk, NULL, max + strlen(b) + 12 + 32 +
	    strlen(c) + 12 + 32 - 10, &l);
	memset(&cd, 0, sizeof(cd));
	conf = config_load(main, &l, collect_diag, &cd);
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
	ck_assert_int_eq(disk.full, 0);
	ck_assert_uint_eq(disk.bytes, disk.max);
	loader_bundle_free(rec);
	rec = loader_bundle_record(main, disk.max);
	ck_assert_int_eq(rec->full, 0);
	ck_assert_uint_eq(rec->bytes, disk.max);

	/* the reason is the last entry, and only one */
	ck_assert_int_eq(loader_bundle_add(back, LOADER_FULL, "x", "y", 1),
	    -1);
	loader_bundle_free(back);
	back = loader_bundle_new(max);
	ck_assert_int_eq(loader_bundle_add(back, LOADER_FULL, "x", "y", 1), 0);
	ck_assert_int_eq(back->full, 1);
	ck_assert_int_eq(loader_bundle_encode(back, &wire, &len), 0);
	loader_bundle_free(back);
	back = decode_exact(wire, len, max);
	ck_assert_ptr_nonnull(back);
	loader_bundle_free(back);
	/* ... two of them, or another entry after it: malformed */
	wire[7] = 2;
	wire = realloc(wire, 2 * len - 8);
	ck_assert_ptr_nonnull(wire);
	memcpy(wire + len, wire + 8, len - 8);
	ck_assert_ptr_null(decode_exact(wire, 2 * len - 8, max));
	wire[len] = 'F';
	ck_assert_ptr_null(decode_exact(wire, 2 * len - 8, max));
	free(wire);

	loader_bundle_free(rec);
	disk_rm(dir, "main.conf");
	disk_rm(dir, "a");
	disk_rm(dir, "b");
	disk_rm(dir, "c");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/*
 * An include without a wildcard globs its name, then reads it: when the
 * glob's answer fits and the read does not, a reload fails at the read,
 * as -t and a start do, not at the glob (the reason once matched both).
 */
START_TEST(test_bundle_full_include)
{
	char dir[] = "/tmp/check_loader.XXXXXX", main[512], inc[512],
	    text[1024], *wire;
	struct loader_bundle *rec, *back;
	struct loader_disk disk;
	struct config_loader l;
	struct collect cb, cd;
	size_t max, len, i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fmt(main, sizeof(main), "%s/main.conf", dir);
	fmt(inc, sizeof(inc), "%s/inc.conf", dir);
	fmt(text, sizeof(text), LISTEN "include %s\n", inc);
	disk_put(dir, "main.conf", text);
	disk_put(dir, "inc.conf", "allow 10.0.0.0/8\nallow 10.1.0.0/16\n");
	/* main.conf and the glob's answer fit, inc.conf does not */
	max = strlen(main) + strlen(text) + 32 + strlen(inc) + strlen(inc) +
	    1 + 32 + 10;
	rec = loader_bundle_record(main, max);
	ck_assert_ptr_nonnull(rec);
	ck_assert_int_eq(rec->full, 1);
	ck_assert_int_eq(rec->e[rec->n - 2].kind, LOADER_GLOB);
	ck_assert_int_eq(rec->e[rec->n - 1].kind, LOADER_FULL);
	ck_assert_str_eq(rec->e[rec->n - 1].name, inc);
	ck_assert_int_eq(loader_bundle_encode(rec, &wire, &len), 0);
	back = decode_exact(wire, len, max);
	ck_assert_ptr_nonnull(back);
	free(wire);
	loader_bundle_loader(back, &l);
	memset(&cb, 0, sizeof(cb));
	ck_assert_ptr_null(config_load(main, &l, collect_diag, &cb));
	loader_disk_trusting(&disk, NULL, max, &l);
	memset(&cd, 0, sizeof(cd));
	ck_assert_ptr_null(config_load(main, &l, collect_diag, &cd));
	ck_assert_uint_eq(cb.n, cd.n);
	ck_assert_uint_ge(cd.n, 1);
	for (i = 0; i < cd.n; i++)
		expect(&cb, i, cd.d[i].is_error, cd.d[i].file, cd.d[i].line,
		    cd.d[i].msg);
	loader_bundle_free(rec);
	loader_bundle_free(back);
}
END_TEST

/* The loader suite: one test case per concern. */
Suite *
loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc;

	tc = tcase_create("bundle");
	tcase_add_test(tc, test_bundle_round_trip);
	tcase_add_test(tc, test_bundle_loader);
	tcase_add_test(tc, test_bundle_config);
	tcase_add_test(tc, test_bundle_record);
	tcase_add_test(tc, test_bundle_full);
	tcase_add_test(tc, test_bundle_full_include);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile input");
	tcase_add_test(tc, test_bundle_truncated);
	tcase_add_loop_test(tc, test_bundle_hostile, 0, NFILES(malformed));
	tcase_add_test(tc, test_bundle_cap);
	suite_add_tcase(s, tc);
	return s;
}
