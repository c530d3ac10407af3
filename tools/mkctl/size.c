// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes as the memory attribute takes and shows them: a decimal byte
 * count with an optional K, M or G suffix (powers of 1024).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "mkctl.h"

static const struct {
	char suffix;
	unsigned int shift;
} units[] = {
	{ 'G', 30 },
	{ 'M', 20 },
	{ 'K', 10 },
};

static int suffix_shift(char c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (c == units[i].suffix || c == units[i].suffix + 'a' - 'A')
			return units[i].shift;
	return -1;
}

/**
 * size_parse() - parse a size such as "4096", "256M" or "1g"
 * @s: the text: decimal digits and an optional K, M or G (either case)
 * @bytes: where to store the size in bytes
 *
 * Return: 0; -EINVAL if @s is not a size; -ERANGE if it does not fit in
 * 64 bits.
 */
int size_parse(const char *s, unsigned long long *bytes)
{
	unsigned long long v = 0;
	const char *p;
	int shift = 0;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - (*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (*p - '0');
	}
	if (p == s)
		return -EINVAL;
	if (*p) {
		shift = suffix_shift(*p++);
		if (shift < 0 || *p)
			return -EINVAL;
	}
	if (v > ULLONG_MAX >> shift)
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}

/**
 * size_format() - format a size with the largest suffix that divides it
 * @bytes: the size
 * @buf: where to put the text ("256M", "1536K", "0")
 * @size: size of @buf
 *
 * This is how the kernel shows the memory attribute, so that the text
 * parses back to the same number.
 *
 * Return: @buf
 */
char *size_format(unsigned long long bytes, char *buf, size_t size)
{
	size_t i;

	for (i = 0; bytes && i < ARRAY_SIZE(units); i++) {
		unsigned long long unit = 1ULL << units[i].shift;

		if (bytes % unit == 0) {
			snprintf(buf, size, "%llu%c", bytes / unit,
				 units[i].suffix);
			return buf;
		}
	}
	snprintf(buf, size, "%llu", bytes);
	return buf;
}
