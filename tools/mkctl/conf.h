/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instance configuration files, as mkctl apply reads them: one instance
 * per file, "key = value" lines (Documentation/multikernel/mkctl.rst).
 */
#ifndef MKCTL_CONF_H
#define MKCTL_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "mkctl.h"

/* The keys of a configuration file. */
enum mk_conf_key {
	MK_CONF_NAME,
	MK_CONF_CPUS,
	MK_CONF_CPU_COUNT,
	MK_CONF_MEMORY,
	MK_CONF_KERNEL,
	MK_CONF_INITRD,
	MK_CONF_CMDLINE,
	MK_CONF_BOOT_TIMEOUT,
	MK_CONF_STOP_TIMEOUT,
	MK_CONF_START,
	MK_CONF_NR_KEYS
};

#define MK_CONF_TIMEOUT_MIN	100		/* *_timeout_ms bounds */
#define MK_CONF_TIMEOUT_MAX	3600000
#define MK_CONF_SIZE_MAX	65536		/* longest file read */

/* One instance as its file describes it. */
struct mk_conf {
	char file[PATH_MAX];		/* where it was read from */
	int line[MK_CONF_NR_KEYS];	/* line of each key given, or 0 */
	char name[MK_NAME_MAX + 1];
	char cpus[MK_VALUE_MAX + 1];	/* empty with cpu_count */
	unsigned int cpu_count;		/* 0 with cpus */
	unsigned long long memory;	/* bytes */
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];		/* empty for none */
	char cmdline[MK_VALUE_MAX + 1];
	unsigned long boot_timeout_ms;	/* used if line[] says given */
	unsigned long stop_timeout_ms;
	bool start;
};

/* What mkctl apply does to one instance. */
struct mk_plan {
	const struct mk_conf *conf;
	bool exists;			/* the instance exists already */
	char state[32];			/* its state, "stopped" if new */
	unsigned int change;		/* 1 << MK_CONF_* of values to write */
	bool live;			/* running: resize it, cpus and memory */
	bool start;			/* start it */
	char cpus[MK_VALUE_MAX + 1];	/* the CPUs it gets */
};

struct mk_cpuset;

/* conf.c */
const char *mk_conf_key_name(enum mk_conf_key key);
int mk_conf_parse(struct mk_conf *c, const char *file, const char *text,
		  FILE *err);
int mk_conf_load(struct mk_conf *c, const char *file, FILE *err);

/* apply.c */
int mk_plan_make(struct mk_plan *p, const struct mk_conf *c,
		 struct mk_cpuset *planned);
int mk_plan_check(const struct mk_plan *p);
int mk_plan_run(const struct mk_plan *p, bool dry_run);

#endif /* MKCTL_CONF_H */
