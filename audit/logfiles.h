/* SPDX-License-Identifier: ISC */
/*
 * logfiles: the order in which `daytimed-audit verify` and `report` read
 * their log files: standard input first, then the files oldest first by
 * the time of their first sealed record, the files of one epoch (its log
 * rotated) by that record's seq. Pure: the command (logfiles_cmd.c)
 * stats and opens the files, these functions only decide.
 */
#ifndef DAYTIMED_LOGFILES_H
#define DAYTIMED_LOGFILES_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* One log file to read. */
struct logfiles_file {
	const char	*path;		/* as given; "-" is standard input */
	const char	*name;		/* for messages: "(stdin)" for "-" */
	uint64_t	 first;		/* its first sealed record's time */
	uint64_t	 epoch, seq;	/* ... its epoch and seq */
	int		 has_first;
	int		 reg;		/* a regular file: dev and ino say which */
	size_t		 pos;		/* as given */
	dev_t		 dev;
	ino_t		 ino;
};

/*
 * Whether line (len bytes) is a sealed record with a time: 1, and its
 * time, epoch and seq set into f as its first; 0, f untouched.
 */
int	logfiles_first(struct logfiles_file *f, const char *line, size_t len);
/*
 * The file of f[0..n) that is the regular file dev, ino (the same file
 * named again), or n when none is.
 */
size_t	logfiles_same(const struct logfiles_file *f, size_t n, dev_t dev,
	    ino_t ino);
/*
 * Put f[0..n) in reading order: standard input, the files without a
 * sealed record, then by the time of their first; files whose first
 * sealed records are of one epoch by their seq, in the places time gave
 * them (a clock set back between two rotations reorders nothing); else
 * as given (pos). 1 when the order is not the one given, else 0.
 */
int	logfiles_order(struct logfiles_file *f, size_t n);

#endif
