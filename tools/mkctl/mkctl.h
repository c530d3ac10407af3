/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mkctl: command-line client of the multikernel configfs/sysfs interface
 * described in Documentation/multikernel/admin-guide.rst.
 */
#ifndef MKCTL_H
#define MKCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MKCTL_VERSION		"0.1"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)		__attribute__((format(printf, a, b)))

/* Exit status of a usage error; success and failure are 0 and 1. */
#define MK_EXIT_USAGE		2
/* Returned by option parsing when the command should go on. */
#define MK_GO_ON		(-1)

#define MK_NAME_MAX		32	/* longest instance name */
#define MK_VALUE_MAX		4096	/* longest attribute value (a page) */

/* Operations whose failure mk_explain() can put into words. */
enum mk_op {
	MK_MKDIR	= 1 << 0,
	MK_RMDIR	= 1 << 1,
	MK_CPUS		= 1 << 2,
	MK_MEMORY	= 1 << 3,
	MK_KERNEL	= 1 << 4,
	MK_INITRD	= 1 << 5,
	MK_CMDLINE	= 1 << 6,
	MK_STATE	= 1 << 7,
};

#define MK_IMAGE	(MK_KERNEL | MK_INITRD)
#define MK_CONFIG	(MK_CPUS | MK_MEMORY | MK_IMAGE | MK_CMDLINE)
#define MK_ANY		(~0u)

/* A subcommand: mkctl.c dispatches on @name. */
struct mk_cmd {
	const char *name;
	const char *summary;	/* what it does, for mkctl --help */
	const char *synopsis;	/* arguments, as in the usage line */
	const char *help;	/* description and options, for --help */
	int (*run)(const struct mk_cmd *cmd, int argc, char **argv);
};

extern const struct mk_cmd mk_cmd_create;
extern const struct mk_cmd mk_cmd_destroy;
extern const struct mk_cmd mk_cmd_list;
extern const struct mk_cmd mk_cmd_status;
extern const struct mk_cmd mk_cmd_pool;

/* One instance as read from configfs. */
struct mk_instance {
	char name[MK_NAME_MAX + 1];
	unsigned long id;
	char state[32];
	char cpus[MK_VALUE_MAX + 1];
	char memory[32];		/* as read back, e.g. "256M" */
	unsigned long long bytes;	/* memory in bytes */
	char kernel[MK_VALUE_MAX + 1];
	char initrd[MK_VALUE_MAX + 1];
	char cmdline[MK_VALUE_MAX + 1];
};

/* opts.c */
void mk_usage(const struct mk_cmd *cmd, FILE *f);
int mk_help(const struct mk_cmd *cmd);
__printf(2, 3)
int mk_usage_error(const struct mk_cmd *cmd, const char *fmt, ...);
int mk_opt_error(const struct mk_cmd *cmd, int c, char **argv);
int mk_positional(const struct mk_cmd *cmd, int argc, char **argv, int nargs);
int mk_parse_opts(const struct mk_cmd *cmd, int argc, char **argv,
		  int nargs, bool *json);

/* size.c */
int size_parse(const char *s, unsigned long long *bytes);
char *size_format(unsigned long long bytes, char *buf, size_t size);

/* cpulist.c */
int cpulist_first(const char *list, unsigned long *first);

/* json.c */
struct json_obj {
	FILE *f;
	int members;
};

void json_string(FILE *f, const char *s);
void json_obj_begin(struct json_obj *o, FILE *f);
void json_obj_str(struct json_obj *o, const char *key, const char *val);
void json_obj_num(struct json_obj *o, const char *key,
		  unsigned long long val);
void json_obj_end(struct json_obj *o);

/* errmsg.c */
__printf(1, 2) void mk_err(const char *fmt, ...);
const char *mk_explain(char *buf, size_t size, unsigned int op,
		       const char *name, const char *value, int err);

/* mkfs.c */
const char *mk_configfs(void);
const char *mk_sysfs(void);
int mk_need_configfs(void);
int mk_need_sysfs(void);
int mk_inst_path(char *buf, size_t size, const char *name, const char *attr);
int mk_read_attr(const char *path, char *buf, size_t size);
int mk_write_attr(const char *path, const char *val);
int mk_read_u64(const char *path, unsigned long long *val);
int mk_sys_u64(const char *attr, unsigned long long *val);

/* instance.c */
struct dirent;

bool mk_name_valid(const char *name);
int mk_check_name(const char *cmd, const char *name);
int mk_instance_read(const char *name, struct mk_instance *inst,
		     const char **attr);
void mk_instance_report(const char *cmd, const char *name, int err,
			const char *attr);
void mk_instance_json(FILE *f, const struct mk_instance *inst);
int mk_instances_scan(struct dirent ***names);
void mk_instances_free(struct dirent **names, int n);

#endif /* MKCTL_H */
