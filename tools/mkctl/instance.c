// SPDX-License-Identifier: GPL-2.0
/*
 * Instances as configfs shows them: one directory each under instances/,
 * one file per attribute.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkctl.h"

/**
 * mk_name_valid() - check a name against [a-z0-9][a-z0-9_-]{0,31}
 * @name: the instance name
 *
 * Return: true if the kernel would accept @name.
 */
bool mk_name_valid(const char *name)
{
	size_t len = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return len && len <= MK_NAME_MAX && !name[len] &&
	       name[0] != '_' && name[0] != '-';
}

/**
 * mk_check_name() - refuse a name the kernel would refuse
 * @cmd: the command, for the message
 * @name: the instance name
 *
 * Checked before a path is built from @name, so "../x" goes nowhere.
 *
 * Return: 0, or -1 after printing why @name is invalid.
 */
int mk_check_name(const char *cmd, const char *name)
{
	char why[128];

	if (mk_name_valid(name))
		return 0;
	mk_err("%s %s: %s", cmd, name,
	       mk_explain(why, sizeof(why), MK_MKDIR, name, NULL, EINVAL));
	return -1;
}

/**
 * mk_instance_remove() - remove an instance and its preserved regions
 * @name: the instance, a valid name
 *
 * configfs refuses rmdir of an instance that still has regions, so they
 * go first; their data goes with them.
 *
 * Return: 0, or the -errno of the first rmdir that failed.
 */
int mk_instance_remove(const char *name)
{
	char dir[PATH_MAX], region[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int err;

	err = mk_inst_path(dir, sizeof(dir), name, "preserved");
	if (err)
		return err;
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(region, sizeof(region), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(region)) {
			err = -ENAMETOOLONG;
			break;
		}
		if (rmdir(region)) {
			err = -errno;
			break;
		}
	}
	if (d)
		closedir(d);
	if (err)
		return err;
	err = mk_inst_path(dir, sizeof(dir), name, NULL);
	if (!err && rmdir(dir))
		err = -errno;
	return err;
}

/**
 * mk_instance_exists() - check whether an instance exists
 * @name: the instance, a valid name
 *
 * Return: true if its configfs directory is there.
 */
bool mk_instance_exists(const char *name)
{
	char dir[PATH_MAX];
	struct stat st;

	return !mk_inst_path(dir, sizeof(dir), name, NULL) &&
	       !stat(dir, &st) && S_ISDIR(st.st_mode);
}

/**
 * mk_need_instance() - make sure an instance exists
 * @cmd: the command, for the message
 * @name: the instance
 *
 * Checks the name, that the configfs tree is there and that it holds the
 * instance.
 *
 * Return: 0, or -1 after printing what is missing.
 */
int mk_need_instance(const char *cmd, const char *name)
{
	if (mk_check_name(cmd, name) || mk_need_configfs())
		return -1;
	if (mk_instance_exists(name))
		return 0;
	mk_err("%s %s: no instance named %s", cmd, name, name);
	return -1;
}

static int read_id(const char *s, unsigned long *id)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*id = strtoul(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/**
 * mk_instance_read() - read the attributes mkctl shows of an instance
 * @name: the instance, a valid name
 * @inst: where to store the attributes
 * @attr: set to the attribute that could not be read, or NULL if the
 *	instance does not exist
 *
 * Return: 0, -ENOENT if there is no such instance, or another -errno.
 */
int mk_instance_read(const char *name, struct mk_instance *inst,
		     const char **attr)
{
	const struct {
		const char *attr;
		char *buf;
		size_t size;
	} v[] = {
		{ "state", inst->state, sizeof(inst->state) },
		{ "crash_reason", inst->crash_reason,
		  sizeof(inst->crash_reason) },
		{ "cpus", inst->cpus, sizeof(inst->cpus) },
		{ "memory", inst->memory, sizeof(inst->memory) },
		{ "kernel", inst->kernel, sizeof(inst->kernel) },
		{ "initrd", inst->initrd, sizeof(inst->initrd) },
		{ "cmdline", inst->cmdline, sizeof(inst->cmdline) },
	};
	char file[PATH_MAX], id[32];
	struct stat st;
	size_t i;
	int err;

	*attr = NULL;
	if (mk_inst_path(file, sizeof(file), name, NULL) || stat(file, &st))
		return -ENOENT;
	snprintf(inst->name, sizeof(inst->name), "%s", name);

	*attr = "id";
	err = mk_inst_path(file, sizeof(file), name, "id");
	if (!err)
		err = mk_read_attr(file, id, sizeof(id));
	if (!err)
		err = read_id(id, &inst->id);
	for (i = 0; !err && i < ARRAY_SIZE(v); i++) {
		*attr = v[i].attr;
		err = mk_inst_path(file, sizeof(file), name, v[i].attr);
		if (!err)
			err = mk_read_attr(file, v[i].buf, v[i].size);
	}
	if (!err) {
		*attr = "boot_time_ms";
		err = mk_inst_path(file, sizeof(file), name, "boot_time_ms");
	}
	if (!err)
		err = mk_read_u64(file, &inst->boot_ms);
	if (err)
		return err;
	/* A kernel without upgrades has no upgrade/: none happened. */
	inst->upgrades = 0;
	inst->upgraded_at = 0;
	if (!mk_inst_path(file, sizeof(file), name, "upgrade/count") &&
	    !mk_read_u64(file, &inst->upgrades) &&
	    !mk_inst_path(file, sizeof(file), name, "upgrade/last"))
		mk_read_u64(file, &inst->upgraded_at);
	*attr = "memory";
	return size_parse(inst->memory, &inst->bytes);
}

/**
 * mk_instance_report() - print why mk_instance_read() failed
 * @cmd: the command, for the message
 * @name: the instance
 * @err: what mk_instance_read() returned
 * @attr: the attribute it set
 */
void mk_instance_report(const char *cmd, const char *name, int err,
			const char *attr)
{
	if (!attr)
		mk_err("%s %s: no instance named %s", cmd, name, name);
	else
		mk_err("%s %s: cannot read %s: %s", cmd, name, attr,
		       strerror(-err));
}

/**
 * mk_set() - write an attribute of an instance, saying why if refused
 * @cmd: the command, for the message
 * @name: the instance
 * @attr: the attribute, e.g. "memory"
 * @op: the operation, for mk_explain()
 * @val: the value
 *
 * Return: 0, or -1 after printing "CMD NAME: ATTR "VAL": why".
 */
int mk_set(const char *cmd, const char *name, const char *attr,
	   unsigned int op, const char *val)
{
	char file[PATH_MAX], why[256];
	int err;

	err = mk_inst_path(file, sizeof(file), name, attr);
	if (!err)
		err = mk_write_attr(file, val);
	if (!err)
		return 0;
	mk_err("%s %s: %s \"%s\": %s", cmd, name, attr, val,
	       mk_explain(why, sizeof(why), op, name, val, -err));
	return -1;
}

/**
 * mk_instance_json() - print an instance as a JSON object
 * @f: where to print
 * @inst: the instance
 */
void mk_instance_json(FILE *f, const struct mk_instance *inst)
{
	struct json_obj o;

	json_obj_begin(&o, f);
	json_obj_str(&o, "name", inst->name);
	json_obj_num(&o, "id", inst->id);
	json_obj_str(&o, "state", inst->state);
	json_obj_num(&o, "boot_time_ms", inst->boot_ms);
	json_obj_str(&o, "crash_reason", inst->crash_reason);
	json_obj_str(&o, "cpus", inst->cpus);
	json_obj_num(&o, "memory", inst->bytes);
	json_obj_str(&o, "kernel", inst->kernel);
	json_obj_str(&o, "initrd", inst->initrd);
	json_obj_str(&o, "cmdline", inst->cmdline);
	json_obj_num(&o, "upgrades", inst->upgrades);
	json_obj_num(&o, "last_upgrade", inst->upgraded_at);
	json_obj_end(&o);
}

static int is_instance(const struct dirent *d)
{
	return d->d_name[0] != '.' &&
	       (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN);
}

/**
 * mk_instances_scan() - list the directories under instances/
 * @names: set to an array of entries, to be freed with mk_instances_free()
 *
 * Return: the number of entries, or -errno.
 */
int mk_instances_scan(struct dirent ***names)
{
	char dir[PATH_MAX];
	int n;

	snprintf(dir, sizeof(dir), "%s/instances", mk_configfs());
	n = scandir(dir, names, is_instance, alphasort);
	return n < 0 ? -errno : n;
}

/**
 * mk_instances_free() - free what mk_instances_scan(), or scandir(), returned
 * @names: the array
 * @n: its number of entries
 */
void mk_instances_free(struct dirent **names, int n)
{
	while (n--)
		free(names[n]);
	free(names);
}
