// SPDX-License-Identifier: GPL-2.0
/*
 * Error messages.  The kernel answers a rejected mkdir, rmdir or attribute
 * write (start, stop and kill included) with an errno (the table in
 * admin-guide.rst); mk_explain() turns it back into the reason, in words a
 * person can act on.  A CPU refused because another instance has it is
 * explained by naming that instance, found by reading the instances'
 * cpus.
 *
 * A refused live resize (cpus or memory written to a running instance)
 * is explained by the host itself: the one line it leaves in the
 * instance's configfs file resize_reason.  Only without one does the errno
 * say it.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"
#include "cpuset.h"

/* What replaces the "%s" of a message. */
enum ctx {
	CTX_NONE,
	CTX_NAME,		/* the instance name */
	CTX_MAX_INSTANCES,	/* sysfs max_instances */
	CTX_POOL_SIZE,		/* sysfs pool/size */
	CTX_MIN_MEMORY,		/* sysfs min_memory */
	CTX_GRANULE,		/* sysfs pool/granule */
	CTX_LARGEST_FREE,	/* sysfs pool/largest_free */
	CTX_POOL_FREE,		/* sysfs pool/free */
	CTX_RESIZE_GRANULE,	/* " (128M)" from resize_granule, or "" */
	CTX_VALUE,		/* the value written, or "the kernel" */
};

static bool has_cpu0(const char *value)
{
	unsigned long first;

	return !cpulist_first(value, &first) && first == 0;
}

/* Empty, or a list: nothing wrong with it but what it leaves out. */
static bool keeps_none(const char *value)
{
	unsigned long first;

	return !value[0] || !cpulist_first(value, &first);
}

static bool not_size(const char *value)
{
	unsigned long long bytes;

	return size_parse(value, &bytes) != 0;
}

static bool is_zero(const char *value)
{
	unsigned long long bytes;

	return !size_parse(value, &bytes) && !bytes;
}

static bool is_relative(const char *value)
{
	return value[0] != '/';
}

/*
 * The first entry whose @ops has the failed operation, whose @err is the
 * errno and whose @when (if any) holds for the value written wins.
 */
static const struct errmsg {
	unsigned int ops;
	int err;
	bool (*when)(const char *value);
	enum ctx ctx;
	const char *msg;
} errmsgs[] = {
	{ MK_START, EPERM, NULL, CTX_NONE,
	  "permission denied: needs CAP_SYS_BOOT (run as root) and no kernel lockdown" },
	{ MK_ANY, EPERM, NULL, CTX_NONE,
	  "permission denied: needs CAP_SYS_ADMIN (run as root)" },
	{ MK_ANY, EACCES, NULL, CTX_NONE,
	  "permission denied: needs CAP_SYS_ADMIN (run as root)" },
	{ MK_MKDIR, EINVAL, NULL, CTX_NONE,
	  "invalid name: must match [a-z0-9][a-z0-9_-]{0,31}" },
	{ MK_MKDIR, EEXIST, NULL, CTX_NAME,
	  "an instance named %s exists already" },
	{ MK_MKDIR, ENODEV, NULL, CTX_NONE,
	  "no memory pool reserved; boot the host with multikernel.pool=SIZE" },
	{ MK_MKDIR, ENOSPC, NULL, CTX_MAX_INSTANCES,
	  "too many instances (max %s)" },
	{ MK_RMDIR, ENOENT, NULL, CTX_NAME, "no instance named %s" },
	{ MK_CPUS | MK_LIVE_CPUS, EINVAL, has_cpu0, CTX_NONE,
	  "CPU 0 is the host's boot CPU and cannot be lent" },
	{ MK_LIVE_CPUS, EINVAL, keeps_none, CTX_NONE,
	  "the instance would lose its last CPU; keep at least one of its CPUs in the list" },
	{ MK_CPUS | MK_LIVE_CPUS, EINVAL, NULL, CTX_NONE,
	  "not a CPU list like \"2-3,5\"" },
	{ MK_CPUS | MK_LIVE_CPUS, ENODEV, NULL, CTX_NONE,
	  "a CPU in the list does not exist" },
	{ MK_CPUS, EBUSY, NULL, CTX_NONE,
	  "a CPU in the list belongs to another instance or is the host's last online CPU" },
	{ MK_LIVE_CPUS, EBUSY, NULL, CTX_NONE,
	  "a CPU is owned elsewhere or the instance could not take it offline" },
	{ MK_LIVE_CPUS, ENOSPC, NULL, CTX_NONE, "no free CPU to add" },
	{ MK_MEMORY | MK_LIVE_MEMORY, EINVAL, not_size, CTX_NONE,
	  "not a size: give bytes with an optional K, M or G suffix" },
	{ MK_MEMORY | MK_LIVE_MEMORY, EINVAL, is_zero, CTX_NONE,
	  "cannot be zero" },
	{ MK_MEMORY, EINVAL, NULL, CTX_GRANULE,
	  "not a multiple of the pool granule (%s)" },
	{ MK_LIVE_MEMORY, EINVAL, NULL, CTX_RESIZE_GRANULE,
	  "a running instance's memory grows and shrinks in multiples of the resize granule%s" },
	{ MK_MEMORY | MK_LIVE_MEMORY, ERANGE, NULL, CTX_MIN_MEMORY,
	  "smaller than the minimum (%s)" },
	{ MK_MEMORY, ENOSPC, NULL, CTX_POOL_SIZE,
	  "larger than the memory pool (%s)" },
	{ MK_LIVE_MEMORY, ENOSPC, NULL, CTX_POOL_FREE,
	  "not enough free memory in the pool to grow it (free: %s)" },
	{ MK_LIVE_MEMORY, EBUSY, NULL, CTX_NONE,
	  "free memory inside the instance before shrinking" },
	{ MK_LIVE, ETIMEDOUT, NULL, CTX_NAME,
	  "instance %s did not answer and is now crashed; its console may say why: mkctl log %s" },
	{ MK_LIVE_CPUS, EOPNOTSUPP, NULL, CTX_NAME,
	  "the kernel of %s cannot add or remove CPUs live; stop it to change them" },
	{ MK_LIVE_MEMORY, EOPNOTSUPP, NULL, CTX_NAME,
	  "the kernel of %s cannot resize its memory live; stop it to change it" },
	{ MK_IMAGE, EINVAL, is_relative, CTX_NONE, "not an absolute path" },
	{ MK_IMAGE, EINVAL, NULL, CTX_NONE, "not a regular file" },
	{ MK_IMAGE, ENAMETOOLONG, NULL, CTX_NONE, "path too long" },
	{ MK_IMAGE, ENOENT, NULL, CTX_NONE, "no such file" },
	{ MK_IMAGE, EISDIR, NULL, CTX_NONE, "is a directory, not a file" },
	{ MK_CMDLINE, E2BIG, NULL, CTX_NONE, "longer than 1984 bytes" },
	{ MK_STATE, EINVAL, NULL, CTX_NONE, "not one of start, stop, kill, upgrade" },
	{ MK_STATE | MK_START, EOPNOTSUPP, NULL, CTX_NONE,
	  "this kernel cannot start instances yet" },
	{ MK_START, EBUSY, NULL, CTX_NAME, "instance %s is not stopped" },
	{ MK_START, EINVAL, NULL, CTX_NONE,
	  "cpus, memory and kernel must be set" },
	{ MK_START, ENOSPC, NULL, CTX_LARGEST_FREE,
	  "not enough contiguous free memory in the pool (largest free extent: %s)" },
	{ MK_START, ENOEXEC, NULL, CTX_VALUE,
	  "%s is not a bzImage built with CONFIG_MULTIKERNEL" },
	{ MK_START, ENOENT, NULL, CTX_NONE,
	  "its kernel or initrd file no longer exists" },
	{ MK_CONFIG | MK_RMDIR, EBUSY, NULL, CTX_NAME,
	  "instance %s is not stopped; stop it first" },
};

static const char *ctx_string(enum ctx ctx, const char *name,
			      const char *value, char *buf, size_t size)
{
	static const char * const attrs[] = {
		[CTX_MAX_INSTANCES] = "max_instances",
		[CTX_POOL_SIZE] = "pool/size",
		[CTX_MIN_MEMORY] = "min_memory",
		[CTX_GRANULE] = "pool/granule",
		[CTX_LARGEST_FREE] = "pool/largest_free",
		[CTX_POOL_FREE] = "pool/free",
		[CTX_RESIZE_GRANULE] = "resize_granule",
	};
	unsigned long long val;
	char sz[24];

	if (ctx == CTX_NONE)
		return "";
	if (ctx == CTX_NAME)
		return name;
	if (ctx == CTX_VALUE)
		return value && *value ? value : "the kernel";
	if (mk_sys_u64(attrs[ctx], &val))
		return ctx == CTX_RESIZE_GRANULE ? "" : "unknown";
	if (ctx == CTX_MAX_INSTANCES) {
		snprintf(buf, size, "%llu", val);
		return buf;
	}
	if (ctx == CTX_RESIZE_GRANULE) {
		snprintf(buf, size, " (%s)", size_format(val, sz, sizeof(sz)));
		return buf;
	}
	return size_format(val, buf, size);
}

/* Copy @msg to @buf with each "%s" in it replaced by @arg. */
static void fill(char *buf, size_t size, const char *msg, const char *arg)
{
	const char *hole;
	size_t len = 0;
	int n;

	buf[0] = '\0';
	while ((hole = strstr(msg, "%s"))) {
		n = snprintf(buf + len, size - len, "%.*s%s",
			     (int)(hole - msg), msg, arg);
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += n;
		msg = hole + 2;
	}
	snprintf(buf + len, size - len, "%s", msg);
}

/*
 * Copy the host's reason for the refused live resize of @name, if it
 * left one, to @buf.  A write refused for want of privileges never got
 * as far as a resize.
 */
static bool resize_reason(char *buf, size_t size, const char *name, int err)
{
	char file[PATH_MAX], reason[MK_VALUE_MAX + 1];

	if (err == EPERM || err == EACCES ||
	    mk_inst_path(file, sizeof(file), name, "resize_reason") ||
	    mk_read_attr(file, reason, sizeof(reason)) || !reason[0])
		return false;
	snprintf(buf, size, "%s", reason);
	return true;
}

/* Is a CPU of @want in instance @other's cpus?  Store the lowest in @cpu. */
static bool shares_cpu(const char *other, const struct mk_cpuset *want,
		       unsigned int *cpu)
{
	static struct mk_cpuset has;
	char file[PATH_MAX], list[MK_VALUE_MAX + 1];

	if (mk_inst_path(file, sizeof(file), other, "cpus") ||
	    mk_read_attr(file, list, sizeof(list)) ||
	    mk_cpuset_parse(list, &has))
		return false;
	for (*cpu = 0; *cpu < MK_MAX_CPUS; (*cpu)++)
		if (want->cpu[*cpu] && has.cpu[*cpu])
			return true;
	return false;
}

/*
 * Name the instance other than @name that has a CPU of @value, in @buf.
 * Return: false if there is none.
 */
static bool cpu_owner(char *buf, size_t size, const char *name,
		      const char *value)
{
	static struct mk_cpuset want;
	struct dirent **names;
	unsigned int cpu;
	bool found = false;
	int i, n;

	if (!value || mk_cpuset_parse(value, &want))
		return false;
	n = mk_instances_scan(&names);
	if (n < 0)
		return false;
	for (i = 0; i < n && !found; i++) {
		if (name && !strcmp(names[i]->d_name, name))
			continue;
		found = shares_cpu(names[i]->d_name, &want, &cpu);
		if (found)
			snprintf(buf, size,
				 "CPU %u belongs to instance %s; choose another CPU, or stop %s and give it other CPUs",
				 cpu, names[i]->d_name, names[i]->d_name);
	}
	mk_instances_free(names, n);
	return found;
}

/**
 * mk_explain() - say why an operation on an instance failed
 * @buf: where to put the sentence
 * @size: size of @buf
 * @op: the operation, one MK_* of enum mk_op
 * @name: the instance's name
 * @value: the value written, or NULL; for MK_START, the kernel's path
 * @err: the errno, positive
 *
 * Sizes and limits in the sentence are read from sysfs, the owner of a
 * busy CPU from configfs.  For MK_LIVE_CPUS and MK_LIVE_MEMORY the host's
 * own reason in resize_reason comes first.  An errno the table does not
 * know gets strerror()'s text.
 *
 * Return: @buf
 */
const char *mk_explain(char *buf, size_t size, unsigned int op,
		       const char *name, const char *value, int err)
{
	const struct errmsg *e;
	char ctx[32];

	if ((op & MK_LIVE) && resize_reason(buf, size, name, err))
		return buf;
	if ((op & (MK_CPUS | MK_LIVE_CPUS)) && err == EBUSY &&
	    cpu_owner(buf, size, name, value))
		return buf;
	for (e = errmsgs; e < errmsgs + ARRAY_SIZE(errmsgs); e++) {
		if (!(e->ops & op) || e->err != err)
			continue;
		if (e->when && (!value || !e->when(value)))
			continue;
		fill(buf, size, e->msg,
		     ctx_string(e->ctx, name, value, ctx, sizeof(ctx)));
		return buf;
	}
	snprintf(buf, size, "%s", strerror(err));
	return buf;
}

/**
 * mk_err() - print "mkctl: " and a message on stderr
 * @fmt: printf format of the message, without the newline
 */
void mk_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mkctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
