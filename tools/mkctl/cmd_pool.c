// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl pool [--json]: the memory pool, from sysfs, and how many
 * instances share it.  A kernel without pool/backing and pool/host_usable
 * (older than the CMA backing) has a memblock pool the host cannot use.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"

enum { SIZE, FREE, USED, LARGEST_FREE, GRANULE, HOST_USABLE, NR_SIZES };

static const char * const keys[NR_SIZES] = {
	[SIZE] = "size",
	[FREE] = "free",
	[USED] = "used",
	[LARGEST_FREE] = "largest_free",
	[GRANULE] = "granule",
	[HOST_USABLE] = "host_usable",
};

static int read_sizes(unsigned long long val[])
{
	static const char * const files[NR_SIZES] = {
		[SIZE] = "pool/size",
		[FREE] = "pool/free",
		[LARGEST_FREE] = "pool/largest_free",
		[GRANULE] = "pool/granule",
		[HOST_USABLE] = "pool/host_usable",
	};
	int i, err;

	for (i = 0; i < NR_SIZES; i++) {
		val[i] = 0;
		if (!files[i])
			continue;
		err = mk_sys_u64(files[i], &val[i]);
		if (err == -ENOENT && i == HOST_USABLE)
			err = 0;
		if (err) {
			mk_err("pool: cannot read %s/%s: %s", mk_sysfs(),
			       files[i], strerror(-err));
			return -1;
		}
	}
	val[USED] = val[SIZE] > val[FREE] ? val[SIZE] - val[FREE] : 0;
	return 0;
}

/* "memblock" or "cma" into @buf, which has @size bytes. */
static int read_backing(char *buf, size_t size)
{
	char file[PATH_MAX];
	int err;

	snprintf(file, sizeof(file), "%s/pool/backing", mk_sysfs());
	err = mk_read_attr(file, buf, size);
	if (err == -ENOENT) {
		snprintf(buf, size, "memblock");
		err = 0;
	}
	if (err)
		mk_err("pool: cannot read %s: %s", file, strerror(-err));
	return err ? -1 : 0;
}

static int count_instances(void)
{
	struct dirent **names;
	int n;

	n = mk_instances_scan(&names);
	if (n < 0) {
		mk_err("pool: cannot read the instances: %s", strerror(-n));
		return -1;
	}
	mk_instances_free(names, n);
	return n;
}

static void print_text(const unsigned long long val[], const char *backing,
		       int instances)
{
	char buf[32];
	int i;

	for (i = 0; i < NR_SIZES; i++)
		printf("%s: %s (%llu bytes)\n", keys[i],
		       size_format(val[i], buf, sizeof(buf)), val[i]);
	printf("backing: %s\n", backing);
	printf("instances: %d\n", instances);
}

static void print_json(const unsigned long long val[], const char *backing,
		       int instances)
{
	struct json_obj o;
	int i;

	json_obj_begin(&o, stdout);
	for (i = 0; i < NR_SIZES; i++)
		json_obj_num(&o, keys[i], val[i]);
	json_obj_str(&o, "backing", backing);
	json_obj_num(&o, "instances", instances);
	json_obj_end(&o);
	putchar('\n');
}

static int run_pool(const struct mk_cmd *cmd, int argc, char **argv)
{
	unsigned long long val[NR_SIZES];
	char backing[32];
	bool json = false;
	int ret, n;

	ret = mk_parse_opts(cmd, argc, argv, 0, &json);
	if (ret != MK_GO_ON)
		return ret;
	if (mk_need_sysfs() || mk_need_configfs() || read_sizes(val) ||
	    read_backing(backing, sizeof(backing)))
		return EXIT_FAILURE;
	n = count_instances();
	if (n < 0)
		return EXIT_FAILURE;
	if (json)
		print_json(val, backing, n);
	else
		print_text(val, backing, n);
	return EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_pool = {
	.name = "pool",
	.summary = "show the memory pool",
	.synopsis = "[--json]",
	.help = "Show the memory pool: size, free, used, largest free extent,\n"
		"granule, what of it the host may use (all in bytes), its\n"
		"backing (memblock, or cma when idle pool memory serves the\n"
		"host) and the number of instances.\n"
		"\n"
		"  --json   print a JSON object instead\n",
	.run = run_pool,
};
