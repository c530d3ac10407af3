// SPDX-License-Identifier: GPL-2.0
/*
 * Summaries of round-trip times: minimum, median and 99th percentile.
 */
#include <stdlib.h>

#include "mkctl.h"

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile @pct of the @n sorted samples. */
static unsigned long long rank(const unsigned long long *v, size_t n,
			       unsigned int pct)
{
	size_t r = (n * pct + 99) / 100;	/* ceil(n * pct / 100) */

	return v[r ? r - 1 : 0];
}

/**
 * mk_rtt_summary() - summarize samples
 * @v: the samples; sorted in place
 * @n: how many, at least 1
 * @s: where to store the summary
 *
 * The median and the 99th percentile are nearest-rank ones: the smallest
 * sample that at least half (99 percent) of the samples do not exceed.
 */
void mk_rtt_summary(unsigned long long *v, size_t n, struct mk_rtt *s)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	s->count = n;
	s->min = v[0];
	s->median = rank(v, n, 50);
	s->p99 = rank(v, n, 99);
}
