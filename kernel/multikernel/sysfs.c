// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read-only global facts in /sys/kernel/multikernel/: the limits instances
 * must respect and the state of the memory pool; per instance, its console
 * and the memory it holds.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/capability.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/multikernel.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "internal.h"

static ssize_t max_instances_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", MK_MAX_INSTANCES);
}

static struct kobj_attribute max_instances_attr = __ATTR_RO(max_instances);

/* One conventional-memory slice per running instance (the arch says). */
static ssize_t max_running_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", multikernel_arch_max_running());
}

static struct kobj_attribute max_running_attr = __ATTR_RO(max_running);

static ssize_t min_memory_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", (u64)MK_MIN_MEMORY);
}

static struct kobj_attribute min_memory_attr = __ATTR_RO(min_memory);

/* Whether the host broadcasts IPIs; never while a CPU is lent. */
static ssize_t ipi_broadcast_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", multikernel_arch_ipi_broadcast() ?
			  "enabled" : "disabled");
}

static struct kobj_attribute ipi_broadcast_attr = __ATTR_RO(ipi_broadcast);

/* The step in which a running instance's memory grows or shrinks. */
static ssize_t resize_granule_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", (u64)MK_RESIZE_GRANULE);
}

static struct kobj_attribute resize_granule_attr = __ATTR_RO(resize_granule);

static struct attribute *mk_global_attrs[] = {
	&max_instances_attr.attr,
	&max_running_attr.attr,
	&min_memory_attr.attr,
	&ipi_broadcast_attr.attr,
	&resize_granule_attr.attr,
	NULL,
};

static const struct attribute_group mk_global_group = {
	.attrs = mk_global_attrs,
};

static ssize_t size_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%llu\n", mk_pool_size());
}

static struct kobj_attribute pool_size_attr = __ATTR_RO(size);

static ssize_t free_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%llu\n", mk_pool_free());
}

static struct kobj_attribute pool_free_attr = __ATTR_RO(free);

static ssize_t largest_free_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", mk_pool_largest_free());
}

static struct kobj_attribute pool_largest_free_attr = __ATTR_RO(largest_free);

static ssize_t granule_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%llu\n", MK_GRANULE);
}

static struct kobj_attribute pool_granule_attr = __ATTR_RO(granule);

static ssize_t backing_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", mk_pool_backing());
}

static struct kobj_attribute pool_backing_attr = __ATTR_RO(backing);

static ssize_t host_usable_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", mk_pool_host_usable());
}

static struct kobj_attribute pool_host_usable_attr = __ATTR_RO(host_usable);

static struct attribute *mk_pool_attrs[] = {
	&pool_size_attr.attr,
	&pool_free_attr.attr,
	&pool_largest_free_attr.attr,
	&pool_granule_attr.attr,
	&pool_backing_attr.attr,
	&pool_host_usable_attr.attr,
	NULL,
};

static const struct attribute_group mk_pool_group = {
	.name	= "pool",
	.attrs	= mk_pool_attrs,
};

static const struct attribute_group *mk_sysfs_groups[] = {
	&mk_global_group,
	&mk_pool_group,
	NULL,
};

/* Inside a spawn: who am I. */
static ssize_t id_show(struct kobject *kobj, struct kobj_attribute *attr,
		       char *buf)
{
	return sysfs_emit(buf, "%u\n", multikernel_spawn_info()->id);
}

static struct kobj_attribute self_id_attr = __ATTR_RO(id);

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", multikernel_spawn_info()->name);
}

static struct kobj_attribute self_name_attr = __ATTR_RO(name);

static struct attribute *mk_self_attrs[] = {
	&self_id_attr.attr,
	&self_name_attr.attr,
	NULL,
};

static const struct attribute_group mk_self_group = {
	.attrs	= mk_self_attrs,
};

/*
 * Inside a spawn: /sys/kernel/multikernel/self/, its handover file and
 * its regions included.
 */
static int mk_sysfs_add_self(struct kobject *parent)
{
	struct kobject *self;
	int ret;

	self = kobject_create_and_add("self", parent);
	if (!self)
		return -ENOMEM;
	ret = sysfs_create_group(self, &mk_self_group);
	if (!ret)
		ret = mk_handover_spawn_init(self);
	if (!ret)
		ret = mk_preserved_spawn_init(self);
	if (ret)
		kobject_put(self);
	return ret;
}

static struct kobject *mk_instances_kobj;

/* Per instance: the console copy, readable at stream positions. */
static ssize_t console_read(struct file *file, struct kobject *kobj,
			    struct bin_attribute *attr, char *buf,
			    loff_t pos, size_t count)
{
	struct mk_instance *inst = attr->private;

	return mk_console_read(inst->console, buf, pos, count);
}

static ssize_t console_in_write(struct file *file, struct kobject *kobj,
				struct bin_attribute *attr, char *buf,
				loff_t pos, size_t count)
{
	struct mk_instance *inst = attr->private;
	ssize_t ret = -ENXIO;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&inst->run_lock);
	if (inst->active)
		ret = mk_console_input(__va(inst->mem_phys), buf, count);
	mutex_unlock(&inst->run_lock);
	return ret ?: -EAGAIN;
}

/*
 * Per instance: the memory it holds, one extent per line, "START SIZE
 * KIND": the memory it started with ("boot"), then what was added while
 * it runs ("added"), newest first.  Empty while it holds none.
 */
static ssize_t memory_extents_read(struct file *file, struct kobject *kobj,
				   struct bin_attribute *attr, char *buf,
				   loff_t pos, size_t count)
{
	struct mk_instance *inst = attr->private;
	struct mk_extent *e;
	size_t len = 0;
	ssize_t ret;
	char *text;

	text = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	mutex_lock(&inst->run_lock);
	if (inst->mem_phys)
		len += scnprintf(text + len, PAGE_SIZE - len, "%#llx %llu boot\n",
				 (u64)inst->mem_phys, inst->mem_boot);
	list_for_each_entry(e, &inst->extents, node)
		len += scnprintf(text + len, PAGE_SIZE - len, "%#llx %llu added\n",
				 (u64)e->phys, e->size);
	mutex_unlock(&inst->run_lock);
	ret = memory_read_from_buffer(buf, count, &pos, text, len);
	kfree(text);
	return ret;
}

#define MK_INSTANCE_FILES	3

/**
 * mk_sysfs_add_instance() - create /sys/kernel/multikernel/instances/NAME
 * @inst: a new instance, named
 *
 * Holds "console" (the spawn's console output since its last start),
 * "console_in" (bytes written there reach the spawn's console input) and
 * "memory_extents" (the memory it holds).
 *
 * Return: 0, -ENOMEM, or the error of sysfs_create_bin_file().
 */
int mk_sysfs_add_instance(struct mk_instance *inst)
{
	struct bin_attribute *attrs;
	int i, ret = 0;

	if (!mk_instances_kobj)
		return -ENODEV;
	attrs = kcalloc(MK_INSTANCE_FILES, sizeof(*attrs), GFP_KERNEL);
	if (!attrs)
		return -ENOMEM;
	inst->kobj = kobject_create_and_add(mk_instance_name(inst),
					    mk_instances_kobj);
	if (!inst->kobj) {
		kfree(attrs);
		return -ENOMEM;
	}
	sysfs_bin_attr_init(&attrs[0]);
	attrs[0].attr.name = "console";
	attrs[0].attr.mode = 0400;
	attrs[0].read = console_read;
	attrs[0].private = inst;
	sysfs_bin_attr_init(&attrs[1]);
	attrs[1].attr.name = "console_in";
	attrs[1].attr.mode = 0200;
	attrs[1].write = console_in_write;
	attrs[1].private = inst;
	sysfs_bin_attr_init(&attrs[2]);
	attrs[2].attr.name = "memory_extents";
	attrs[2].attr.mode = 0400;
	attrs[2].read = memory_extents_read;
	attrs[2].private = inst;
	inst->console_attrs = attrs;

	for (i = 0; i < MK_INSTANCE_FILES && !ret; i++)
		ret = sysfs_create_bin_file(inst->kobj, &attrs[i]);
	if (ret)
		mk_sysfs_del_instance(inst);
	return ret;
}

/**
 * mk_sysfs_del_instance() - remove what mk_sysfs_add_instance() created
 * @inst: the instance
 */
void mk_sysfs_del_instance(struct mk_instance *inst)
{
	int i;

	if (!inst->kobj)
		return;
	/*
	 * Remove the files and the directory now: the attributes are freed
	 * below, while the kobject's release may come later.
	 */
	for (i = MK_INSTANCE_FILES - 1; i >= 0; i--)
		sysfs_remove_bin_file(inst->kobj, &inst->console_attrs[i]);
	kobject_del(inst->kobj);
	kobject_put(inst->kobj);
	inst->kobj = NULL;
	kfree(inst->console_attrs);
	inst->console_attrs = NULL;
}

/**
 * mk_sysfs_console_changed() - wake pollers of an instance's console file
 * @inst: the instance
 */
void mk_sysfs_console_changed(struct mk_instance *inst)
{
	if (inst->kobj)
		sysfs_notify(inst->kobj, NULL, "console");
}

/**
 * mk_sysfs_add_group() - add a group of files to /sys/kernel/multikernel/
 * @grp: the group
 *
 * Return: 0 or the error of sysfs_create_group().
 */
int mk_sysfs_add_group(const struct attribute_group *grp)
{
	return sysfs_create_group(mk_instances_kobj->parent, grp);
}

/**
 * mk_sysfs_init() - create /sys/kernel/multikernel/
 *
 * Return: 0, -ENOMEM, or the error of sysfs_create_groups().
 */
int mk_sysfs_init(void)
{
	struct kobject *kobj;
	int ret;

	kobj = kobject_create_and_add("multikernel", kernel_kobj);
	if (!kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(kobj, mk_sysfs_groups);
	if (!ret && multikernel_spawn_info())
		ret = mk_sysfs_add_self(kobj);
	if (ret) {
		kobject_put(kobj);
		return ret;
	}
	mk_instances_kobj = kobject_create_and_add("instances", kobj);
	return mk_instances_kobj ? 0 : -ENOMEM;
}
