// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl policy load FILE.bpf.o [--name N] [--set VAR=VALUE]... |
 * list [--json] | unload NAME: BPF policies, struct_ops objects of the
 * kernel type multikernel_ops (policy.c).
 *
 * load attaches a policy through a BPF link and pins the link at
 * /sys/fs/bpf/multikernel/NAME, where it stays attached after mkctl exits;
 * unload detaches it and removes the pin.  One policy is attached at a
 * time.  The kernel shows the one attached last in sysfs policy/: name,
 * state (none, enabled or detached) and why it was detached.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mkctl.h"

#define PIN_DIR		"multikernel"	/* under the BPF file system */
#define UNLOAD		"mkctl policy unload"
#define NEEDS_CAPS	"needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN (run as root)"
#define MAX_SETS	32		/* most --set of one load */

/* The steps of load whose failure cause() explains. */
enum step { LOAD, ATTACH, PIN };

/* What the options of load ask. */
struct load_args {
	const char *name;		/* --name, or NULL */
	const char *sets[MAX_SETS];	/* each --set VAR=VALUE */
	int nr_sets;
};

/* What sysfs policy/ says of the policy attached last. */
struct kernel_view {
	char name[MK_VALUE_MAX + 1];
	char state[32];
	char reason[MK_VALUE_MAX + 1];
};

/* One row of policy list. */
struct entry {
	char name[NAME_MAX + 1];
	char pin[PATH_MAX];
	const char *state;
	const char *reason;
	__u32 link_id;
	__u32 map_id;
};

enum { NAME, STATE, LINK, MAP, REASON, NR_COLS };

static const char * const heads[NR_COLS] = {
	"NAME", "STATE", "LINK", "MAP", "REASON",
};

/* Room for the numbers of one row. */
struct numbers {
	char link[12];
	char map[12];
};

/* The pin of policy @name in @buf, or their directory if @name is NULL. */
static int pin_path(char *buf, size_t size, const char *name)
{
	int n;

	if (name)
		n = snprintf(buf, size, "%s/" PIN_DIR "/%s", mk_bpffs(), name);
	else
		n = snprintf(buf, size, "%s/" PIN_DIR, mk_bpffs());
	if (n < 0 || (size_t)n >= size)
		return mk_policy_err("%s: %s", mk_bpffs(), strerror(ENAMETOOLONG));
	return 0;
}

static int read_kernel(struct kernel_view *k)
{
	const struct {
		const char *attr;
		char *buf;
		size_t size;
	} files[] = {
		{ "policy/name", k->name, sizeof(k->name) },
		{ "policy/state", k->state, sizeof(k->state) },
		{ "policy/reason", k->reason, sizeof(k->reason) },
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		err = mk_sys_read(files[i].attr, files[i].buf, files[i].size);
		if (err)
			return mk_policy_err("cannot read %s/%s: %s", mk_sysfs(),
					     files[i].attr, strerror(-err));
	}
	return 0;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level > LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Say that policy @name is loaded already. */
static int exists(const char *name)
{
	return mk_policy_err("a policy named %s is loaded already (unload it first: %s %s): %s",
			     name, UNLOAD, name, strerror(EEXIST));
}

/* The cause of the failure of @step of a load with @err. */
static const char *cause(char *buf, size_t size, enum step step, int err)
{
	if (err == EPERM)
		return "permission denied: " NEEDS_CAPS;
	if (step == LOAD && (err == EACCES || err == EINVAL))
		return "the kernel refused the program; libbpf's log above says why";
	if (step == LOAD && err == ESRCH)
		return "the kernel's BTF lacks a type or function it needs, named above";
	if (step == ATTACH && err == EBUSY)
		return "another policy is attached";
	return mk_policy_strerror(err, buf, size);
}

/* The policy in the way of another, in @buf: " until X is unloaded (...)". */
static const char *in_the_way(char *buf, size_t size)
{
	char other[MK_POLICY_NAME_MAX + 2];

	buf[0] = '\0';
	if (!mk_sys_read("policy/name", other, sizeof(other)) && other[0])
		snprintf(buf, size, " until %s is unloaded (%s %s)", other,
			 UNLOAD, other);
	return buf;
}

static int failed(enum step step, int err, const char *name)
{
	static const char * const what[] = {
		[LOAD] = "load", [ATTACH] = "attach", [PIN] = "pin",
	};
	char buf[128], hint[128] = "";

	if (step == PIN && err == EEXIST)
		return exists(name);
	if (step == ATTACH && err == EBUSY)
		in_the_way(hint, sizeof(hint));
	return mk_policy_err("cannot %s %s%s: %s", what[step], name, hint,
			     cause(buf, sizeof(buf), step, err));
}

/*
 * Is the pin of policy @name free?  Its path goes to @pin.  A pin that
 * cannot be looked at for want of privilege counts as free: the load
 * then says what is missing.
 */
static int pin_free(const char *name, char *pin, size_t size)
{
	struct stat st;

	if (mk_need_bpffs() || pin_path(pin, size, name))
		return -1;
	return lstat(pin, &st) ? 0 : exists(name);
}

/* Pin @link at @pin, its directory made if missing. */
static int pin_link(struct bpf_link *link, const char *pin, const char *name)
{
	char dir[PATH_MAX];
	int err;

	if (pin_path(dir, sizeof(dir), NULL))
		return -1;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return mk_policy_err("cannot make %s: %s", dir, strerror(errno));
	err = bpf_link__pin(link, pin);
	return err ? failed(PIN, -err, name) : 0;
}

/* Load @p, attach it and pin its link at @pin; nothing stays if one fails. */
static int attach(struct mk_policy *p, const char *pin)
{
	struct bpf_link *link;
	int err;

	err = bpf_object__load(p->obj);
	if (err)
		return failed(LOAD, -err, p->name);
	link = bpf_map__attach_struct_ops(p->ops);
	if (!link)
		return failed(ATTACH, errno, p->name);
	err = pin_link(link, pin, p->name);
	/*
	 * Its fd goes: a pin holds the link now; without one, the link goes
	 * too, and the policy is detached.
	 */
	bpf_link__destroy(link);
	return err;
}

static int parse_load(const struct mk_cmd *cmd, int argc, char **argv,
		      struct load_args *a)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "set", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return mk_help(cmd);
		case 'n':
			a->name = optarg;
			break;
		case 's':
			if (optarg[0] == '=' || !strchr(optarg, '='))
				return mk_usage_error(cmd, "--set \"%s\": not VAR=VALUE",
						      optarg);
			if (a->nr_sets == MAX_SETS)
				return mk_usage_error(cmd, "more than %d --set", MAX_SETS);
			a->sets[a->nr_sets++] = optarg;
			break;
		default:
			return mk_opt_error(cmd, c, argv);
		}
	}
	return mk_positional(cmd, argc - optind, argv + optind, 1);
}

/* Open the policy @a asks for and set its variables. */
static int open_policy(struct mk_policy *p, const char *file,
		       const struct load_args *a)
{
	int i;

	if (mk_policy_open(p, file, a->name))
		return -1;
	for (i = 0; i < a->nr_sets; i++)
		if (mk_policy_set(p, a->sets[i]))
			return -1;
	return 0;
}

static int run_load(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct load_args a;
	char pin[PATH_MAX];
	struct mk_policy p;
	int ret;

	ret = parse_load(cmd, argc, argv, &a);
	if (ret != MK_GO_ON)
		return ret;
	if (a.name && mk_policy_check_name(a.name))
		return EXIT_FAILURE;
	libbpf_set_print(print_libbpf);
	ret = open_policy(&p, argv[optind], &a);
	if (!ret)
		ret = pin_free(p.name, pin, sizeof(pin));
	if (!ret)
		ret = attach(&p, pin);
	if (!ret)
		printf("policy %s loaded\n", p.name);
	mk_policy_close(&p);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Fill @e, the policy pinned as @name, from its link and from @k. */
static int read_entry(struct entry *e, const char *name,
		      const struct kernel_view *k)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd, err = 0;

	snprintf(e->name, sizeof(e->name), "%s", name);
	if (pin_path(e->pin, sizeof(e->pin), name))
		return -1;
	fd = bpf_obj_get(e->pin);
	if (fd < 0)
		return mk_policy_err("cannot open %s: %s", e->pin, strerror(errno));
	memset(&info, 0, sizeof(info));
	if (bpf_link_get_info_by_fd(fd, &info, &len))
		err = mk_policy_err("cannot read the link %s: %s", e->pin,
				    strerror(errno));
	else if (info.type != BPF_LINK_TYPE_STRUCT_OPS)
		err = mk_policy_err("%s is not a struct_ops link", e->pin);
	close(fd);
	e->link_id = info.id;
	e->map_id = info.struct_ops.map_id;
	e->state = strcmp(k->name, name) ? "detached" : k->state;
	e->reason = strcmp(k->name, name) ? "" : k->reason;
	return err;
}

/* Read the pins in @names into @entries. */
static int read_entries(struct dirent **names, int n, struct entry *entries)
{
	static struct kernel_view k;
	int i;

	if (n && read_kernel(&k))
		return -1;
	for (i = 0; i < n; i++)
		if (read_entry(&entries[i], names[i]->d_name, &k))
			return -1;
	return 0;
}

static void cells(const struct mk_table *t, int i, const char *cell[])
{
	const struct entry *e = (const struct entry *)t->data + i;
	struct numbers *num = t->buf;

	snprintf(num->link, sizeof(num->link), "%u", e->link_id);
	snprintf(num->map, sizeof(num->map), "%u", e->map_id);
	cell[NAME] = e->name;
	cell[STATE] = e->state;
	cell[LINK] = num->link;
	cell[MAP] = num->map;
	cell[REASON] = e->reason;
}

static void print_table(const struct entry *entries, int n)
{
	struct numbers num;
	const struct mk_table t = {
		.heads = heads, .cols = NR_COLS, .row = cells,
		.data = entries, .buf = &num,
	};

	mk_table_print(&t, n);
}

static void print_json(const struct entry *entries, int n)
{
	struct json_obj o;
	int i;

	putchar('[');
	for (i = 0; i < n; i++) {
		if (i)
			putchar(',');
		json_obj_begin(&o, stdout);
		json_obj_str(&o, "name", entries[i].name);
		json_obj_str(&o, "state", entries[i].state);
		json_obj_str(&o, "pin", entries[i].pin);
		json_obj_num(&o, "link_id", entries[i].link_id);
		json_obj_num(&o, "map_id", entries[i].map_id);
		json_obj_str(&o, "reason", entries[i].reason);
		json_obj_end(&o);
	}
	puts("]");
}

/* The pins, sorted by name; none without their directory. */
static int scan(struct dirent ***names)
{
	char dir[PATH_MAX];
	int n;

	if (pin_path(dir, sizeof(dir), NULL))
		return -1;
	n = scandir(dir, names, not_dot, alphasort);
	if (n >= 0 || errno == ENOENT)
		return n < 0 ? 0 : n;
	return mk_policy_err("cannot read %s: %s", dir, strerror(errno));
}

static int run_list(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct dirent **names = NULL;
	struct entry *entries;
	bool json = false;
	int ret, n;

	ret = mk_parse_opts(cmd, argc, argv, 0, &json);
	if (ret != MK_GO_ON)
		return ret;
	n = scan(&names);
	if (n < 0)
		return EXIT_FAILURE;
	entries = calloc(n ? n : 1, sizeof(*entries));
	ret = entries ? read_entries(names, n, entries) :
			mk_policy_err("out of memory");
	mk_instances_free(names, n);
	if (!ret && json)
		print_json(entries, n);
	else if (!ret)
		print_table(entries, n);
	free(entries);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Detach policy @name and remove its pin. */
static int unload(const char *name)
{
	char pin[PATH_MAX];
	int fd;

	if (mk_policy_check_name(name) || mk_need_bpffs() ||
	    pin_path(pin, sizeof(pin), name))
		return -1;
	fd = bpf_obj_get(pin);
	if (fd < 0 && errno == ENOENT)
		return mk_policy_err("no policy %s: %s", name, strerror(ENOENT));
	if (fd < 0)
		return mk_policy_err("cannot open %s: %s", pin, strerror(errno));
	/*
	 * An error means the link is detached already (by another unload)
	 * or cannot be: either way the pin goes, and the link with it once
	 * no one else holds it.
	 */
	bpf_link_detach(fd);
	close(fd);
	if (unlink(pin))
		return mk_policy_err("cannot remove %s: %s", pin, strerror(errno));
	return 0;
}

static int run_unload(const struct mk_cmd *cmd, int argc, char **argv)
{
	int ret;

	ret = mk_parse_opts(cmd, argc, argv, 1, NULL);
	if (ret != MK_GO_ON)
		return ret;
	if (unload(argv[optind]))
		return EXIT_FAILURE;
	printf("policy %s unloaded\n", argv[optind]);
	return EXIT_SUCCESS;
}

static const struct mk_cmd load_cmd = {
	.name = "policy load",
	.synopsis = "FILE.bpf.o [--name N] [--set VAR=VALUE]...",
	.help = "Load the policy in FILE.bpf.o, a BPF object whose struct\n"
		"multikernel_ops is in SEC(\".struct_ops.link\"), attach it and pin\n"
		"its link at /sys/fs/bpf/multikernel/NAME.  NAME is N, else the\n"
		"name in the object, else the file's name without .bpf.o; 1 to 15\n"
		"letters, digits, '_' and '-'.  One policy is attached at a time.\n"
		"\n"
		"  --name N            name the policy N\n"
		"  --set VAR=VALUE     give the const volatile integer VAR the\n"
		"                      value VALUE first (decimal, or 0x hex)\n",
	.arg = "policy file",
	.run = run_load,
};

static const struct mk_cmd list_cmd = {
	.name = "policy list",
	.synopsis = "[--json]",
	.help = "List the policies loaded, by name: state (enabled, or detached\n"
		"by the kernel or by another policy), link and struct_ops map ids\n"
		"and why the kernel detached it.\n"
		"\n"
		"  --json   print a JSON array of objects instead\n",
	.run = run_list,
};

static const struct mk_cmd unload_cmd = {
	.name = "policy unload",
	.synopsis = "NAME",
	.help = "Detach policy NAME and remove its pin; the built-in behaviour\n"
		"applies again.\n",
	.arg = "policy name",
	.run = run_unload,
};

static const struct mk_cmd * const subcmds[] = {
	&load_cmd, &list_cmd, &unload_cmd,
};

static int run_policy(const struct mk_cmd *cmd, int argc, char **argv)
{
	const char *word = argc > 1 ? argv[1] : NULL;
	size_t i;

	if (!word)
		return mk_usage_error(cmd, "missing subcommand: load, list or unload");
	if (!strcmp(word, "--help") || !strcmp(word, "-h"))
		return mk_help(cmd);
	for (i = 0; i < ARRAY_SIZE(subcmds); i++)
		if (!strcmp(strchr(subcmds[i]->name, ' ') + 1, word))
			return subcmds[i]->run(subcmds[i], argc - 1, argv + 1);
	if (word[0] == '-')
		return mk_usage_error(cmd, "invalid option \"%s\"", word);
	return mk_usage_error(cmd, "unknown subcommand \"%s\"", word);
}

const struct mk_cmd mk_cmd_policy = {
	.name = "policy",
	.summary = "load, list and unload BPF policies",
	.synopsis = "load FILE.bpf.o [--name N] [--set VAR=VALUE]... |\n"
		    "                    list [--json] | unload NAME",
	.help = "Load, list and unload BPF policies: struct_ops programs that\n"
		"decide whether an instance may start, what follows its crash or\n"
		"lost heartbeat, and which messages between instances pass.\n"
		"Run 'mkctl policy SUBCOMMAND --help' for the details.\n"
		"\n"
		"  load FILE.bpf.o [--name N] [--set VAR=VALUE]...\n"
		"                  attach a policy, pinned as N\n"
		"  list [--json]   the policies loaded\n"
		"  unload NAME     detach policy NAME\n",
	.run = run_policy,
};
