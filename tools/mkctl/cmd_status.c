// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl status NAME [--json]: the attributes of one instance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mkctl.h"

/* "key: value", or just "key:" for an empty value */
static void print_line(const char *key, const char *val)
{
	printf("%s:%s%s\n", key, *val ? " " : "", val);
}

static void print_text(const struct mk_instance *inst)
{
	char id[24], boot[24];

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
		"why it crashed (if it did), and its settings.\n"
		"\n"
		"  --json   print a JSON object instead\n",
	.run = run_status,
};
