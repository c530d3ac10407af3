// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel spawn: memory the host adds and takes back while it runs.
 *
 * The host hands over blocks of its pool, each one memory block of this
 * kernel (the boot record pins the block size) and aligned to it.  A block
 * is added with memory hotplug as driver-managed System RAM, so that no
 * kexec inside the spawn places images there, and onlined movable, so
 * that only movable allocations land in it and it can be emptied again.
 * Removing a block offlines it, which migrates what it holds into the rest
 * of the spawn's memory, and removes it, which takes it out of the direct
 * map; only then may the host reuse it.
 *
 * Offlining retries until it succeeds or the task gets a signal, so it
 * runs with a deadline: a timer sends SIGKILL to the resize worker, which
 * allows it, and offlining rolls back on its own.  Before trying, the
 * spawn checks that what it uses fits without the block, the one case in
 * which offlining would retry for ever.
 *
 * Locking: the caller (resize_spawn.c) runs one request at a time, which
 * also serialises mk_added; memory hotplug takes the device hotplug lock
 * itself, and onlining holds it.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/timer.h>

#include "internal.h"

/* Longest a removal may try to move a block's contents out. */
#define MK_OFFLINE_DEADLINE	(20 * HZ)
/* What the spawn must keep free after a removal, beyond its watermarks. */
#define MK_REMOVE_MARGIN	SZ_16M

/* A block the host added. */
struct mk_added {
	struct list_head node;
	u64 phys;
	u64 size;
};

static LIST_HEAD(mk_added);

static struct mk_added *mk_added_find(u64 phys, u64 size)
{
	struct mk_added *a;

	list_for_each_entry(a, &mk_added, node)
		if (a->phys == phys && a->size == size)
			return a;
	return NULL;
}

static int mk_online_movable(struct memory_block *mem, void *arg)
{
	int ret;

	mem->online_type = MMOP_ONLINE_MOVABLE;
	ret = device_online(&mem->dev);
	return ret > 0 ? 0 : ret;	/* already online: the admin's policy */
}

static int mk_check_block(u64 phys, u64 size, char *why, size_t len)
{
	u64 block = memory_block_size_bytes();

	if (size && IS_ALIGNED(phys, block) && IS_ALIGNED(size, block))
		return 0;
	snprintf(why, len, "not whole %lluM memory blocks", block >> 20);
	return -EINVAL;
}

/**
 * mk_spawn_mem_add() - add and online memory the host handed over
 * @phys: start of the memory, aligned to the memory block size
 * @size: bytes, a multiple of it
 * @why: set to the reason when it fails
 * @len: room at @why
 *
 * Return: 0, also when the memory was added already; -EINVAL for a range
 * that is not whole memory blocks; the errors of memory hotplug, such as
 * -EEXIST for a range this kernel has, and -ENOMEM; -EEXIST also when the
 * memory could not be onlined nor removed again, so that it stays here.
 */
int mk_spawn_mem_add(u64 phys, u64 size, char *why, size_t len)
{
	struct mk_added *a;
	int ret;

	ret = mk_check_block(phys, size, why, len);
	if (ret || mk_added_find(phys, size))
		return ret;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = add_memory_driver_managed(0, phys, size, "System RAM (multikernel)",
					MHP_MERGE_RESOURCE);
	if (ret) {
		snprintf(why, len, "memory hotplug refused the block (%d)", ret);
		kfree(a);
		return ret;
	}
	lock_device_hotplug();
	ret = walk_memory_blocks(phys, size, NULL, mk_online_movable);
	unlock_device_hotplug();
	if (ret) {
		snprintf(why, len, "the block did not go online (%d)", ret);
		if (offline_and_remove_memory(phys, size)) {
			/* Still ours: the host must not reuse it. */
			snprintf(why, len, "the block did not go online and cannot be removed");
			ret = -EEXIST;
		}
		kfree(a);
		return ret;
	}
	a->phys = phys;
	a->size = size;
	list_add(&a->node, &mk_added);
	return 0;
}

struct mk_deadline {
	struct timer_list timer;
	struct task_struct *task;
};

static void mk_deadline_fire(struct timer_list *t)
{
	struct mk_deadline *d = from_timer(d, t, timer);

	send_sig(SIGKILL, d->task, 1);
}

/* offline_and_remove_memory(), given up after MK_OFFLINE_DEADLINE. */
static int mk_offline_bounded(u64 phys, u64 size)
{
	struct mk_deadline d = { .task = current };
	int ret;

	allow_signal(SIGKILL);
	timer_setup_on_stack(&d.timer, mk_deadline_fire, 0);
	mod_timer(&d.timer, jiffies + MK_OFFLINE_DEADLINE);
	ret = offline_and_remove_memory(phys, size);
	del_timer_sync(&d.timer);
	destroy_timer_on_stack(&d.timer);
	flush_signals(current);
	disallow_signal(SIGKILL);
	return ret;
}

/* Does what the spawn uses fit in its memory without @size bytes? */
static int mk_fits_without(u64 size, char *why, size_t len)
{
	u64 total = (u64)totalram_pages() << PAGE_SHIFT;
	u64 avail = (u64)si_mem_available() << PAGE_SHIFT;

	if (avail >= size + MK_REMOVE_MARGIN)
		return 0;
	snprintf(why, len, "uses %lluM of %lluM; free memory inside it before shrinking",
		 (total - avail) >> 20, total >> 20);
	return -EBUSY;
}

/**
 * mk_spawn_mem_remove() - offline and remove memory for the host
 * @phys: start of a block the host added
 * @size: its size
 * @why: set to the reason when it fails
 * @len: room at @why
 *
 * Return: 0, also for memory the host never added; -EBUSY when what the
 * spawn uses would not fit without it, or its contents could not be moved
 * out (in MK_OFFLINE_DEADLINE); -EINVAL for a range that is not whole
 * memory blocks; the errors of memory hotplug.  On error nothing changed.
 */
int mk_spawn_mem_remove(u64 phys, u64 size, char *why, size_t len)
{
	struct mk_added *a;
	int ret;

	ret = mk_check_block(phys, size, why, len);
	a = ret ? NULL : mk_added_find(phys, size);
	if (!a)
		return ret;
	ret = mk_fits_without(size, why, len);
	if (ret)
		return ret;
	ret = mk_offline_bounded(phys, size);
	if (ret == -EINTR || ret == -EBUSY) {
		snprintf(why, len, "its contents could not be moved out (%d)", ret);
		return -EBUSY;
	}
	if (ret) {
		snprintf(why, len, "memory hotplug could not remove the block (%d)",
			 ret);
		return ret;
	}
	list_del(&a->node);
	kfree(a);
	return 0;
}
