// SPDX-License-Identifier: GPL-2.0
/*
 * Starting and stopping an instance: the words written to its state
 * attribute, and waiting for the states they lead to (admin-guide.rst,
 * Lifecycle).  Waits look at the state every POLL_MS.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mkctl.h"

#define POLL_MS			100
#define STOP_TIMEOUT_MS		10000	/* the kernel's default */
#define STOP_GRACE_MS		5000	/* waited beyond stop_timeout_ms */

/**
 * mk_state() - read an instance's state
 * @name: the instance
 * @buf: where to put it: "stopped", "starting", ...
 * @size: size of @buf
 *
 * Return: 0 or -errno.
 */
int mk_state(const char *name, char *buf, size_t size)
{
	char file[PATH_MAX];
	int err;

	err = mk_inst_path(file, sizeof(file), name, "state");
	return err ? err : mk_read_attr(file, buf, size);
}

/**
 * mk_request() - write a word to an instance's state
 * @name: the instance
 * @word: "start", "stop" or "kill"
 *
 * Return: 0, or the -errno of the write, the kernel's refusal.
 */
int mk_request(const char *name, const char *word)
{
	char file[PATH_MAX];
	int err;

	err = mk_inst_path(file, sizeof(file), name, "state");
	return err ? err : mk_write_attr(file, word);
}

/* Read an attribute of @name; an empty string if it cannot be read. */
static void read_or_empty(const char *name, const char *attr, char *buf,
			  size_t size)
{
	char file[PATH_MAX];

	if (mk_inst_path(file, sizeof(file), name, attr) ||
	    mk_read_attr(file, buf, size))
		buf[0] = '\0';
}

/**
 * mk_explain_start() - say why the kernel refused to start an instance
 * @buf: where to put the sentence
 * @size: size of @buf
 * @name: the instance
 * @err: the errno of the write of "start", positive
 *
 * Return: @buf
 */
const char *mk_explain_start(char *buf, size_t size, const char *name,
			     int err)
{
	char kernel[MK_VALUE_MAX + 1];

	read_or_empty(name, "kernel", kernel, sizeof(kernel));
	return mk_explain(buf, size, MK_START, name, kernel, err);
}

/**
 * mk_start() - start an instance
 * @cmd: the command, for the message
 * @name: the instance, which exists
 *
 * Returns once the instance's first CPU runs the new kernel, when its
 * state reads "starting".
 *
 * Return: 0, or -1 after printing why the kernel refused.
 */
int mk_start(const char *cmd, const char *name)
{
	char why[256];
	int err;

	err = mk_request(name, "start");
	if (!err)
		return 0;
	mk_err("%s %s: %s", cmd, name,
	       mk_explain_start(why, sizeof(why), name, -err));
	return -1;
}

static int report_running(const char *name)
{
	unsigned long long ms;
	char file[PATH_MAX];

	if (!mk_inst_path(file, sizeof(file), name, "boot_time_ms") &&
	    !mk_read_u64(file, &ms))
		printf("%s running, booted in %llu ms\n", name, ms);
	else
		printf("%s running\n", name);
	return 0;
}

/* Read crash_reason into @buf, or say there is none. */
static const char *crash_reason(const char *name, char *buf, size_t size)
{
	read_or_empty(name, "crash_reason", buf, size);
	return buf[0] ? buf : "no reason given";
}

static bool is(const char *state, const char *want)
{
	return !strcmp(state, want);
}

/* Read the state; 0, or -1 after printing why it cannot be read. */
static int get_state(const char *cmd, const char *name, char *buf,
		     size_t size)
{
	int err = mk_state(name, buf, size);

	if (!err)
		return 0;
	mk_err("%s %s: cannot read state: %s", cmd, name, strerror(-err));
	return -1;
}

/* Sleep POLL_MS, or until @deadline; false if @deadline has passed. */
static bool before(unsigned long long deadline)
{
	unsigned long long now = mk_now_ms();

	if (now >= deadline)
		return false;
	mk_sleep_ms(deadline - now < POLL_MS ? deadline - now : POLL_MS);
	return true;
}

/**
 * mk_wait_running() - wait for a started instance to run its init
 * @cmd: the command, for messages
 * @name: the instance
 * @timeout_ms: how long to wait; -1 for MK_START_TIMEOUT_MS
 *
 * Prints "NAME running, booted in N ms" once the state reads "running".
 * The state is read first right away, so a timeout of 0 looks once.
 *
 * Return: 0, or -1 after printing that the instance crashed, stopped, or
 * was not running in time (it then keeps booting).
 */
int mk_wait_running(const char *cmd, const char *name, long timeout_ms)
{
	char state[32], why[MK_VALUE_MAX + 1];
	unsigned long long deadline;

	if (timeout_ms < 0)
		timeout_ms = MK_START_TIMEOUT_MS;
	deadline = mk_now_ms() + timeout_ms;
	do {
		if (get_state(cmd, name, state, sizeof(state)))
			return -1;
		if (is(state, "running"))
			return report_running(name);
		if (is(state, "crashed") || is(state, "quarantined")) {
			mk_err("%s %s: %s: %s", cmd, name, state,
			       crash_reason(name, why, sizeof(why)));
			return -1;
		}
		if (is(state, "stopped")) {
			mk_err("%s %s: stopped before it was running", cmd,
			       name);
			return -1;
		}
	} while (before(deadline));
	mk_err("%s %s: not running after %ld s (state %s)", cmd, name,
	       timeout_ms / 1000, state);
	return -1;
}

/* Write stop or kill; 0, or -1 after printing @what and the refusal. */
static int request(const char *cmd, const char *name, const char *word,
		   const char *what)
{
	char why[256];
	int err;

	err = mk_request(name, word);
	if (!err)
		return 0;
	mk_err("%s %s: %s%s", cmd, name, what,
	       mk_explain(why, sizeof(why), MK_STOP, name, word, -err));
	return -1;
}

static long stop_timeout(const char *name)
{
	unsigned long long ms;
	char file[PATH_MAX];

	if (mk_inst_path(file, sizeof(file), name, "stop_timeout_ms") ||
	    mk_read_u64(file, &ms) || ms > MK_TIMEOUT_MAX * 1000ULL)
		ms = STOP_TIMEOUT_MS;
	return ms / 1000 * 1000 + STOP_GRACE_MS;
}

/**
 * mk_stop() - stop an instance
 * @cmd: the command, for messages
 * @name: the instance
 * @force: kill it at once instead of asking its kernel to shut down
 * @timeout_ms: how long a clean stop may take before it is forced; -1 for
 *	the instance's stop_timeout_ms, in whole seconds, plus 5 s
 *
 * A stopped instance is left alone.  A crashed one becomes stopped.
 * Forcing a stop after @timeout_ms, or an instance that crashes while it
 * stops, is reported on stderr, but is no failure: it ends stopped.
 *
 * Return: 0 once the instance is stopped, or -1 after printing why not.
 */
int mk_stop(const char *cmd, const char *name, bool force, long timeout_ms)
{
	char state[32], why[MK_VALUE_MAX + 1];
	unsigned long long deadline;

	if (get_state(cmd, name, state, sizeof(state)))
		return -1;
	if (is(state, "stopped"))
		return 0;
	if (force)
		return request(cmd, name, "kill", "");
	if (timeout_ms < 0)
		timeout_ms = stop_timeout(name);
	if (!is(state, "stopping") && request(cmd, name, "stop", ""))
		return -1;
	deadline = mk_now_ms() + timeout_ms;
	do {
		if (get_state(cmd, name, state, sizeof(state)))
			return -1;
		if (is(state, "stopped"))
			return 0;
		if (is(state, "quarantined")) {
			mk_err("%s %s: quarantined: %s; 'mkctl stop --force %s' retries",
			       cmd, name, crash_reason(name, why, sizeof(why)),
			       name);
			return -1;
		}
		if (is(state, "crashed")) {
			crash_reason(name, why, sizeof(why));
			if (request(cmd, name, "kill", "crashed, kill: "))
				return -1;
			mk_err("%s %s: crashed while stopping: %s", cmd, name,
			       why[0] ? why : "no reason given");
			return 0;
		}
	} while (before(deadline));
	if (request(cmd, name, "kill", "no clean stop, kill: "))
		return -1;
	mk_err("%s %s: no clean stop within %ld s; killed", cmd, name,
	       timeout_ms / 1000);
	return 0;
}
