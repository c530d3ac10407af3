// SPDX-License-Identifier: GPL-2.0
/*
 * Preloaded into mkctl by the tests (LD_PRELOAD): a mkdir() in the fake
 * configfs's instances/ directory also makes the attribute files that the
 * kernel would show there, with their values for a new instance.  The
 * instance's id is the number of entries in instances/.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

typedef int (*mkdir_fn)(const char *path, mode_t mode);

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
