// SPDX-License-Identifier: GPL-2.0
/*
 * The cpulist format of the cpus attribute ("2-3,5", "4-11:2/4"), as
 * bitmap_parselist() in the kernel takes it.  The kernel is the judge of
 * what it accepts; mkctl looks at a list only to explain a rejection.
 */
#include <errno.h>
#include <stdlib.h>

#include "mkctl.h"

/* Parse a decimal number at *p and move *p past it. */
static int number(const char **p, unsigned long *n)
{
	char *end;

	if (**p < '0' || **p > '9')
		return -EINVAL;
	errno = 0;
	*n = strtoul(*p, &end, 10);
	if (errno)
		return -errno;
	*p = end;
	return 0;
}

/* Parse one "a", "a-b" or "a-b:used/group" and move *p past it. */
static int range(const char **p, unsigned long *start)
{
	unsigned long end, used, group;

	if (number(p, start))
		return -EINVAL;
	if (**p != '-')
		return 0;
	(*p)++;
	if (number(p, &end) || end < *start)
		return -EINVAL;
	if (**p != ':')
		return 0;
	(*p)++;
	if (number(p, &used) || **p != '/')
		return -EINVAL;
	(*p)++;
	if (number(p, &group) || !used || used > group)
		return -EINVAL;
	return 0;
}

/**
 * cpulist_first() - check a cpulist and find its lowest CPU
 * @list: the text, e.g. "2-3,5"
 * @first: where to store the lowest CPU in the list
 *
 * Return: 0 if @list is a well-formed, non-empty cpulist; -EINVAL if not.
 */
int cpulist_first(const char *list, unsigned long *first)
{
	const char *p = list;
	unsigned long start;

	*first = -1UL;
	for (;;) {
		if (range(&p, &start))
			return -EINVAL;
		if (start < *first)
			*first = start;
		if (!*p)
			return 0;
		if (*p++ != ',')
			return -EINVAL;
	}
}
