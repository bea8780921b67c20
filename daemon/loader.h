/* SPDX-License-Identifier: ISC */
/*
 * loader: where configuration bytes come from. The disk loader (sorted
 * glob, bounded reads of regular files; every open goes through one
 * function, loader_open: non-blocking, and only what root or the run user
 * could have written, see trust.h), and the bundle:
 * what the monitor read for one load, recorded in order, encoded for the
 * socketpair, then decoded by the engine and served as a loader of its
 * own, so the engine parses exactly the bytes the monitor read.
 */
#ifndef DAYTIMED_LOADER_H
#define DAYTIMED_LOADER_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

#include "daemon/config_parse.h"
#include "daemon/trust.h"

#define LOADER_FILE_MAX		(64u << 20)	/* largest file read */
#define LOADER_BUNDLE_MAX	(256u << 20)	/* bytes of one load's bundle */
#define LOADER_MAGIC		0x64746232u	/* "dtb2" */
/*
 * A full bundle's one LOADER_FULL entry may go past max by this much (its
 * name cut to LOADER_FULL_NAME bytes, and why), so that the reason always
 * reaches the engine; the wire form of a bundle is at most LOADER_WIRE_MAX.
 */
#define LOADER_FULL_NAME	4096
#define LOADER_FULL_ROOM	(LOADER_FULL_NAME + 256)
#define LOADER_WIRE_MAX(max)	((size_t)(max) + 8 + LOADER_FULL_ROOM)

/*
 * The loader that reads the filesystem, judging trust for this process's
 * effective user (the monitor; tests).
 */
extern const struct config_loader loader_disk;

/*
 * The disk loader of a start and -t: trust judged for t's run user, who
 * may be known only later (trust_judge), and each glob and read counted
 * as the monitor's bundle counts it: a load the bundle could not hold
 * fails here too, at the same file, with the same message.
 */
struct loader_disk {
	struct trust	*trust;
	size_t		 bytes;		/* counted against max */
	size_t		 max;
	int		 full;		/* over max: every later call fails */
};
void	loader_disk_trusting(struct loader_disk *, struct trust *,
	    size_t max, struct config_loader *);
/*
 * The one open of a configuration, include, list or key file: walked and
 * judged by t (NULL: for this process's user; need: TRUST_READ when the
 * run user reads it again on reload), opened non-blocking, a regular file
 * of at most max bytes. The descriptor and its stat, or -1 and a message
 * in err.
 */
int	loader_open(struct trust *, const char *name, unsigned need,
	    off_t max, struct stat *st, char *err, size_t errlen);
/*
 * Read a whole file opened so: its bytes, NUL-ended; -1 and err, also
 * when the file changed since that stat (written in place as it is read).
 */
int	loader_read_fd(int fd, const struct stat *, char **buf, size_t *len,
	    char *err, size_t errlen);

/* What one bundle entry holds: the result of one glob or one read. */
enum loader_kind {
	LOADER_GLOB = 'G',	/* data: the names, each NUL-terminated */
	LOADER_FILE = 'F',	/* data: the file's bytes */
	LOADER_ERROR = 'E',	/* data: the loader's message */
	LOADER_FULL = 'O'	/* last, past max: the name that did not fit;
				   data: why, the answer for it and for
				   every name no entry holds */
};

struct loader_entry {
	enum loader_kind	 kind;
	char			*name;	/* a pattern or a file name */
	struct config_file_id	 id;	/* a file's identity */
	char			*data;	/* len bytes and a NUL */
	size_t			 len;
};

struct loader_bundle {
	struct loader_entry	*e;
	size_t			 n;
	size_t			 bytes;	/* counted against max */
	size_t			 max;
	int			 full;	/* an entry did not fit: nothing more */
};

/* An empty bundle that will hold at most max bytes. */
struct loader_bundle *loader_bundle_new(size_t max);
/*
 * Append one entry (copied); -1 when out of memory or over the cap. A
 * LOADER_FULL entry goes past the cap, once, if it fits LOADER_FULL_ROOM.
 */
int	loader_bundle_add(struct loader_bundle *, enum loader_kind,
	    const char *name, const char *data, size_t len);
/* The same for a file, with its identity. */
int	loader_bundle_add_file(struct loader_bundle *, const char *name,
	    const struct config_file_id *, const char *data, size_t len);
/* Read the configuration at conffile from disk as the parser would. */
struct loader_bundle *loader_bundle_record(const char *conffile, size_t max);
/*
 * The wire form: magic, count, then per entry kind, name length, name,
 * device and inode (64-bit), data length, data (lengths 32-bit; all
 * big-endian).
 */
int	loader_bundle_encode(const struct loader_bundle *, char **out,
	    size_t *outlen);
/* Decode the wire form, checking every length; NULL when malformed. */
struct loader_bundle *loader_bundle_decode(const char *, size_t, size_t max);
/* A loader serving the bundle's entries; valid while the bundle lives. */
void	loader_bundle_loader(struct loader_bundle *, struct config_loader *);
void	loader_bundle_free(struct loader_bundle *);

/* The 32-bit big-endian integers of the wire form (and its framing). */
void	loader_put32(char *, uint32_t);
uint32_t loader_get32(const char *);

#endif
