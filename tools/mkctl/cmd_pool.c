// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl pool [--json]: the memory pool, from sysfs, and how many
 * instances share it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"

enum { SIZE, FREE, USED, LARGEST_FREE, GRANULE, NR_SIZES };

static const char * const keys[NR_SIZES] = {
	[SIZE] = "size",
	[FREE] = "free",
	[USED] = "used",
	[LARGEST_FREE] = "largest_free",
	[GRANULE] = "granule",
};

static int read_sizes(unsigned long long val[])
{
	static const char * const files[NR_SIZES] = {
		[SIZE] = "pool/size",
		[FREE] = "pool/free",
		[LARGEST_FREE] = "pool/largest_free",
		[GRANULE] = "pool/granule",
	};
	int i, err;

	for (i = 0; i < NR_SIZES; i++) {
		if (!files[i])
			continue;
		err = mk_sys_u64(files[i], &val[i]);
		if (err) {
			mk_err("pool: cannot read %s/%s: %s", mk_sysfs(),
			       files[i], strerror(-err));
			return -1;
		}
	}
	val[USED] = val[SIZE] > val[FREE] ? val[SIZE] - val[FREE] : 0;
	return 0;
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

static void print_text(const unsigned long long val[], int instances)
{
	char buf[32];
	int i;

	for (i = 0; i < NR_SIZES; i++)
		printf("%s: %s (%llu bytes)\n", keys[i],
		       size_format(val[i], buf, sizeof(buf)), val[i]);
	printf("instances: %d\n", instances);
}

static void print_json(const unsigned long long val[], int instances)
{
	struct json_obj o;
	int i;

	json_obj_begin(&o, stdout);
	for (i = 0; i < NR_SIZES; i++)
		json_obj_num(&o, keys[i], val[i]);
	json_obj_num(&o, "instances", instances);
	json_obj_end(&o);
	putchar('\n');
}

static int run_pool(const struct mk_cmd *cmd, int argc, char **argv)
{
	unsigned long long val[NR_SIZES];
	bool json = false;
	int ret, n;

	ret = mk_parse_opts(cmd, argc, argv, 0, &json);
	if (ret != MK_GO_ON)
		return ret;
	if (mk_need_sysfs() || mk_need_configfs() || read_sizes(val))
		return EXIT_FAILURE;
	n = count_instances();
	if (n < 0)
		return EXIT_FAILURE;
	if (json)
		print_json(val, n);
	else
		print_text(val, n);
	return EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_pool = {
	.name = "pool",
	.summary = "show the memory pool",
	.synopsis = "[--json]",
	.help = "Show the memory pool: size, free, used, largest free extent,\n"
		"granule (all in bytes) and the number of instances.\n"
		"\n"
		"  --json   print a JSON object instead\n",
	.run = run_pool,
};
