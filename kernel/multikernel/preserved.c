// SPDX-License-Identifier: GPL-2.0-only
/*
 * Preserved regions: named ranges of pool memory that an instance keeps
 * across its kernels, instances/NAME/preserved/REGION/ in configfs.
 *
 * mkdir of a region, a write of its size and rmdir are accepted while the
 * instance is stopped.  A region takes its memory from the pool at the
 * instance's next start, all zero, and keeps it from then on, never
 * cleared, through stop, crash, restart and upgrade, so that what one
 * kernel wrote the next one reads.  Only rmdir of the region clears it
 * and gives it back; a start that fails gives back what it took.  The
 * spawn finds its regions in the boot record (struct
 * multikernel_preserved); the host never reads what the spawn wrote.
 *
 * configfs refuses rmdir of an instance that still has regions
 * (ENOTEMPTY): its regions go first.
 *
 * Locking: an instance's @regions and each region's fields are protected
 * by mk_instances_lock.  From the start's check of the state (no longer
 * stopped) until the instance is stopped again, the region items are
 * pinned in configfs (mk_configfs_pin()) so that rmdir fails with EBUSY,
 * and mkdir and size check the state: the list and the sizes stay as they
 * are, and lifecycle.c, which alone writes @phys and @fresh then, reads
 * them under its run_lock.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/capability.h>
#include <linux/configfs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "internal.h"

static struct mk_region *to_mk_region(struct config_item *item)
{
	return container_of(item, struct mk_region, item);
}

static struct mk_instance *to_group_instance(struct config_group *group)
{
	return container_of(group, struct mk_instance, preserved);
}

static ssize_t mk_region_size_show(struct config_item *item, char *page)
{
	ssize_t len;

	mutex_lock(&mk_instances_lock);
	len = sysfs_emit(page, "%llu\n", to_mk_region(item)->size);
	mutex_unlock(&mk_instances_lock);
	return len;
}

/* Check a size for region @r; logs the reason of a refusal. */
static int mk_region_check_size(struct mk_region *r, const char *val,
				u64 *bytes)
{
	const char *name = mk_instance_name(r->inst);
	int ret;

	ret = mk_parse_memory(val, bytes);
	if (ret)
		return mk_reject(name, "preserved size", val,
				 "not a size (bytes with optional K, M or G)",
				 ret);
	if (!*bytes || !IS_ALIGNED(*bytes, MK_GRANULE))
		return mk_reject(name, "preserved size", val,
				 "not a non-zero multiple of the pool granule",
				 -EINVAL);
	if (*bytes > mk_pool_size())
		return mk_reject(name, "preserved size", val,
				 "larger than the pool", -ENOSPC);
	return 0;
}

static ssize_t mk_region_size_store(struct config_item *item,
				    const char *page, size_t count)
{
	struct mk_region *r = to_mk_region(item);
	char buf[32], *val;
	u64 bytes;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	strscpy(buf, page, min(count + 1, sizeof(buf)));
	val = strim(buf);
	ret = mk_region_check_size(r, val, &bytes);
	if (ret)
		return ret;

	mutex_lock(&mk_instances_lock);
	ret = mk_check_stopped(r->inst, "preserved size", val);
	if (!ret && r->phys && bytes != r->size)
		ret = mk_reject(mk_instance_name(r->inst), "preserved size",
				val, "the region holds data; remove it to resize",
				-EBUSY);
	if (!ret)
		r->size = bytes;
	mutex_unlock(&mk_instances_lock);
	return ret ? ret : count;
}

CONFIGFS_ATTR(mk_region_, size);

static struct configfs_attribute *mk_region_attrs[] = {
	&mk_region_attr_size,
	NULL,
};

/* The last reference is gone: the memory goes back, cleared. */
static void mk_region_release(struct config_item *item)
{
	struct mk_region *r = to_mk_region(item);

	if (r->phys)
		mk_pool_free_range(r->phys, r->size);
	kfree(r);
}

static struct configfs_item_operations mk_region_item_ops = {
	.release	= mk_region_release,
};

static const struct config_item_type mk_region_type = {
	.ct_item_ops	= &mk_region_item_ops,
	.ct_attrs	= mk_region_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_item *mk_preserved_make_item(struct config_group *group,
						  const char *name)
{
	struct mk_instance *inst = to_group_instance(group);
	const char *iname = mk_instance_name(inst);
	struct mk_region *r, *other;
	unsigned int n = 0;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);
	if (mk_check_name(name) ||
	    strlen(name) >= MULTIKERNEL_PRESERVED_NAME_LEN)
		return ERR_PTR(mk_reject(iname, "preserved region", name,
					 "names match [a-z0-9][a-z0-9_-]{0,30}",
					 -EINVAL));
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->inst = inst;
	config_item_init_type_name(&r->item, name, &mk_region_type);

	mutex_lock(&mk_instances_lock);
	ret = mk_check_stopped(inst, "preserved region", name);
	list_for_each_entry(other, &inst->regions, node)
		n++;
	if (!ret && n == MULTIKERNEL_MAX_PRESERVED)
		ret = mk_reject(iname, "preserved region", name,
				"an instance has at most 8 regions", -ENOSPC);
	if (!ret)
		list_add_tail(&r->node, &inst->regions);
	mutex_unlock(&mk_instances_lock);
	if (ret) {
		config_item_put(&r->item);
		return ERR_PTR(ret);
	}
	return &r->item;
}

static void mk_preserved_drop_item(struct config_group *group,
				   struct config_item *item)
{
	struct mk_region *r = to_mk_region(item);

	mutex_lock(&mk_instances_lock);
	list_del(&r->node);
	mutex_unlock(&mk_instances_lock);
	config_item_put(item);
}

static struct configfs_group_operations mk_preserved_group_ops = {
	.make_item	= mk_preserved_make_item,
	.drop_item	= mk_preserved_drop_item,
};

/* The type of each instance's preserved/ group. */
const struct config_item_type mk_preserved_type = {
	.ct_group_ops	= &mk_preserved_group_ops,
	.ct_owner	= THIS_MODULE,
};

/**
 * mk_preserved_take() - give each region of a starting instance its memory
 * @inst: the instance, past the check that it may start; run_lock held
 *
 * A region that has memory keeps it; the others take zeroed memory from
 * the pool and are marked fresh, for mk_preserved_started().
 *
 * Return: 0; -EINVAL for a region without a size; the errors of
 * mk_pool_alloc().  The regions taken before the error stay fresh.
 */
int mk_preserved_take(struct mk_instance *inst)
{
	const char *name = mk_instance_name(inst);
	struct mk_region *r;
	int ret;

	list_for_each_entry(r, &inst->regions, node) {
		if (r->phys)
			continue;
		if (!r->size) {
			pr_info("%s: start rejected: preserved region %s has no size\n",
				name, config_item_name(&r->item));
			return -EINVAL;
		}
		ret = mk_pool_alloc(r->size, &r->phys);
		if (ret) {
			pr_info("%s: no free %llu bytes in the pool for preserved region %s (%d)\n",
				name, r->size, config_item_name(&r->item), ret);
			return ret;
		}
		r->fresh = true;
	}
	return 0;
}

/**
 * mk_preserved_started() - end a start's use of the regions
 * @inst: the instance; run_lock held
 * @ok: the start succeeded
 *
 * After a failed start, the regions it gave memory to give it back: they
 * hold nothing yet.
 */
void mk_preserved_started(struct mk_instance *inst, bool ok)
{
	struct mk_region *r;

	list_for_each_entry(r, &inst->regions, node) {
		if (!r->fresh)
			continue;
		r->fresh = false;
		if (!ok) {
			mk_pool_free_range(r->phys, r->size);
			r->phys = 0;
		}
	}
}

/**
 * mk_preserved_list() - describe the regions for the boot record
 * @inst: the instance, its regions taken; run_lock held
 * @out: room for MULTIKERNEL_MAX_PRESERVED entries
 *
 * Return: the number of entries written.
 */
unsigned int mk_preserved_list(struct mk_instance *inst,
			       struct multikernel_preserved *out)
{
	struct mk_region *r;
	unsigned int n = 0;

	list_for_each_entry(r, &inst->regions, node) {
		if (n == MULTIKERNEL_MAX_PRESERVED)
			break;
		strscpy(out[n].name, config_item_name(&r->item),
			sizeof(out[n].name));
		out[n].phys = r->phys;
		out[n].size = r->size;
		n++;
	}
	return n;
}
