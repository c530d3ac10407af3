// SPDX-License-Identifier: GPL-2.0
/*
 * Preloaded into mkctl by the tests (LD_PRELOAD): a mkdir() in the fake
 * configfs's instances/ directory also makes the attribute files that the
 * kernel would show there, with their values for a new instance (the id
 * is the number of entries in instances/); and a write to a file of the
 * fake configfs replaces what it held, as a configfs store does.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

typedef int (*mkdir_fn)(const char *path, mode_t mode);
typedef int (*open_fn)(const char *path, int flags, ...);

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

static void populate(const char *path)
{
	const char *root = getenv("MKCTL_CONFIGFS");
	char parent[PATH_MAX], id[16];
	const char *slash = strrchr(path, '/');
	size_t i;

	if (!root || !slash)
		return;
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	if (strncmp(parent, root, strlen(root)) ||
	    strcmp(parent + strlen(root), "/instances"))
		return;
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

static bool in_configfs(const char *path)
{
	const char *root = getenv("MKCTL_CONFIGFS");

	return root && *root && !strncmp(path, root, strlen(root));
}

static int reopen(const char *fn, const char *path, int flags, va_list ap)
{
	open_fn real = (open_fn)dlsym(RTLD_NEXT, fn);
	mode_t mode = 0;

	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	if ((flags & O_ACCMODE) == O_WRONLY && in_configfs(path))
		flags |= O_TRUNC;
	return real(path, flags, mode);
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
