// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel restarts a BPF policy asks for after a crash.
 *
 * mk_crash() asks the policy's crashed() hook, once the instance gave
 * everything back, whether to restart it.  The kernel bounds the answer:
 * a delay of at least MK_RESTART_MIN_DELAY_MS, and at most
 * restart_limit restarts (configfs, MK_RESTART_LIMIT by default) since
 * the admin's last start; a policy that asks for more is detached
 * (policy.c).  The instance stays crashed, and unpinned, until the restart
 * runs; the restart is an ordinary start, so the admit() hook and every
 * check of a start apply to it, and a refused or failed restart leaves
 * the instance crashed or stopped as any failed start does.
 *
 * Locking: @restart is a delayed work item on mk_wq that takes run_lock
 * through the start.  mk_crash() queues it with run_lock held.  An admin
 * start, stop or kill and the removal of the instance disable it first
 * (mk_restart_block(), which waits for a restart in progress) and so
 * never race with one; they must not hold run_lock while they do.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/jiffies.h>
#include <linux/workqueue.h>

#include "internal.h"

static void mk_restart_work(struct work_struct *work)
{
	struct mk_instance *inst = container_of(to_delayed_work(work),
						struct mk_instance, restart);
	int ret;

	ret = mk_instance_restart(inst);
	if (ret)
		pr_info("%s: restart failed: %d\n", mk_instance_name(inst),
			ret);
}

/**
 * mk_restart_init() - initialise the restart part of a new instance
 * @inst: an instance being created
 */
void mk_restart_init(struct mk_instance *inst)
{
	INIT_DELAYED_WORK(&inst->restart, mk_restart_work);
	inst->restart_limit = MK_RESTART_LIMIT;
}

/**
 * mk_restart_after_crash() - restart a crashed instance if the policy asks
 * @inst: an instance that just crashed; caller holds run_lock
 *
 * The struct of an upgrade's successor is not the instance: it is never
 * restarted.
 */
void mk_restart_after_crash(struct mk_instance *inst)
{
	int delay;

	if (inst->origin)
		return;
	delay = mk_policy_crashed(inst);
	/* Not queued: the admin is starting, stopping or removing it. */
	if (delay < 0 ||
	    !queue_delayed_work(mk_wq, &inst->restart, msecs_to_jiffies(delay)))
		return;
	WRITE_ONCE(inst->restarts, inst->restarts + 1);
	pr_info("%s: restart %u of %u in %d ms, asked for by the policy\n",
		mk_instance_name(inst), inst->restarts,
		READ_ONCE(inst->restart_limit), delay);
}

/**
 * mk_restart_block() - cancel a pending restart and keep new ones out
 * @inst: the instance; caller does not hold run_lock
 *
 * Waits for a restart in progress.  Until mk_restart_unblock(), a restart
 * the policy asks for is not queued.
 */
void mk_restart_block(struct mk_instance *inst)
{
	disable_delayed_work_sync(&inst->restart);
}

/**
 * mk_restart_unblock() - let the policy's restarts run again
 * @inst: the instance
 */
void mk_restart_unblock(struct mk_instance *inst)
{
	enable_delayed_work(&inst->restart);
}
