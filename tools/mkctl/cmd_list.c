// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl list [--json]: every instance, by id, as a table or a JSON array;
 * and the table printer that policy list shares.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"

enum { NAME, ID, STATE, BOOT, CPUS, MEMORY, KERNEL, NR_COLS };

static const char * const heads[NR_COLS] = {
	"NAME", "ID", "STATE", "BOOT", "CPUS", "MEMORY", "KERNEL",
};

/* Room for the numbers of one row: id and boot time. */
struct numbers {
	char id[24];
	char boot[24];
};

static int by_id(const void *a, const void *b)
{
	const struct mk_instance *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Read the instances in @names into @insts; return how many, or -1. */
static int read_all(struct dirent **names, int n, struct mk_instance *insts)
{
	const char *attr;
	int i, count = 0, err;

	for (i = 0; i < n; i++) {
		err = mk_instance_read(names[i]->d_name, &insts[count], &attr);
		if (!err) {
			count++;
		} else if (attr) {	/* without attr, it just went away */
			mk_instance_report("list", names[i]->d_name, err, attr);
			return -1;
		}
	}
	qsort(insts, count, sizeof(*insts), by_id);
	return count;
}

/*
 * The cells of instance @i of @t->data; a boot time of 0 (not booted yet)
 * is empty.
 */
static void cells(const struct mk_table *t, int i, const char *cell[])
{
	const struct mk_instance *inst = (const struct mk_instance *)t->data + i;
	struct numbers *num = t->buf;

	snprintf(num->id, sizeof(num->id), "%lu", inst->id);
	num->boot[0] = '\0';
	if (inst->boot_ms)
		snprintf(num->boot, sizeof(num->boot), "%llums",
			 inst->boot_ms);
	cell[NAME] = inst->name;
	cell[ID] = num->id;
	cell[STATE] = inst->state;
	cell[BOOT] = num->boot;
	cell[CPUS] = inst->cpus;
	cell[MEMORY] = inst->memory;
	cell[KERNEL] = inst->kernel;
}

/* Fill @cell with row @i of @t, or the header for -1; "-" for "". */
static void table_cells(const struct mk_table *t, int i, const char *cell[])
{
	int c;

	if (i < 0) {
		for (c = 0; c < t->cols; c++)
			cell[c] = t->heads[c];
		return;
	}
	t->row(t, i, cell);
	for (c = 0; c < t->cols; c++)
		if (!cell[c][0])
			cell[c] = "-";
}

static void print_row(const struct mk_table *t, int i, const int width[])
{
	const char *cell[MK_TABLE_COLS];
	int c;

	table_cells(t, i, cell);
	for (c = 0; c < t->cols - 1; c++)
		printf("%-*s  ", width[c], cell[c]);
	printf("%s\n", cell[t->cols - 1]);
}

/**
 * mk_table_print() - print a table in aligned columns on stdout
 * @t: the table: its header, columns and rows
 * @rows: how many rows it has
 *
 * Each column is as wide as its widest cell, two blanks apart; the last
 * is not padded.  An empty cell shows as "-".  @t->row is called twice
 * for each row, once to measure it and once to print it.
 */
void mk_table_print(const struct mk_table *t, int rows)
{
	const char *cell[MK_TABLE_COLS];
	int width[MK_TABLE_COLS] = { 0 };
	int i, c;

	for (i = -1; i < rows; i++) {
		table_cells(t, i, cell);
		for (c = 0; c < t->cols; c++)
			if ((int)strlen(cell[c]) > width[c])
				width[c] = strlen(cell[c]);
	}
	for (i = -1; i < rows; i++)
		print_row(t, i, width);
}

static void print_table(const struct mk_instance *insts, int n)
{
	struct numbers num;
	const struct mk_table t = {
		.heads = heads, .cols = NR_COLS, .row = cells,
		.data = insts, .buf = &num,
	};

	mk_table_print(&t, n);
}

static void print_json(const struct mk_instance *insts, int n)
{
	int i;

	putchar('[');
	for (i = 0; i < n; i++) {
		if (i)
			putchar(',');
		mk_instance_json(stdout, &insts[i]);
	}
	puts("]");
}

static int run_list(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct mk_instance *insts;
	struct dirent **names;
	bool json = false;
	int ret, n;

	ret = mk_parse_opts(cmd, argc, argv, 0, &json);
	if (ret != MK_GO_ON)
		return ret;
	if (mk_need_configfs())
		return EXIT_FAILURE;
	n = mk_instances_scan(&names);
	if (n < 0) {
		mk_err("list: cannot read the instances: %s", strerror(-n));
		return EXIT_FAILURE;
	}
	insts = calloc(n ? n : 1, sizeof(*insts));
	ret = insts ? read_all(names, n, insts) : -1;
	mk_instances_free(names, n);
	if (!insts)
		mk_err("list: out of memory");
	else if (ret >= 0 && json)
		print_json(insts, ret);
	else if (ret >= 0)
		print_table(insts, ret);
	free(insts);
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_list = {
	.name = "list",
	.summary = "list the instances",
	.synopsis = "[--json]",
	.help = "List the instances by id: name, id, state, how long the last\n"
		"boot took (to init), CPUs, memory and kernel.\n"
		"\n"
		"  --json   print a JSON array of objects instead\n",
	.run = run_list,
};
