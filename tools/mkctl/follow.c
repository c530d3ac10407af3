// SPDX-License-Identifier: GPL-2.0
/*
 * Following an instance's console output, for log and console.
 *
 * The sysfs file instances/NAME/console holds what the spawn wrote since
 * its last start and is read at stream positions: a reader that keeps it
 * open reads, each time, what arrived since.  When the instance starts
 * again the stream starts over; a follower that watches the state sees
 * the new boot and reads the new stream from its beginning.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mkctl.h"

#define CHUNK		65536
#define MAX_CHUNKS	4	/* read by one mk_follow_copy() */

static char chunk[CHUNK];

static bool is(const char *state, const char *want)
{
	return !strcmp(state, want);
}

/*
 * Whether going from state @was to @now means a new boot: the instance
 * went from down to up, or from running back to starting.
 */
static bool new_boot(const char *was, const char *now)
{
	if (!was[0] || !(is(now, "starting") || is(now, "running")))
		return false;
	if (is(was, "running"))
		return is(now, "starting");
	return !is(was, "starting");
}

/**
 * mk_follow_open() - open an instance's console output
 * @f: the follower to set up
 * @cmd: the command, for messages
 * @name: the instance, a valid name
 *
 * Return: 0, or -1 after printing why the console cannot be read.
 */
int mk_follow_open(struct mk_follow *f, const char *cmd, const char *name)
{
	char file[PATH_MAX];
	int err;

	f->cmd = cmd;
	f->name = name;
	if (mk_state(name, f->state, sizeof(f->state)))
		f->state[0] = '\0';
	err = mk_sys_inst_path(file, sizeof(file), name, "console");
	if (!err) {
		f->fd = open(file, O_RDONLY | O_CLOEXEC);
		if (f->fd >= 0)
			return 0;
		err = -errno;
	}
	if (err == -ENOENT && !mk_instance_exists(name))
		mk_err("%s %s: no instance named %s", cmd, name, name);
	else if (err == -EACCES || err == -EPERM)
		mk_err("%s %s: cannot read the console: permission denied (run as root)",
		       cmd, name);
	else
		mk_err("%s %s: cannot read the console: %s", cmd, name,
		       strerror(-err));
	return -1;
}

/**
 * mk_follow_close() - close what mk_follow_open() opened
 * @f: the follower
 */
void mk_follow_close(struct mk_follow *f)
{
	close(f->fd);
	f->fd = -1;
}

/* Start over if the instance booted again since the last look. */
static void watch_state(struct mk_follow *f)
{
	char now[sizeof(f->state)];

	if (mk_state(f->name, now, sizeof(now)))
		return;
	if (new_boot(f->state, now))
		lseek(f->fd, 0, SEEK_SET);
	memcpy(f->state, now, sizeof(now));
}

/* read() the console; 0 at its end, -1 after printing an error. */
static ssize_t read_chunk(struct mk_follow *f)
{
	ssize_t n;

	do {
		n = read(f->fd, chunk, sizeof(chunk));
	} while (n < 0 && errno == EINTR && !mk_signalled());
	if (n >= 0 || errno == EINTR)
		return n < 0 ? 0 : n;
	if (errno == ENODEV)
		mk_err("%s %s: the instance was destroyed", f->cmd, f->name);
	else
		mk_err("%s %s: cannot read the console: %s", f->cmd, f->name,
		       strerror(errno));
	return -1;
}

static int emit(struct mk_follow *f, const char *buf, size_t len)
{
	int err = mk_write_all(STDOUT_FILENO, buf, len);

	if (!err || err == -EINTR)
		return 0;
	mk_err("%s %s: cannot write the output: %s", f->cmd, f->name,
	       strerror(-err));
	return -1;
}

/**
 * mk_follow_copy() - copy new console output to stdout
 * @f: the follower
 * @watch: look at the state first, and start over after a new boot
 *
 * Copies up to MAX_CHUNKS * CHUNK bytes, so that a caller that also
 * waits for input stays responsive.  A caught signal ends the copy early.
 *
 * Return: 0 at the end of what arrived so far, 1 if there may be more,
 * -1 after printing an error.
 */
int mk_follow_copy(struct mk_follow *f, bool watch)
{
	ssize_t n;
	int i;

	if (watch)
		watch_state(f);
	for (i = 0; i < MAX_CHUNKS; i++) {
		if (mk_signalled())
			return 0;
		n = read_chunk(f);
		if (n <= 0)
			return n;
		if (emit(f, chunk, n))
			return -1;
	}
	return 1;
}

/* Append @n bytes to the @len bytes at @tail, keeping the last @keep. */
static size_t keep_last(char *tail, size_t len, size_t keep,
			const char *buf, size_t n)
{
	size_t drop;

	if (n >= keep) {
		memcpy(tail, buf + n - keep, keep);
		return keep;
	}
	drop = len + n > keep ? len + n - keep : 0;
	memmove(tail, tail + drop, len - drop);
	memcpy(tail + len - drop, buf, n);
	return len - drop + n;
}

/**
 * mk_follow_tail() - skip to the end of the console output, but show some
 * @f: the follower, just opened
 * @keep: how many of the last bytes to copy to stdout at most
 *
 * What is shown starts at the beginning of a line, unless it is all there
 * is.  Later mk_follow_copy() calls copy only what arrives afterwards.
 *
 * Return: 0, or -1 after printing an error.
 */
int mk_follow_tail(struct mk_follow *f, size_t keep)
{
	size_t len = 0, total = 0;
	const char *start;
	char *tail, *nl;
	ssize_t n;
	int ret;

	tail = malloc(keep ? keep : 1);
	if (!tail) {
		mk_err("%s %s: out of memory", f->cmd, f->name);
		return -1;
	}
	while ((n = read_chunk(f)) > 0 && !mk_signalled()) {
		len = keep_last(tail, len, keep, chunk, n);
		total += n;
	}
	start = tail;
	nl = total > len ? memchr(tail, '\n', len) : NULL;
	if (nl)
		start = nl + 1;
	ret = n < 0 ? -1 : emit(f, start, len - (start - tail));
	free(tail);
	return ret;
}
