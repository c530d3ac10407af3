// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl status NAME [--json]: the attributes of one instance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mkctl.h"

/* "key: value", or just "key:" for an empty value */
static void print_line(const char *key, const char *val)
{
	printf("%s:%s%s\n", key, *val ? " " : "", val);
}

/* The time of the last upgrade, UTC, ISO 8601; empty for none. */
static void format_upgraded(const struct mk_instance *inst, char *buf,
			    size_t size)
{
	time_t t = inst->upgraded_at;
	struct tm tm;

	buf[0] = '\0';
	if (t && gmtime_r(&t, &tm))
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_text(const struct mk_instance *inst)
{
	char id[24], boot[24], upgrades[24], last[32];

	snprintf(id, sizeof(id), "%lu", inst->id);
	snprintf(boot, sizeof(boot), "%llu", inst->boot_ms);
	print_line("name", inst->name);
	print_line("id", id);
	print_line("state", inst->state);
	print_line("boot_time_ms", boot);
	print_line("crash_reason", inst->crash_reason);
	print_line("cpus", inst->cpus);
	print_line("memory", inst->memory);
	print_line("kernel", inst->kernel);
	print_line("initrd", inst->initrd);
	print_line("cmdline", inst->cmdline);
	snprintf(upgrades, sizeof(upgrades), "%llu", inst->upgrades);
	format_upgraded(inst, last, sizeof(last));
	print_line("upgrades", upgrades);
	print_line("last_upgrade", last);
}

static int run_status(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct mk_instance *inst;
	const char *name, *attr;
	bool json = false;
	int ret;

	ret = mk_parse_opts(cmd, argc, argv, 1, &json);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_check_name(cmd->name, name) || mk_need_configfs())
		return EXIT_FAILURE;
	inst = malloc(sizeof(*inst));
	if (!inst) {
		mk_err("status: out of memory");
		return EXIT_FAILURE;
	}
	ret = mk_instance_read(name, inst, &attr);
	if (ret) {
		mk_instance_report(cmd->name, name, ret, attr);
	} else if (json) {
		mk_instance_json(stdout, inst);
		putchar('\n');
	} else {
		print_text(inst);
	}
	free(inst);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_status = {
	.name = "status",
	.summary = "show one instance",
	.synopsis = "NAME [--json]",
	.help = "Show instance NAME, one attribute per line: id, state, how\n"
		"long the last boot took (to init, 0 before the first one),\n"
		"why it crashed (if it did), its settings (the kernel is the\n"
		"one that runs now), how many times it was upgraded and when\n"
		"last (UTC).\n"
		"\n"
		"  --json   print a JSON object instead\n",
	.run = run_status,
};
