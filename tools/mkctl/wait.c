// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting: timeouts given in seconds, a monotonic clock, sleeps, and the
 * signals that end a wait early.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "mkctl.h"

/* The last signal caught by mk_catch_signal()'s handler, or 0. */
static atomic_int signalled;

/**
 * mk_seconds_parse() - parse a timeout given in whole seconds
 * @s: the text: decimal digits, from 0 to MK_TIMEOUT_MAX
 * @ms: where to store the timeout, in milliseconds
 *
 * Return: 0, or -EINVAL if @s is not such a number.
 */
int mk_seconds_parse(const char *s, long *ms)
{
	long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > MK_TIMEOUT_MAX)
			return -EINVAL;
	}
	if (p == s || *p)
		return -EINVAL;
	*ms = v * 1000;
	return 0;
}

/**
 * mk_now_ms() - read the monotonic clock
 *
 * Return: milliseconds since some fixed point in the past.
 */
unsigned long long mk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/**
 * mk_sleep_ms() - sleep, unless a caught signal arrives
 * @ms: how long
 *
 * Returns early when a signal is caught, so that a loop around it can ask
 * mk_signalled().
 */
void mk_sleep_ms(unsigned long ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};

	nanosleep(&ts, NULL);
}

static void caught(int sig)
{
	atomic_store(&signalled, sig);
}

/**
 * mk_signalled() - tell whether a signal ended the wait
 *
 * Return: the last signal caught by mk_catch_signal()'s handler, or 0.
 */
int mk_signalled(void)
{
	return atomic_load(&signalled);
}

/**
 * mk_catch_signal() - note a signal for mk_signalled() instead of dying
 * @sig: the signal
 *
 * The handler does not restart system calls: a sleep, poll() or read()
 * it interrupts returns, and the caller sees mk_signalled() return it.
 *
 * Return: 0, or -errno of sigaction().
 */
int mk_catch_signal(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = caught;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) ? -errno : 0;
}
