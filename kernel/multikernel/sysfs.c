// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read-only global facts in /sys/kernel/multikernel/: the limits instances
 * must respect and the state of the memory pool.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "internal.h"

static ssize_t max_instances_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", MK_MAX_INSTANCES);
}

static struct kobj_attribute max_instances_attr = __ATTR_RO(max_instances);

static ssize_t min_memory_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", (u64)MK_MIN_MEMORY);
}

static struct kobj_attribute min_memory_attr = __ATTR_RO(min_memory);

static struct attribute *mk_global_attrs[] = {
	&max_instances_attr.attr,
	&min_memory_attr.attr,
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

static struct attribute *mk_pool_attrs[] = {
	&pool_size_attr.attr,
	&pool_free_attr.attr,
	&pool_largest_free_attr.attr,
	&pool_granule_attr.attr,
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
	if (ret)
		kobject_put(kobj);
	return ret;
}
