// SPDX-License-Identifier: GPL-2.0
/*
 * The cpulist format of the cpus attribute ("2-3,5", "4-11:2/4"), as
 * bitmap_parselist() in the kernel takes it.  The kernel is the judge of
 * what the cpus attribute accepts; mkctl parses a list to explain a
 * rejection, to compare CPU sets and to read the topology in sysfs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"
#include "cpuset.h"

/* One "a", "a-b" or "a-b:used/group" of a list. */
struct range {
	unsigned long start;
	unsigned long end;
	unsigned long used;
	unsigned long group;
};

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

/* Parse one range and move *p past it. */
static int range(const char **p, struct range *r)
{
	if (number(p, &r->start))
		return -EINVAL;
	r->end = r->start;
	r->used = 1;
	r->group = 1;
	if (**p != '-')
		return 0;
	(*p)++;
	if (number(p, &r->end) || r->end < r->start)
		return -EINVAL;
	if (**p != ':')
		return 0;
	(*p)++;
	if (number(p, &r->used) || **p != '/')
		return -EINVAL;
	(*p)++;
	if (number(p, &r->group) || !r->used || r->used > r->group)
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
	struct range r;

	*first = -1UL;
	for (;;) {
		if (range(&p, &r))
			return -EINVAL;
		if (r.start < *first)
			*first = r.start;
		if (!*p)
			return 0;
		if (*p++ != ',')
			return -EINVAL;
	}
}

/* Add the CPUs of @r to @set. */
static int add_range(const struct range *r, struct mk_cpuset *set)
{
	unsigned long cpu;

	if (r->end >= MK_MAX_CPUS)
		return -ERANGE;
	for (cpu = r->start; cpu <= r->end; cpu++)
		if ((cpu - r->start) % r->group < r->used)
			set->cpu[cpu] = true;
	return 0;
}

/**
 * mk_cpuset_parse() - read a cpulist into a set
 * @list: the text, e.g. "2-3,5"; an empty text is the empty set
 * @set: where to store the CPUs
 *
 * Return: 0; -EINVAL if @list is not a cpulist; -ERANGE if it names a CPU
 * of MK_MAX_CPUS or above.
 */
int mk_cpuset_parse(const char *list, struct mk_cpuset *set)
{
	const char *p = list;
	struct range r;
	int err;

	memset(set, 0, sizeof(*set));
	if (!*p)
		return 0;
	for (;;) {
		if (range(&p, &r))
			return -EINVAL;
		err = add_range(&r, set);
		if (err)
			return err;
		if (!*p)
			return 0;
		if (*p++ != ',')
			return -EINVAL;
	}
}

/**
 * mk_cpuset_format() - write a set as a cpulist
 * @set: the CPUs
 * @buf: where to put the text, e.g. "2-3,5"; empty for the empty set
 * @size: size of @buf
 *
 * Return: 0, or -ENAMETOOLONG if @buf is too small.
 */
int mk_cpuset_format(const struct mk_cpuset *set, char *buf, size_t size)
{
	unsigned int cpu, end;
	size_t len = 0;
	int n;

	if (!size)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	for (cpu = 0; cpu < MK_MAX_CPUS; cpu = end + 1) {
		if (!set->cpu[cpu]) {
			end = cpu;
			continue;
		}
		for (end = cpu; end + 1 < MK_MAX_CPUS && set->cpu[end + 1];)
			end++;
		if (end == cpu)
			n = snprintf(buf + len, size - len, "%s%u",
				     len ? "," : "", cpu);
		else
			n = snprintf(buf + len, size - len, "%s%u-%u",
				     len ? "," : "", cpu, end);
		if (n < 0 || (size_t)n >= size - len)
			return -ENAMETOOLONG;
		len += n;
	}
	return 0;
}

/**
 * mk_cpuset_count() - count the CPUs in a set
 * @set: the CPUs
 *
 * Return: how many there are.
 */
unsigned int mk_cpuset_count(const struct mk_cpuset *set)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++)
		n += set->cpu[cpu];
	return n;
}

/**
 * mk_cpuset_equal() - compare two sets
 * @a: one set
 * @b: the other
 *
 * Return: true if they hold the same CPUs.
 */
bool mk_cpuset_equal(const struct mk_cpuset *a, const struct mk_cpuset *b)
{
	return !memcmp(a->cpu, b->cpu, sizeof(a->cpu));
}

/**
 * mk_cpuset_or() - add the CPUs of one set to another
 * @set: the set added to
 * @more: the CPUs to add
 */
void mk_cpuset_or(struct mk_cpuset *set, const struct mk_cpuset *more)
{
	unsigned int cpu;

	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++)
		set->cpu[cpu] |= more->cpu[cpu];
}

/**
 * mk_cpuset_drop() - take the highest-numbered CPUs out of a set
 * @set: the CPUs
 * @n: how many to take out
 *
 * Return: 0, or -ENOSPC if @set has @n CPUs or fewer (none would be left;
 * @set is left as it was).
 */
int mk_cpuset_drop(struct mk_cpuset *set, unsigned int n)
{
	unsigned int cpu = MK_MAX_CPUS;

	if (mk_cpuset_count(set) <= n)
		return -ENOSPC;
	while (n && cpu--) {
		if (set->cpu[cpu]) {
			set->cpu[cpu] = false;
			n--;
		}
	}
	return 0;
}
