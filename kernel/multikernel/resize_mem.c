// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel: memory added to and removed from a running instance.
 *
 * Writing memory of a running instance comes here (instance.c).  The
 * memory an instance started with stays until it stops; on top of it the
 * instance holds extents, each one memory block of the spawn
 * (MK_RESIZE_GRANULE), aligned to its size, taken from the pool when it
 * grows.  Growing hands an extent to the spawn (MEM_ADD), which adds it
 * with memory hotplug; the extent is the instance's from the moment it is
 * taken, so that any teardown frees it.  Shrinking asks the spawn to give
 * back the most recently added extents (MEM_REMOVE); it offlines and
 * removes them, migrating what they hold, and only once it answered does
 * the host clear the memory.  A spawn still runs after giving memory back,
 * so the pool checks that memory is still zero before it hands it out
 * again (mk_pool_give_back()): detection, not prevention, as the trust
 * model says.
 *
 * As for CPUs (resize.c), nothing waits for the spawn with run_lock held,
 * a spawn that does not answer is crashed, a write that fails half way
 * undoes what it did, and @cpus, @memory and resize_reason say what the
 * instance holds and why a write was refused.
 *
 * Locking: resize_lock, then run_lock, which also protects the extent
 * list; mk_instances_lock inside it for @memory and @state.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/list.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

static u64 mk_extents_size(struct mk_instance *inst)
{
	struct mk_extent *e;
	u64 size = 0;

	list_for_each_entry(e, &inst->extents, node)
		size += e->size;
	return size;
}

/* Record what the instance holds now in its memory attribute. */
static void mk_resize_mem_done(struct mk_instance *inst)
{
	mutex_lock(&mk_instances_lock);
	inst->memory = inst->mem_boot + mk_extents_size(inst);
	mutex_unlock(&mk_instances_lock);
}

/* Give the running @inst one more block; run_lock held. */
static int mk_resize_add_block(struct mk_instance *inst, char *why, size_t len)
{
	struct multikernel_resize rq = { .size = MK_RESIZE_GRANULE };
	struct mk_extent *e;
	int ret;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->size = MK_RESIZE_GRANULE;
	ret = mk_pool_alloc_aligned(e->size, &e->phys);
	if (ret) {
		kfree(e);
		if (ret == -EBUSY)
			snprintf(why, len,
				 "the host's pages could not be moved out of a free %lluM block of the pool now",
				 (u64)MK_RESIZE_GRANULE >> 20);
		else
			snprintf(why, len, "the pool has no free %lluM block aligned to its size",
				 (u64)MK_RESIZE_GRANULE >> 20);
		return ret;
	}
	/* The instance's from now on: every teardown frees it. */
	list_add(&e->node, &inst->extents);
	mk_trace_memory(inst, e->phys, e->size, true);
	rq.phys = e->phys;
	ret = mk_resize_ask(inst, MULTIKERNEL_MSG_MEM_ADD, &rq, "adding memory",
			    why, len);
	/* Gone with the instance, or kept by a spawn that could not undo it. */
	if (!ret || ret == -ECONNRESET || ret == -ETIMEDOUT ||
	    ret == -EPROTO || ret == -EEXIST)
		return ret;
	list_del(&e->node);
	/* The spawn may have touched it before it gave up. */
	mk_pool_give_back(e->phys, e->size, inst->id);
	mk_trace_memory(inst, e->phys, e->size, false);
	kfree(e);
	return ret;
}

/* Take the most recently added block back from the running @inst. */
static int mk_resize_remove_block(struct mk_instance *inst, char *why,
				  size_t len)
{
	struct mk_extent *e = list_first_entry(&inst->extents,
					       struct mk_extent, node);
	struct multikernel_resize rq = { .phys = e->phys, .size = e->size };
	int ret;

	ret = mk_resize_ask(inst, MULTIKERNEL_MSG_MEM_REMOVE, &rq,
			    "removing memory", why, len);
	if (ret)
		return ret;
	list_del(&e->node);
	mk_pool_give_back(e->phys, e->size, inst->id);
	mk_trace_memory(inst, e->phys, e->size, false);
	kfree(e);
	return 0;
}

/* The blocks a write adds (> 0) or removes (< 0); 0 with @why set if bad. */
static long mk_resize_mem_steps(struct mk_instance *inst, u64 bytes,
				const char **why)
{
	u64 cur = inst->mem_boot + mk_extents_size(inst);
	u64 diff = bytes > cur ? bytes - cur : cur - bytes;

	*why = NULL;
	if (bytes < inst->mem_boot)
		*why = "the memory an instance started with stays until it stops";
	else if (!IS_ALIGNED(diff, MK_RESIZE_GRANULE))
		*why = "a running instance's memory changes in steps of resize_granule";
	if (*why)
		return 0;
	return bytes > cur ? (long)(diff / MK_RESIZE_GRANULE) :
			     -(long)(diff / MK_RESIZE_GRANULE);
}

/* Add @n blocks (or remove -@n), undoing them all if one fails. */
static int mk_resize_mem_by(struct mk_instance *inst, long n, char *why,
			    size_t len)
{
	char undo_why[MK_REASON_LEN];
	long done;
	int ret = 0;

	for (done = 0; done < abs(n) && !ret; done++)
		ret = n > 0 ? mk_resize_add_block(inst, why, len) :
			      mk_resize_remove_block(inst, why, len);
	if (!ret)
		return 0;
	/* The failed step did nothing; undo the others while it runs. */
	for (done--; done > 0 && inst->active; done--)
		if (n > 0 ? mk_resize_remove_block(inst, undo_why, sizeof(undo_why)) :
			    mk_resize_add_block(inst, undo_why, sizeof(undo_why)))
			break;
	return ret;
}

/**
 * mk_resize_memory() - give a running instance a new memory size
 * @inst: the instance
 * @bytes: what it is to hold
 *
 * Returns once the spawn has added or removed the memory, or nothing
 * changed.
 *
 * Return: 0; -EINVAL below the memory it started with or for a change that
 * is not a multiple of MK_RESIZE_GRANULE; -EBUSY if the instance does not
 * run, the spawn cannot give the memory up or the host's pages cannot be
 * moved out of the pool (CMA) now; -ENOSPC when the pool has no free
 * aligned block; -EOPNOTSUPP if the spawn cannot resize; the
 * errors of mk_resize_ask(); -ENOMEM.
 */
int mk_resize_memory(struct mk_instance *inst, u64 bytes)
{
	char why[MK_REASON_LEN];
	const char *bad;
	long n;
	int ret;

	mutex_lock(&inst->resize_lock);
	mutex_lock(&inst->run_lock);
	if (!inst->active || !mk_instance_running(inst)) {
		ret = mk_resize_refused(inst, -EBUSY, "the instance is not running");
		goto out;
	}
	n = mk_resize_mem_steps(inst, bytes, &bad);
	if (bad) {
		ret = mk_resize_refused(inst, -EINVAL, "%s", bad);
		goto out;
	}
	mk_resize_reason_clear(inst);
	ret = mk_resize_mem_by(inst, n, why, sizeof(why));
	if (inst->active)
		mk_resize_mem_done(inst);
	if (ret)
		mk_resize_refused(inst, ret, "%s", why);
	else if (n)
		pr_info("%s: memory now %llu MiB\n", mk_instance_name(inst),
			bytes >> 20);
out:
	mutex_unlock(&inst->run_lock);
	mutex_unlock(&inst->resize_lock);
	return ret;
}
