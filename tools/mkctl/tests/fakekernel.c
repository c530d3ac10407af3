// SPDX-License-Identifier: GPL-2.0
/*
 * Preloaded into mkctl by the tests (LD_PRELOAD): a mkdir() in the fake
 * configfs's instances/ directory also makes the attribute files that the
 * kernel would show there, with their values for a new instance (the id
 * is the number of entries in instances/), and an rmdir() there removes
 * them again; and a write to a file of the
 * fake configfs replaces what it held, as a configfs store does.
 *
 * A write to instances/NAME/ATTR is refused, leaving the file as it was,
 * while the file NAME.ATTR in $FAKEKERNEL_REFUSE holds an errno: the
 * kernel's answer to a value it does not take.
 *
 * bpf() is the fake kernel's too, for mkctl policy: a pinned link is a
 * file holding "LINK_ID MAP_ID", the ids of a struct_ops link and its
 * map.  BPF_OBJ_GET opens the file, BPF_OBJ_GET_INFO_BY_FD reads it,
 * BPF_LINK_DETACH appends "detach LINK_ID" to $FAKEKERNEL_BPF_LOG; any
 * other command fails with EPERM, as for a user without CAP_BPF.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_FDS		1024	/* the fds whose refusal is remembered */

typedef int (*mkdir_fn)(const char *path, mode_t mode);
typedef int (*rmdir_fn)(const char *path);
typedef int (*open_fn)(const char *path, int flags, ...);
typedef ssize_t (*write_fn)(int fd, const void *buf, size_t len);
typedef int (*close_fn)(int fd);
typedef long (*syscall_fn)(long nr, ...);

/* The errno that writes to each open fd get, or 0. */
static int refused[MAX_FDS];

static const char * const attrs[][2] = {
	{ "state", "stopped" }, { "cpus", "" }, { "memory", "0" },
	{ "kernel", "" }, { "initrd", "" }, { "cmdline", "" },
	{ "boot_time_ms", "0" }, { "boot_timeout_ms", "30000" },
	{ "stop_timeout_ms", "10000" }, { "crash_reason", "" },
};

static void put(const char *dir, const char *attr, const char *val)
{
	char file[PATH_MAX];
	FILE *f;

	snprintf(file, sizeof(file), "%s/%s", dir, attr);
	f = fopen(file, "w");
	if (f) {
		fprintf(f, "%s\n", val);
		fclose(f);
	}
}

static int count(const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		n += d->d_name[0] != '.';
	closedir(dp);
	return n;
}

/* Is @path a directory in the fake configfs's instances/? */
static bool is_instance(const char *path)
{
	const char *root = getenv("MKCTL_CONFIGFS");
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!root || !*root || !slash)
		return false;
	len = strlen(root);
	return slash - path == (ptrdiff_t)len + 10 &&
	       !strncmp(path, root, len) &&
	       !strncmp(path + len, "/instances", 10);
}

static void populate(const char *path)
{
	char parent[PATH_MAX], id[16];
	size_t i;

	if (!is_instance(path))
		return;
	snprintf(parent, sizeof(parent), "%.*s",
		 (int)(strrchr(path, '/') - path), path);
	snprintf(id, sizeof(id), "%d", count(parent));
	put(path, "id", id);
	for (i = 0; i < ARRAY_SIZE(attrs); i++)
		put(path, attrs[i][0], attrs[i][1]);
}

/**
 * mkdir() - make a directory, and an instance's files in instances/
 * @path: the directory
 * @mode: its mode
 *
 * Return: what the C library's mkdir() returns.
 */
int mkdir(const char *path, mode_t mode)
{
	mkdir_fn real = (mkdir_fn)dlsym(RTLD_NEXT, "mkdir");
	int ret = real(path, mode);

	if (!ret)
		populate(path);
	return ret;
}

/* Remove the files of instance directory @path, as configfs does. */
static void depopulate(const char *path)
{
	char file[PATH_MAX];
	struct dirent *d;
	DIR *dp;

	if (!is_instance(path))
		return;
	dp = opendir(path);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_type != DT_REG)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
		unlink(file);
	}
	closedir(dp);
}

/**
 * rmdir() - remove a directory, and an instance's files in instances/
 * @path: the directory
 *
 * Return: what the C library's rmdir() returns.
 */
int rmdir(const char *path)
{
	rmdir_fn real = (rmdir_fn)dlsym(RTLD_NEXT, "rmdir");

	depopulate(path);
	return real(path);
}

static bool in_configfs(const char *path)
{
	const char *root = getenv("MKCTL_CONFIGFS");

	return root && *root && !strncmp(path, root, strlen(root));
}

/* The errno in $FAKEKERNEL_REFUSE/NAME.ATTR for configfs @path, or 0. */
static int refusal(const char *path)
{
	const char *root = getenv("MKCTL_CONFIGFS");
	const char *dir = getenv("FAKEKERNEL_REFUSE");
	const char *rel, *slash;
	char file[PATH_MAX];
	int err = 0;
	FILE *f;

	if (!dir || !*dir || !in_configfs(path))
		return 0;
	rel = path + strlen(root);
	if (strncmp(rel, "/instances/", 11))
		return 0;
	rel += 11;
	slash = strchr(rel, '/');
	if (!slash || strchr(slash + 1, '/'))
		return 0;
	snprintf(file, sizeof(file), "%s/%.*s.%s", dir, (int)(slash - rel),
		 rel, slash + 1);
	f = fopen(file, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &err) != 1)
		err = 0;
	fclose(f);
	return err;
}

static int reopen(const char *fn, const char *path, int flags, va_list ap)
{
	open_fn real = (open_fn)dlsym(RTLD_NEXT, fn);
	int fd, err = 0;
	mode_t mode = 0;

	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	if ((flags & O_ACCMODE) == O_WRONLY && in_configfs(path)) {
		err = refusal(path);
		if (!err)
			flags |= O_TRUNC;
	}
	fd = real(path, flags, mode);
	if (fd >= 0 && fd < MAX_FDS)
		refused[fd] = err;
	return fd;
}

/**
 * open() - open a file; a write to the fake configfs truncates it
 * @path: the file
 * @flags: O_* flags
 *
 * Return: what the C library's open() returns.
 */
int open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = reopen("open", path, flags, ap);
	va_end(ap);
	return fd;
}

/**
 * open64() - open64() as open() above
 * @path: the file
 * @flags: O_* flags
 *
 * Return: what the C library's open64() returns.
 */
int open64(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = reopen("open64", path, flags, ap);
	va_end(ap);
	return fd;
}

/**
 * write() - write to a file; refused as $FAKEKERNEL_REFUSE says
 * @fd: the file
 * @buf: the bytes
 * @len: how many
 *
 * Return: what the C library's write() returns, or -1 with the errno of
 * the refusal.
 */
ssize_t write(int fd, const void *buf, size_t len)
{
	write_fn real = (write_fn)dlsym(RTLD_NEXT, "write");

	if (fd >= 0 && fd < MAX_FDS && refused[fd]) {
		errno = refused[fd];
		return -1;
	}
	return real(fd, buf, len);
}

/**
 * close() - close a file, forgetting its refusal
 * @fd: the file
 *
 * Return: what the C library's close() returns.
 */
int close(int fd)
{
	close_fn real = (close_fn)dlsym(RTLD_NEXT, "close");

	if (fd >= 0 && fd < MAX_FDS)
		refused[fd] = 0;
	return real(fd);
}

/* The ids in the fake link open as @fd. */
static int fake_link(int fd, __u32 *link_id, __u32 *map_id)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%u %u", link_id, map_id) == 2)
		return 0;
	errno = EINVAL;
	return -1;
}

static int fake_link_info(union bpf_attr *attr)
{
	struct bpf_link_info info = { .type = BPF_LINK_TYPE_STRUCT_OPS };

	if (fake_link(attr->info.bpf_fd, &info.id, &info.struct_ops.map_id))
		return -1;
	if (attr->info.info_len > sizeof(info))
		attr->info.info_len = sizeof(info);
	memcpy((void *)(uintptr_t)attr->info.info, &info, attr->info.info_len);
	return 0;
}

static int fake_link_detach(union bpf_attr *attr)
{
	const char *file = getenv("FAKEKERNEL_BPF_LOG");
	__u32 link_id, map_id;
	FILE *f;

	if (fake_link(attr->link_detach.link_fd, &link_id, &map_id))
		return -1;
	f = file && *file ? fopen(file, "a") : NULL;
	if (f) {
		fprintf(f, "detach %u\n", link_id);
		fclose(f);
	}
	return 0;
}

static long fake_bpf(long cmd, union bpf_attr *attr)
{
	switch (cmd) {
	case BPF_OBJ_GET:
		return open((const char *)(uintptr_t)attr->pathname,
			    O_RDONLY | O_CLOEXEC);
	case BPF_OBJ_GET_INFO_BY_FD:
		return fake_link_info(attr);
	case BPF_LINK_DETACH:
		return fake_link_detach(attr);
	}
	errno = EPERM;
	return -1;
}

/**
 * syscall() - make a system call; bpf() is faked
 * @nr: its number
 *
 * Return: what the C library's syscall() returns; for bpf(), what the
 * fake makes of it.
 */
long syscall(long nr, ...)
{
	syscall_fn real;
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_bpf)
		return fake_bpf(a[0], (union bpf_attr *)a[1]);
	real = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
