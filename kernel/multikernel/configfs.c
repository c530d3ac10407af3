// SPDX-License-Identifier: GPL-2.0-only
/*
 * The multikernel control tree: /sys/kernel/config/multikernel/instances/.
 *
 * mkdir creates an instance, rmdir destroys it, and each instance directory
 * holds one attribute per configuration value, the preserved/ group of
 * its regions (preserved.c) and the upgrade/ group of the settings of its
 * next upgrade (upgrade.c).  This file only translates
 * between configfs and instance.c; all checks live there and in validate.c.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/capability.h>
#include <linux/configfs.h>
#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "internal.h"

static struct mk_instance *to_mk_instance(struct config_item *item)
{
	return container_of(item, struct mk_instance, group.cg_item);
}

/**
 * mk_store_value() - store a value written to an attribute of an instance
 * @inst: the instance
 * @page: the value written
 * @count: its length
 * @set: what checks and sets it
 *
 * Runs @set on a NUL-terminated copy of the value with one trailing
 * newline removed, so that "echo value > attr" works.
 *
 * Return: @count, or -EPERM without CAP_SYS_ADMIN, -ENOMEM, the error of
 * @set.
 */
ssize_t mk_store_value(struct mk_instance *inst, const char *page,
		       size_t count,
		       int (*set)(struct mk_instance *inst, const char *val))
{
	char *val;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	val = kmemdup_nul(page, count, GFP_KERNEL);
	if (!val)
		return -ENOMEM;
	if (count && val[count - 1] == '\n')
		val[count - 1] = '\0';

	ret = set(inst, val);
	kfree(val);
	return ret ? ret : count;
}

static ssize_t mk_store(struct config_item *item, const char *page,
			size_t count,
			int (*set)(struct mk_instance *inst, const char *val))
{
	return mk_store_value(to_mk_instance(item), page, count, set);
}

/* Show a string field under the lock; NULL shows as an empty line. */
static ssize_t mk_show_string(char *page, char *const *field)
{
	ssize_t len;

	mutex_lock(&mk_instances_lock);
	len = sysfs_emit(page, "%s\n", *field ?: "");
	mutex_unlock(&mk_instances_lock);
	return len;
}

static ssize_t mk_id_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_mk_instance(item)->id);
}

static ssize_t mk_cpus_show(struct config_item *item, char *page)
{
	ssize_t len;

	mutex_lock(&mk_instances_lock);
	len = sysfs_emit(page, "%*pbl\n",
			 cpumask_pr_args(to_mk_instance(item)->cpus));
	mutex_unlock(&mk_instances_lock);
	return len;
}

static ssize_t mk_cpus_store(struct config_item *item, const char *page,
			     size_t count)
{
	return mk_store(item, page, count, mk_instance_set_cpus);
}

static ssize_t mk_memory_show(struct config_item *item, char *page)
{
	char size[24];

	mutex_lock(&mk_instances_lock);
	mk_format_memory(size, sizeof(size), to_mk_instance(item)->memory);
	mutex_unlock(&mk_instances_lock);
	return sysfs_emit(page, "%s\n", size);
}

static ssize_t mk_memory_store(struct config_item *item, const char *page,
			       size_t count)
{
	return mk_store(item, page, count, mk_instance_set_memory);
}

static ssize_t mk_kernel_show(struct config_item *item, char *page)
{
	return mk_show_string(page, &to_mk_instance(item)->kernel);
}

static int mk_set_kernel(struct mk_instance *inst, const char *val)
{
	return mk_instance_set_path(inst, &inst->kernel, "kernel", val);
}

static ssize_t mk_kernel_store(struct config_item *item, const char *page,
			       size_t count)
{
	return mk_store(item, page, count, mk_set_kernel);
}

static ssize_t mk_initrd_show(struct config_item *item, char *page)
{
	return mk_show_string(page, &to_mk_instance(item)->initrd);
}

static int mk_set_initrd(struct mk_instance *inst, const char *val)
{
	return mk_instance_set_path(inst, &inst->initrd, "initrd", val);
}

static ssize_t mk_initrd_store(struct config_item *item, const char *page,
			       size_t count)
{
	return mk_store(item, page, count, mk_set_initrd);
}

static ssize_t mk_cmdline_show(struct config_item *item, char *page)
{
	return mk_show_string(page, &to_mk_instance(item)->cmdline);
}

static ssize_t mk_cmdline_store(struct config_item *item, const char *page,
				size_t count)
{
	return mk_store(item, page, count, mk_instance_set_cmdline);
}

static ssize_t mk_state_show(struct config_item *item, char *page)
{
	enum mk_state state;

	mutex_lock(&mk_instances_lock);
	state = to_mk_instance(item)->state;
	mutex_unlock(&mk_instances_lock);
	return sysfs_emit(page, "%s\n", mk_state_name(state));
}

static ssize_t mk_state_store(struct config_item *item, const char *page,
			      size_t count)
{
	return mk_store(item, page, count, mk_instance_request);
}

static ssize_t mk_boot_time_ms_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n", READ_ONCE(to_mk_instance(item)->boot_ms));
}

static ssize_t mk_resize_reason_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_mk_instance(item);
	ssize_t len;

	mutex_lock(&mk_instances_lock);
	len = sysfs_emit(page, "%s\n", inst->resize_reason);
	mutex_unlock(&mk_instances_lock);
	return len;
}

static ssize_t mk_crash_reason_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_mk_instance(item);
	ssize_t len;

	mutex_lock(&inst->run_lock);
	len = sysfs_emit(page, "%s\n", inst->reason);
	mutex_unlock(&inst->run_lock);
	return len;
}

static ssize_t mk_show_timeout(char *page, unsigned int *field)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(*field));
}

static ssize_t mk_boot_timeout_ms_show(struct config_item *item, char *page)
{
	return mk_show_timeout(page, &to_mk_instance(item)->boot_timeout_ms);
}

static int mk_set_boot_timeout(struct mk_instance *inst, const char *val)
{
	return mk_instance_set_timeout(inst, &inst->boot_timeout_ms,
				       "boot_timeout_ms", val);
}

static ssize_t mk_boot_timeout_ms_store(struct config_item *item,
					const char *page, size_t count)
{
	return mk_store(item, page, count, mk_set_boot_timeout);
}

static ssize_t mk_stop_timeout_ms_show(struct config_item *item, char *page)
{
	return mk_show_timeout(page, &to_mk_instance(item)->stop_timeout_ms);
}

static int mk_set_stop_timeout(struct mk_instance *inst, const char *val)
{
	return mk_instance_set_timeout(inst, &inst->stop_timeout_ms,
				       "stop_timeout_ms", val);
}

static ssize_t mk_stop_timeout_ms_store(struct config_item *item,
					const char *page, size_t count)
{
	return mk_store(item, page, count, mk_set_stop_timeout);
}

static ssize_t mk_heartbeat_timeout_ms_show(struct config_item *item,
					    char *page)
{
	return mk_show_timeout(page,
			       &to_mk_instance(item)->heartbeat_timeout_ms);
}

static int mk_set_heartbeat_timeout(struct mk_instance *inst, const char *val)
{
	return mk_instance_set_timeout(inst, &inst->heartbeat_timeout_ms,
				       "heartbeat_timeout_ms", val);
}

static ssize_t mk_heartbeat_timeout_ms_store(struct config_item *item,
					     const char *page, size_t count)
{
	return mk_store(item, page, count, mk_set_heartbeat_timeout);
}

static ssize_t mk_restart_limit_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n",
			  READ_ONCE(to_mk_instance(item)->restart_limit));
}

static ssize_t mk_restart_limit_store(struct config_item *item,
				      const char *page, size_t count)
{
	return mk_store(item, page, count, mk_instance_set_restart_limit);
}

/* Kept under run_lock; one word, read without it. */
static ssize_t mk_restarts_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n",
			  READ_ONCE(to_mk_instance(item)->restarts));
}

static ssize_t mk_smt_split_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_mk_instance(item)->smt_split));
}

static ssize_t mk_smt_split_store(struct config_item *item, const char *page,
				  size_t count)
{
	return mk_store(item, page, count, mk_instance_set_smt_split);
}

CONFIGFS_ATTR_RO(mk_, id);
CONFIGFS_ATTR_RO(mk_, boot_time_ms);
CONFIGFS_ATTR_RO(mk_, crash_reason);
CONFIGFS_ATTR_RO(mk_, resize_reason);
CONFIGFS_ATTR(mk_, boot_timeout_ms);
CONFIGFS_ATTR(mk_, stop_timeout_ms);
CONFIGFS_ATTR(mk_, heartbeat_timeout_ms);
CONFIGFS_ATTR(mk_, restart_limit);
CONFIGFS_ATTR_RO(mk_, restarts);
CONFIGFS_ATTR(mk_, cpus);
CONFIGFS_ATTR(mk_, smt_split);
CONFIGFS_ATTR(mk_, memory);
CONFIGFS_ATTR(mk_, kernel);
CONFIGFS_ATTR(mk_, initrd);
CONFIGFS_ATTR(mk_, cmdline);
CONFIGFS_ATTR(mk_, state);

static struct configfs_attribute *mk_instance_attrs[] = {
	&mk_attr_id,
	&mk_attr_cpus,
	&mk_attr_smt_split,
	&mk_attr_memory,
	&mk_attr_kernel,
	&mk_attr_initrd,
	&mk_attr_cmdline,
	&mk_attr_state,
	&mk_attr_boot_time_ms,
	&mk_attr_boot_timeout_ms,
	&mk_attr_stop_timeout_ms,
	&mk_attr_heartbeat_timeout_ms,
	&mk_attr_restart_limit,
	&mk_attr_restarts,
	&mk_attr_crash_reason,
	&mk_attr_resize_reason,
	NULL,
};

static void mk_instance_release(struct config_item *item)
{
	mk_instance_free(to_mk_instance(item));
}

static struct configfs_item_operations mk_instance_item_ops = {
	.release	= mk_instance_release,
};

static const struct config_item_type mk_instance_type = {
	.ct_item_ops	= &mk_instance_item_ops,
	.ct_attrs	= mk_instance_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *mk_instances_make_group(struct config_group *group,
						    const char *name)
{
	struct mk_instance *inst;

	if (!capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);

	inst = mk_instance_create(name, &mk_instance_type);
	if (IS_ERR(inst))
		return ERR_CAST(inst);
	config_group_init_type_name(&inst->preserved, "preserved",
				    &mk_preserved_type);
	configfs_add_default_group(&inst->preserved, &inst->group);
	config_group_init_type_name(&inst->upgrade, "upgrade",
				    &mk_upgrade_type);
	configfs_add_default_group(&inst->upgrade, &inst->group);
	return &inst->group;
}

static void mk_instances_drop_item(struct config_group *group,
				   struct config_item *item)
{
	mk_instance_destroy(to_mk_instance(item));
}

static struct configfs_group_operations mk_instances_group_ops = {
	.make_group	= mk_instances_make_group,
	.drop_item	= mk_instances_drop_item,
};

static const struct config_item_type mk_instances_type = {
	.ct_group_ops	= &mk_instances_group_ops,
	.ct_owner	= THIS_MODULE,
};

static const struct config_item_type mk_root_type = {
	.ct_owner	= THIS_MODULE,
};

static struct config_group mk_instances_group;

static struct configfs_subsystem mk_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf	= "multikernel",
			.ci_type	= &mk_root_type,
		},
	},
	.su_mutex = __MUTEX_INITIALIZER(mk_subsys.su_mutex),
};

/*
 * Unpin the regions of @inst that are pinned: one made after the instance
 * stopped, before the caller unpinned it, is not.
 */
static void mk_unpin_regions(struct mk_instance *inst)
{
	struct mk_region *r;

	lockdep_assert_held(&mk_instances_lock);
	list_for_each_entry(r, &inst->regions, node) {
		if (r->pinned)
			configfs_undepend_item(&r->item);
		r->pinned = false;
	}
}

/**
 * mk_configfs_pin() - make rmdir of a started instance fail with -EBUSY
 * @inst: the instance being started, from its state attribute's store;
 *	no longer stopped, so its list of regions does not grow
 *
 * Pins the instance and each of its preserved regions.
 *
 * Return: 0 or the error of configfs_depend_item_unlocked(); -EBUSY if a
 * region is being removed.
 */
int mk_configfs_pin(struct mk_instance *inst)
{
	struct mk_region *r;
	int ret;

	ret = configfs_depend_item_unlocked(&mk_subsys, &inst->group.cg_item);
	if (ret)
		return ret;
	mutex_lock(&mk_instances_lock);
	list_for_each_entry(r, &inst->regions, node) {
		ret = configfs_depend_item_unlocked(&mk_subsys, &r->item);
		if (ret) {
			mk_unpin_regions(inst);
			break;
		}
		r->pinned = true;
	}
	mutex_unlock(&mk_instances_lock);
	if (ret) {
		pr_info("%s: start rejected: a preserved region is being removed\n",
			mk_instance_name(inst));
		configfs_undepend_item(&inst->group.cg_item);
		return -EBUSY;
	}
	return 0;
}

/**
 * mk_configfs_unpin() - undo mk_configfs_pin()
 * @inst: the instance, back to stopped or crashed
 */
void mk_configfs_unpin(struct mk_instance *inst)
{
	mutex_lock(&mk_instances_lock);
	mk_unpin_regions(inst);
	mutex_unlock(&mk_instances_lock);
	configfs_undepend_item(&inst->group.cg_item);
}

/**
 * mk_configfs_hold() - keep an instance from rmdir, its regions aside
 * @inst: the instance; called from one of its attributes' stores
 *
 * For an old kernel an upgrade could not take back: it keeps CPUs lent
 * whatever the instance's own state.
 *
 * Return: 0 or the error of configfs_depend_item_unlocked().
 */
int mk_configfs_hold(struct mk_instance *inst)
{
	return configfs_depend_item_unlocked(&mk_subsys, &inst->group.cg_item);
}

/**
 * mk_configfs_release() - undo mk_configfs_hold()
 * @inst: the instance
 */
void mk_configfs_release(struct mk_instance *inst)
{
	configfs_undepend_item(&inst->group.cg_item);
}

/**
 * mk_configfs_init() - register the multikernel configfs subsystem
 *
 * Return: 0 or the error of configfs_register_subsystem().
 */
int mk_configfs_init(void)
{
	config_group_init(&mk_subsys.su_group);
	config_group_init_type_name(&mk_instances_group, "instances",
				    &mk_instances_type);
	configfs_add_default_group(&mk_instances_group, &mk_subsys.su_group);
	return configfs_register_subsystem(&mk_subsys);
}
