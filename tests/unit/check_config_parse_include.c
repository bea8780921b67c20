/* SPDX-License-Identifier: ISC */
/*
 * config_parse: include through an in-memory loader: globs sorted, paths
 * relative to the including file, loops, depth, positions, names
 * escaped, how many files; and the files-only walk the monitor runs,
 * which must make exactly the loader calls the full parse makes.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "acl/acl.h"
#include "daemon/config.h"
#include "daemon/config_parse.h"
#include "tests/unit/config_fixture.h"
#include "tests/unit/suites.h"

START_TEST(test_include_glob_sorted)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include rules.d/*.rules\n"
		  "user daytime\n" },
		{ "/etc/d/rules.d/b.rules", "# b\ndeny 10.0.0.0/8\n" },
		{ "/etc/d/rules.d/a.rules", "allow 10.0.0.0/8\n" },
		{ "/etc/d/rules.d/c.txt", "bogus\n" },
		{ "/etc/d/rules.d/.hidden.rules", "bogus\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/rules.d/b.rules", 2, "conflicting rules for "
	    "10.0.0.0/8: allow at /etc/d/rules.d/a.rules:1, deny at "
	    "/etc/d/rules.d/b.rules:2");
	ck_assert_int_eq(fs.nreads, 3);
}
END_TEST

START_TEST(test_include_relative)
{
	static const struct memfile f[] = {
		{ "/a/main.conf", "include sub/one.conf\n" },
		{ "/a/sub/one.conf", "include two.conf\ninclude /abs/three.conf\n" },
		{ "/a/sub/two.conf", LISTEN },
		{ "/abs/three.conf", "include four.conf\n" },
		{ "/abs/four.conf", "user four\n" },
		{ "/a/two.conf", "bogus\n" },
	};
	static const struct memfile g[] = {
		{ "main.conf", LISTEN "include inc.conf\n" },
		{ "inc.conf", "group g\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/a/main.conf", f, NFILES(f));
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->user, "four");
	ck_assert_str_eq(conf->file, "/a/main.conf");
	ck_assert_uint_eq(conf->nfiles, 5);
	ck_assert_uint_eq(conf->listens[0].line, 1);
	config_free(conf);

	/* A main file named without a directory: the working directory. */
	conf = load(&c, &fs, "main.conf", g, NFILES(g));
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->group, "g");
	ck_assert_uint_eq(conf->nfiles, 2);
	config_free(conf);
}
END_TEST

START_TEST(test_include_missing)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include missing.conf\n"
		  "include conf.d/*.conf\ninclude /nowhere/*\n" },
	};
	static const struct memfile g[] = {
		{ "/etc/d/main.conf", LISTEN "include conf.d/*.conf\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/main.conf", 2,
	    "include /etc/d/missing.conf: no such file");

	/* An empty glob is fine. */
	conf = load(&c, &fs, "/etc/d/main.conf", g, NFILES(g));
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->nfiles, 1);
	config_free(conf);

	/* The main file itself missing. */
	conf = load(&c, &fs, "/etc/d/none.conf", g, NFILES(g));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/none.conf", 0,
	    "cannot open: No such file or directory");
}
END_TEST

START_TEST(test_include_loader_errors)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include secret.conf\n"
		  "include EIO/*.conf\nuser x\n" },
		{ "/etc/d/secret.conf", NULL },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 1, "/etc/d/main.conf", 2,
	    "include /etc/d/secret.conf: cannot open: Permission denied");
	expect(&c, 1, 1, "/etc/d/main.conf", 3,
	    "include /etc/d/EIO/*.conf: cannot read directory");
}
END_TEST

START_TEST(test_include_usage)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include\ninclude a b\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 1, "/etc/d/main.conf", 2, "usage: include PATTERN");
	expect(&c, 1, 1, "/etc/d/main.conf", 3, "usage: include PATTERN");
}
END_TEST

START_TEST(test_include_loops)
{
	static const struct memfile self[] = {
		{ "/etc/d/main.conf", LISTEN "include main.conf\n" },
	};
	static const struct memfile ab[] = {
		{ "/etc/d/main.conf", LISTEN "include a.conf\n" },
		{ "/etc/d/a.conf", "# a\ninclude b.conf\n" },
		{ "/etc/d/b.conf", "include /etc/d/a.conf\n" },
	};
	static const struct memfile star[] = {
		{ "/etc/d/main.conf", LISTEN "include *.conf\n" },
		{ "/etc/d/x.conf", "user x\n" },
	};
	/* The same file twice, not nested: not a loop, but given twice. */
	static const struct memfile dupinc[] = {
		{ "/etc/d/main.conf", LISTEN "include x.conf\ninclude x.conf\n" },
		{ "/etc/d/x.conf", "allow 10.0.0.0/8\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", self, NFILES(self));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/main.conf", 2,
	    "include loop: /etc/d/main.conf is already being read");

	conf = load(&c, &fs, "/etc/d/main.conf", ab, NFILES(ab));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/b.conf", 1,
	    "include loop: /etc/d/a.conf is already being read");

	conf = load(&c, &fs, "/etc/d/main.conf", star, NFILES(star));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/main.conf", 2,
	    "include loop: /etc/d/main.conf is already being read");

	conf = load(&c, &fs, "/etc/d/main.conf", dupinc, NFILES(dupinc));
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "/etc/d/x.conf", 1, "duplicate of /etc/d/x.conf:1");
	ck_assert_uint_eq(conf->nfiles, 3);
	config_free(conf);
}
END_TEST

START_TEST(test_include_loops_by_identity)
{
	/* Other names of one file: the loader says it is the same file. */
	static const struct memfile alias[] = {
		{ "/etc/d/main.conf", LISTEN "include loop2.conf\n" },
		{ "/etc/d/loop2.conf", "include ./loop2.conf\n" },
		{ "/etc/d/./loop2.conf", "include ./loop2.conf\n",
		  "/etc/d/loop2.conf" },
	};
	static const struct memfile link[] = {
		{ "/etc/d/main.conf", LISTEN "include /l/m.conf\n" },
		{ "/l/m.conf", "# the main file, by a link\n",
		  "/etc/d/main.conf" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", alias, NFILES(alias));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/loop2.conf", 1, "include loop: "
	    "/etc/d/./loop2.conf is already being read (as /etc/d/loop2.conf)");
	ck_assert_int_eq(fs.nreads, 3);
	conf = load(&c, &fs, "/etc/d/main.conf", link, NFILES(link));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/main.conf", 2, "include loop: /l/m.conf is "
	    "already being read (as /etc/d/main.conf)");
}
END_TEST

START_TEST(test_include_errors_bounded)
{
	/* A file that includes itself on each of 300 lines, by another name. */
	static char self[300 * 20 + 64];
	struct memfile f[2] = {
		{ "/d/main", self },
		{ "/d/./main", "", "/d/main" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;
	size_t o, i;

	o = fmt(self, sizeof(self), LISTEN);
	for (i = 0; i < 300; i++)
		o += fmt(self + o, sizeof(self) - o, "include ./main\n");
	conf = load(&c, &fs, "/d/main", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, CONFIG_DIAG_PER_FILE + 1);
	expect(&c, 0, 1, "/d/main", 2, "include loop: /d/./main is already "
	    "being read (as /d/main)");
	ck_assert_int_eq(fs.nreads, 301);
}
END_TEST

START_TEST(test_include_errors_bounded_in_all)
{
	/* 8 files of 99 errors each: 500 shown in all, then one sum */
	struct memfile f[9];
	char names[8][16], *bad;
	struct collect c;
	struct memfs fs;
	struct config *conf;
	size_t i, o;

	bad = malloc(99 * 6 + 1);
	ck_assert_ptr_nonnull(bad);
	for (o = 0, i = 0; i < 99; i++)
		o += fmt(bad + o, 7, "bogus\n");
	f[0].name = "/d/main";
	f[0].text = LISTEN "include x/*\n";
	f[0].same = NULL;
	for (i = 0; i < 8; i++) {
		fmt(names[i], sizeof(names[i]), "/d/x/%zu", i);
		f[i + 1].name = names[i];
		f[i + 1].text = bad;
		f[i + 1].same = NULL;
	}
	conf = load(&c, &fs, "/d/main", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, CONFIG_DIAG_MAX + 1);
	ck_assert_uint_eq(c.errors, CONFIG_DIAG_MAX + 1);
	expect(&c, 0, 1, "/d/x/0", 1, "unknown directive 'bogus'");
	free(bad);
}
END_TEST

START_TEST(test_include_depth)
{
	/* f0 is the main file; each includes the next. */
	static const struct memfile f[] = {
		{ "/d/f0", LISTEN "include f1\n" },
		{ "/d/f1", "include f2\n" },
		{ "/d/f2", "include f3\n" },
		{ "/d/f3", "include f4\n" },
		{ "/d/f4", "include f5\n" },
		{ "/d/f5", "include f6\n" },
		{ "/d/f6", "include f7\n" },
		{ "/d/f7", "# the 8th file\ninclude f8\n" },
		{ "/d/f8", "user deep\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	/* CONFIG_INCLUDE_DEPTH files deep: fine. */
	conf = load(&c, &fs, "/d/f1", f, NFILES(f));
	ck_assert_ptr_null(conf);	/* no listen: it is in f0 */
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/d/f1", 0, "no listen directive");
	ck_assert_int_eq(fs.nreads, CONFIG_INCLUDE_DEPTH);

	conf = load(&c, &fs, "/d/f0", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/d/f7", 2, "includes nested too deeply (at most 8 "
	    "files, the main file counted)");
	ck_assert_int_eq(fs.nreads, CONFIG_INCLUDE_DEPTH);
}
END_TEST

START_TEST(test_include_positions)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", "user a\ninclude inc/*.conf\n"
		  "workers 0\n" },
		{ "/etc/d/inc/1.conf", "\n\n" LISTEN "user b\n" },
		{ "/etc/d/inc/2.conf", "# x\r\nlisten tcp 127.0.0.1:13\r\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 3);
	expect(&c, 0, 1, "/etc/d/inc/1.conf", 4,
	    "'user NAME' given twice (first at /etc/d/main.conf:1)");
	/* The first listen was in another file: the message must say so. */
	expect(&c, 1, 1, "/etc/d/inc/2.conf", 2,
	    "listen: duplicate of /etc/d/inc/1.conf:3");
	expect(&c, 2, 1, "/etc/d/main.conf", 3,
	    "workers must be a number from 1 to 64, not '0'");
}
END_TEST

START_TEST(test_include_glob_chars_in_directory)
{
	/*
	 * The including file's directory is a literal path, not a pattern:
	 * "/etc/d[1]/x.conf" must be read, not "/etc/d1/x.conf".
	 */
	static const struct memfile f[] = {
		{ "/etc/d[1]/main.conf", LISTEN "include x.conf\n" },
		{ "/etc/d[1]/x.conf", "user right\n" },
		{ "/etc/d1/x.conf", "user wrong\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d[1]/main.conf", f, NFILES(f));
	ck_assert_ptr_nonnull(conf);
	ck_assert_str_eq(conf->user, "right");
	config_free(conf);
}
END_TEST

START_TEST(test_include_glob_chars_missing)
{
	/* A plain name missing is an error, whatever the directory holds. */
	static const struct memfile f[] = {
		{ "/etc/d[1]/main.conf", LISTEN "include missing.conf\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d[1]/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d[1]/main.conf", 2,
	    "include /etc/d[1]/missing.conf: no such file");
}
END_TEST

/* Whether a message is free of control bytes and bytes over 0x7e. */
static int
msg_clean(const char *m)
{
	for (; *m != '\0'; m++)
		if ((unsigned char)*m < 0x20 || (unsigned char)*m >= 0x7f)
			return 0;
	return 1;
}

START_TEST(test_include_loop_name_escaped)
{
	/* Names from the loader (a directory listing) are untrusted. */
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include x/*\n" },
		{ "/etc/d/x/\x1b[2Jevil", "include *\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.d[0].file, "/etc/d/x/\x1b[2Jevil");
	ck_assert_uint_eq(c.d[0].line, 1);
	ck_assert_msg(msg_clean(c.d[0].msg), "raw bytes in '%s'", c.d[0].msg);
	ck_assert_str_eq(c.d[0].msg,
	    "include loop: /etc/d/x/\\x1b[2Jevil is already being read");
}
END_TEST

START_TEST(test_include_missing_name_escaped)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include \xff.conf\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_msg(msg_clean(c.d[0].msg), "raw bytes in '%s'", c.d[0].msg);
	ck_assert_str_eq(c.d[0].msg,
	    "include /etc/d/\\xff.conf: no such file");
}
END_TEST

START_TEST(test_include_too_many_files)
{
	struct memfile *f;
	char (*names)[32];
	struct collect c;
	struct memfs fs;
	struct config *conf;
	size_t i, n = CONFIG_FILES_MAX + 3;

	f = calloc(n, sizeof(*f));
	names = calloc(n, sizeof(*names));
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(names);
	f[0].name = "/d/main";
	f[0].text = LISTEN "include x/*\n";
	for (i = 1; i < n; i++) {
		fmt(names[i], sizeof(names[i]), "/d/x/%04zu", i);
		f[i].name = names[i];
		f[i].text = "# empty\n";
	}
	conf = load(&c, &fs, "/d/main", f, n);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 3);
	expect(&c, 0, 1, "/d/main", 2,
	    "include /d/x/1024: too many configuration files (at most 1024)");
	expect(&c, 1, 1, "/d/main", 2,
	    "include /d/x/1025: too many configuration files (at most 1024)");
	expect(&c, 2, 1, "/d/main", 2,
	    "include /d/x/1026: too many configuration files (at most 1024)");
	free(names);
	free(f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the files-only walk (the monitor's) */

/* Includes of every kind, good and bad, and lines that are not. */
static const struct memfile walk_mixed[] = {
	{ "/etc/d/main.conf", LISTEN "bogus\nuser a\nuser b\n"
	  "include rules.d/*.rules\ninclude one.conf\ninclude one.conf x\n"
	  "include\ninclude missing.conf\ninclude EIO/*.conf\n"
	  "include main.conf\ninclude\x01 one.conf\nallow 10.0.0.0/8 user\n"
	  "include none.d/*.conf\n  include   one.conf  # again\n" },
	{ "/etc/d/rules.d/b.rules", "# b\ndeny 10.0.0.0/8\n"
	  "include ../one.conf\ninclude /etc/d/one.conf\n" },
	{ "/etc/d/rules.d/a.rules", "allow 10.0.0.0/8\ninclude /etc/d/two.conf\n" },
	{ "/etc/d/rules.d/c.txt", "include one.conf\n" },
	{ "/etc/d/one.conf", "user b\ninclude two.conf\ninclude one.conf\n" },
	{ "/etc/d/two.conf", NULL },
};

/* A chain deeper than CONFIG_INCLUDE_DEPTH. */
static const struct memfile walk_deep[] = {
	{ "/d/f0", LISTEN "include f1\n" }, { "/d/f1", "include f2\n" },
	{ "/d/f2", "include f3\n" }, { "/d/f3", "include f4\n" },
	{ "/d/f4", "include f5\n" }, { "/d/f5", "include f6\n" },
	{ "/d/f6", "include f7\n" }, { "/d/f7", "include f8\n" },
	{ "/d/f8", "include f9\n" }, { "/d/f9", "user deep\n" },
};

/* List files: read (not parsed), relative, missing, denied, repeated. */
static const struct memfile walk_lists[] = {
	{ "/etc/d/main.conf", LISTEN "deny file drop.txt\ninclude one.conf\n"
	  "allow file /l/missing\nallow file\ndeny file drop.txt\n"
	  "deny file denied.txt\n" },
	{ "/etc/d/one.conf", "allow file ../l/partners.txt\n" },
	{ "/etc/d/drop.txt", "; include one.conf\n1.10.16.0/20 ; SBL1\n"
	  "include two.conf\n" },
	{ "/etc/l/partners.txt", "192.0.2.0/24\n" },
	{ "/etc/d/denied.txt", NULL },
	{ "/etc/d/two.conf", "user two\n" },
};

/* The main file missing. */
static const struct memfile walk_none[] = {
	{ "/etc/d/other.conf", LISTEN },
};

static const struct {
	const char		*main;
	const struct memfile	*files;
	size_t			 nfiles;
} walks[] = {
	{ "/etc/d/main.conf", walk_mixed, NFILES(walk_mixed) },
	{ "/d/f0", walk_deep, NFILES(walk_deep) },
	{ "/etc/d/main.conf", walk_none, NFILES(walk_none) },
	{ "/etc/d/main.conf", walk_lists, NFILES(walk_lists) },
};

START_TEST(test_files_walk_as_load)
{
	static char trace[sizeof(((struct memfs *)0)->trace)];
	struct config_loader l;
	struct collect c;
	struct memfs fs;
	struct config *conf;

	/* The full parse's loader calls ... */
	conf = load(&c, &fs, walks[_i].main, walks[_i].files,
	    walks[_i].nfiles);
	config_free(conf);
	ck_assert_uint_gt(fs.tlen, 0);
	memcpy(trace, fs.trace, fs.tlen + 1);
	/* ... are exactly the walk's, in the same order. */
	l = mem_loader(&fs, walks[_i].files, walks[_i].nfiles);
	config_parse_files(walks[_i].main, &l);
	ck_assert_str_eq(fs.trace, trace);
}
END_TEST

START_TEST(test_files_walk_many)
{
	struct memfile *f;
	char (*names)[32], *trace;
	struct config_loader l;
	struct collect c;
	struct memfs *fs;
	struct config *conf;
	size_t i, n = CONFIG_FILES_MAX + 3;

	/* Past CONFIG_FILES_MAX the walk stops where the parse stops. */
	f = calloc(n, sizeof(*f));
	names = calloc(n, sizeof(*names));
	fs = calloc(1, sizeof(*fs));
	trace = calloc(1, sizeof(fs->trace));
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(names);
	ck_assert_ptr_nonnull(fs);
	ck_assert_ptr_nonnull(trace);
	f[0].name = "/d/main";
	f[0].text = LISTEN "include x/*\n";
	for (i = 1; i < n; i++) {
		fmt(names[i], sizeof(names[i]), "/d/x/%04zu", i);
		f[i].name = names[i];
		f[i].text = "include ../main\nuser x\n";
	}
	conf = load(&c, fs, "/d/main", f, n);
	ck_assert_ptr_null(conf);
	memcpy(trace, fs->trace, fs->tlen + 1);
	l = mem_loader(fs, f, n);
	config_parse_files("/d/main", &l);
	/* Past the cap on files, none is read at all. */
	ck_assert_int_eq(fs->nreads, CONFIG_FILES_MAX);
	ck_assert_str_eq(fs->trace, trace);
	free(trace);
	free(fs);
	free(names);
	free(f);
}
END_TEST

/* The config_parse_include suite: one test case per concern. */
Suite *
config_parse_include_suite(void)
{
	Suite *s = suite_create("config_parse_include");
	TCase *tc;

	tc = tcase_create("include");
	tcase_add_test(tc, test_include_glob_sorted);
	tcase_add_test(tc, test_include_relative);
	tcase_add_test(tc, test_include_missing);
	tcase_add_test(tc, test_include_loader_errors);
	tcase_add_test(tc, test_include_usage);
	tcase_add_test(tc, test_include_loops);
	tcase_add_test(tc, test_include_loops_by_identity);
	tcase_add_test(tc, test_include_errors_bounded);
	tcase_add_test(tc, test_include_errors_bounded_in_all);
	tcase_add_test(tc, test_include_depth);
	tcase_add_test(tc, test_include_positions);
	tcase_add_test(tc, test_include_glob_chars_in_directory);
	tcase_add_test(tc, test_include_glob_chars_missing);
	tcase_add_test(tc, test_include_loop_name_escaped);
	tcase_add_test(tc, test_include_missing_name_escaped);
	tcase_add_test(tc, test_include_too_many_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("files only");
	tcase_add_loop_test(tc, test_files_walk_as_load, 0, NFILES(walks));
	tcase_add_test(tc, test_files_walk_many);
	suite_add_tcase(s, tc);
	return s;
}
