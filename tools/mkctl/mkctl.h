/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mkctl: command-line client of the multikernel configfs/sysfs interface
 * described in Documentation/multikernel/admin-guide.rst.
 */
#ifndef MKCTL_H
#define MKCTL_H

#include <limits.h>
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
	MK_START	= 1 << 8,	/* "start" written to state */
	MK_STOP		= 1 << 9,	/* "stop" or "kill" written to state */
	MK_LIVE_CPUS	= 1 << 10,	/* cpus of a running instance */
	MK_LIVE_MEMORY	= 1 << 11,	/* memory of a running instance */
};

#define MK_IMAGE	(MK_KERNEL | MK_INITRD)
#define MK_LIVE		(MK_LIVE_CPUS | MK_LIVE_MEMORY)
#define MK_CONFIG	(MK_CPUS | MK_MEMORY | MK_IMAGE | MK_CMDLINE)
#define MK_ANY		(~0u)

/* A subcommand: mkctl.c dispatches on @name. */
struct mk_cmd {
	const char *name;
	const char *summary;	/* what it does, for mkctl --help */
	const char *synopsis;	/* arguments, as in the usage line */
	const char *help;	/* description and options, for --help */
	const char *arg;	/* what its argument is; NULL: an instance name */
	int (*run)(const struct mk_cmd *cmd, int argc, char **argv);
};

extern const struct mk_cmd mk_cmd_create;
extern const struct mk_cmd mk_cmd_destroy;
extern const struct mk_cmd mk_cmd_list;
extern const struct mk_cmd mk_cmd_status;
extern const struct mk_cmd mk_cmd_pool;
extern const struct mk_cmd mk_cmd_start;
extern const struct mk_cmd mk_cmd_spawn;
extern const struct mk_cmd mk_cmd_stop;
extern const struct mk_cmd mk_cmd_restart;
extern const struct mk_cmd mk_cmd_update;
extern const struct mk_cmd mk_cmd_upgrade;
extern const struct mk_cmd mk_cmd_log;
extern const struct mk_cmd mk_cmd_console;
extern const struct mk_cmd mk_cmd_apply;
extern const struct mk_cmd mk_cmd_exec;
extern const struct mk_cmd mk_cmd_ping;
extern const struct mk_cmd mk_cmd_policy;

/* One instance as read from configfs. */
struct mk_instance {
	char name[MK_NAME_MAX + 1];
	unsigned long id;
	char state[32];
	unsigned long long boot_ms;	/* boot_time_ms */
	char crash_reason[MK_VALUE_MAX + 1];
	char cpus[MK_VALUE_MAX + 1];
	char memory[32];		/* as read back, e.g. "256M" */
	unsigned long long bytes;	/* memory in bytes */
	char kernel[MK_VALUE_MAX + 1];
	char initrd[MK_VALUE_MAX + 1];
	char cmdline[MK_VALUE_MAX + 1];
	unsigned long long upgrades;	/* upgrade/count, 0 without it */
	unsigned long long upgraded_at;	/* upgrade/last: epoch seconds */
};

/* What --wait and --timeout ask of start, spawn and restart. */
struct mk_wait {
	bool wait;		/* wait until the instance is running */
	long timeout_ms;	/* how long; -1 for the default */
};

/* What getopt_long() returns for --wait and --timeout. */
#define MK_OPT_WAIT		300
#define MK_OPT_TIMEOUT		301
#define MK_OPT_CPU_COUNT	302

#define MK_START_TIMEOUT_MS	60000	/* default of start --wait */
#define MK_TIMEOUT_MAX		86400	/* largest --timeout, seconds */

/* The attributes create and spawn set, in the order they are written. */
enum mk_setting {
	MK_SET_CPUS,
	MK_SET_MEMORY,
	MK_SET_KERNEL,
	MK_SET_INITRD,
	MK_SET_CMDLINE,
	MK_NR_SETTINGS
};

/* The values of the settings given; NULL for those not given. */
struct mk_settings {
	const char *val[MK_NR_SETTINGS];
	unsigned int cpu_count;	/* --cpu-count, instead of --cpus; or 0 */
	char cpus[MK_VALUE_MAX + 1];	/* the CPUs picked for cpu_count */
	char kernel[PATH_MAX];	/* the kernel path made absolute */
	char initrd[PATH_MAX];	/* the initrd path made absolute */
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
int mk_parse_timeout(const struct mk_cmd *cmd, const char *arg, long *ms);
int mk_wait_check(const struct mk_cmd *cmd, const struct mk_wait *w);
int mk_parse_wait(const struct mk_cmd *cmd, int argc, char **argv,
		  struct mk_wait *w);

/* settings.c */
int mk_parse_settings(const struct mk_cmd *cmd, int argc, char **argv,
		      struct mk_settings *s, struct mk_wait *w);
int mk_create(const char *cmd, const char *name, struct mk_settings *s);
int mk_parse_cpu_count(const char *s, unsigned int *n);

/* wait.c */
int mk_signalled(void);
int mk_seconds_parse(const char *s, long *ms);
unsigned long long mk_now_ms(void);
void mk_sleep_ms(unsigned long ms);
int mk_catch_signal(int sig);

/* size.c */
int size_parse(const char *s, unsigned long long *bytes);
char *size_format(unsigned long long bytes, char *buf, size_t size);

/* cpulist.c */
int cpulist_first(const char *list, unsigned long *first);

/* cmd_list.c: a table of aligned columns under a header */
#define MK_TABLE_COLS		8	/* most columns of a table */

struct mk_table {
	const char * const *heads;	/* the header, one cell per column */
	int cols;			/* how many columns, at most MK_TABLE_COLS */
	/* Fill @cell with the cells of row @i, "" for an empty one. */
	void (*row)(const struct mk_table *t, int i, const char *cell[]);
	const void *data;		/* what row() reads */
	void *buf;			/* room for the cells row() makes */
};

void mk_table_print(const struct mk_table *t, int rows);

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
void json_obj_obj(struct json_obj *o, const char *key, struct json_obj *child);
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
int mk_sys_read(const char *attr, char *buf, size_t size);
int mk_sys_inst_path(char *buf, size_t size, const char *name,
		     const char *file);
const char *mk_bpffs(void);
int mk_need_bpffs(void);
int mk_write_all(int fd, const void *buf, size_t len);

/* instance.c */
struct dirent;

bool mk_name_valid(const char *name);
int mk_check_name(const char *cmd, const char *name);
int mk_instance_remove(const char *name);
bool mk_instance_exists(const char *name);
int mk_need_instance(const char *cmd, const char *name);
int mk_instance_read(const char *name, struct mk_instance *inst,
		     const char **attr);
void mk_instance_report(const char *cmd, const char *name, int err,
			const char *attr);
int mk_set(const char *cmd, const char *name, const char *attr,
	   unsigned int op, const char *val);
void mk_instance_json(FILE *f, const struct mk_instance *inst);
int mk_instances_scan(struct dirent ***names);
void mk_instances_free(struct dirent **names, int n);

/* lifecycle.c */
int mk_state(const char *name, char *buf, size_t size);
int mk_request(const char *name, const char *word);
const char *mk_explain_start(char *buf, size_t size, const char *name,
			     int err);
int mk_start(const char *cmd, const char *name);
int mk_wait_running(const char *cmd, const char *name, long timeout_ms);
int mk_stop(const char *cmd, const char *name, bool force, long timeout_ms);

/* follow.c */
struct mk_follow {
	const char *cmd;	/* for messages */
	const char *name;	/* the instance */
	int fd;			/* its console file */
	char state[32];		/* its state when last looked at */
};

int mk_follow_open(struct mk_follow *f, const char *cmd, const char *name);
void mk_follow_close(struct mk_follow *f);
int mk_follow_copy(struct mk_follow *f, bool watch);
int mk_follow_tail(struct mk_follow *f, size_t keep);

/* stats.c */
struct mk_rtt {
	size_t count;
	unsigned long long min, median, p99;
};

void mk_rtt_summary(unsigned long long *v, size_t n, struct mk_rtt *s);

/* agent_conn.c */
#define MK_RESV_PORT_HIGH	1023	/* the reserved ports mkctl binds */
#define MK_RESV_PORT_LOW	512
int mk_agent_connect(const char *cmd, const char *name);
int mk_agent_bind_reserved(int fd, int (*bind_port)(int fd, unsigned int port));
int mk_agent_refusal(int sock, char *why, size_t size);

/* policy.c: a policy's BPF object */
#define MK_POLICY_NAME_MAX	15	/* longest policy name */

struct bpf_object;
struct bpf_map;

struct mk_policy {
	const char *file;		/* the object file */
	struct bpf_object *obj;
	struct bpf_map *ops;		/* its struct multikernel_ops */
	char name[MK_POLICY_NAME_MAX + 1];
};

__printf(1, 2) int mk_policy_err(const char *fmt, ...);
const char *mk_policy_strerror(int err, char *buf, size_t size);
int mk_policy_check_name(const char *name);
int mk_policy_open(struct mk_policy *p, const char *file, const char *name);
int mk_policy_set(struct mk_policy *p, const char *set);
void mk_policy_close(struct mk_policy *p);

/* tty.c */
int mk_tty_raw(int fd);
void mk_tty_restore(void);

#endif /* MKCTL_H */
