// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel and the host's machine-wide operations.
 *
 * A lent CPU is offline in the host but runs another kernel, and lent
 * memory holds that kernel.  Operations that assume the host owns every
 * CPU and every byte of RAM must not run past an instance:
 *
 *  - kexec: loading an image and rebooting into one are refused with
 *    -EBUSY while any CPU is lent (multikernel_kexec_check(), called by
 *    the kexec syscalls and kernel_kexec()); the next kernel would boot
 *    over the spawns and start their CPUs from the firmware tables.  An
 *    image's segments never go into the pool (kexec_core.c, kexec_file.c).
 *  - suspend and hibernation are refused while any CPU is lent: they would
 *    power the lent CPUs off behind the spawns, or snapshot their memory.
 *  - restart, halt and power-off first stop every instance that holds
 *    host resources: cleanly, within the longest stop_timeout_ms of them
 *    but never longer than MK_SHUTDOWN_WAIT_MS, then by force; a
 *    quarantined instance gets one more kill, and the log says when even
 *    that left its CPUs lent (the firmware's reset then takes them).
 *
 * Locking: none of its own.  The notifiers run in process context and use
 * the instances' own locks through mk_instance_stop().
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/suspend.h>

#include "internal.h"

/* The longest a restart or power-off waits for clean stops, in all. */
#define MK_SHUTDOWN_WAIT_MS	30000
#define MK_SHUTDOWN_POLL_MS	50
#define MK_NAMES_LEN		256

/* -EBUSY and one log line naming the instances if any CPU is lent. */
static int mk_refuse_while_lent(const char *what)
{
	char names[MK_NAMES_LEN];

	if (!multikernel_cpus_lent())
		return 0;
	mk_instances_holding(names, sizeof(names));
	pr_info("%s refused: CPUs are lent to instances: %s\n", what,
		names[0] ? names : "(being released)");
	return -EBUSY;
}

/**
 * multikernel_kexec_check() - may the host load or boot a kexec image now
 *
 * Called by kexec_load(), kexec_file_load() and kernel_kexec() before they
 * change anything; unloading an image is always allowed.
 *
 * Return: 0, or -EBUSY while CPUs are lent to instances.
 */
int multikernel_kexec_check(void)
{
	return mk_refuse_while_lent("kexec");
}

/**
 * multikernel_kexec_range_ok() - may a kexec segment go to a physical range
 * @start: first byte of the segment's destination
 * @end: last byte of it
 *
 * Return: false if the range touches the multikernel pool.
 */
bool multikernel_kexec_range_ok(phys_addr_t start, phys_addr_t end)
{
	return !mk_pool_overlaps(start, end);
}

static int mk_pm_notify(struct notifier_block *nb, unsigned long action,
			void *data)
{
	switch (action) {
	case PM_SUSPEND_PREPARE:
		return notifier_from_errno(mk_refuse_while_lent("suspend"));
	case PM_HIBERNATION_PREPARE:
		return notifier_from_errno(mk_refuse_while_lent("hibernation"));
	default:
		return NOTIFY_DONE;
	}
}

static struct notifier_block mk_pm_nb = {
	.notifier_call	= mk_pm_notify,
};

static enum mk_state mk_state_of(struct mk_instance *inst)
{
	enum mk_state state;

	mutex_lock(&mk_instances_lock);
	state = inst->state;
	mutex_unlock(&mk_instances_lock);
	return state;
}

static bool mk_released(struct mk_instance *inst)
{
	enum mk_state state = mk_state_of(inst);

	return state == MK_STOPPED || state == MK_CRASHED;
}

/* Nothing more happens to it without the host: released or quarantined. */
static bool mk_settled(struct mk_instance *inst)
{
	return mk_released(inst) || mk_state_of(inst) == MK_QUARANTINED;
}

/* Wait until all of @insts are settled or @ms passed. */
static void mk_wait_settled(struct mk_instance **insts, int n, unsigned int ms)
{
	ktime_t until = ktime_add_ms(ktime_get(), ms);
	int i;

	for (;;) {
		for (i = 0; i < n && mk_settled(insts[i]); i++)
			;
		if (i == n || !ktime_before(ktime_get(), until))
			return;
		msleep(MK_SHUTDOWN_POLL_MS);
	}
}

/* Report how @inst ended, with the last line its console showed. */
static void mk_report_shutdown(struct mk_instance *inst, bool forced)
{
	char line[MK_REASON_LEN];
	const char *how;

	if (!mk_released(inst))
		how = "still quarantined, its CPUs lent,";
	else if (forced)
		how = "forced to stop";
	else
		how = "stopped";
	mk_console_last_line(inst->console, line, sizeof(line));
	pr_info("%s: %s before the host goes down; its console ended: %s\n",
		mk_instance_name(inst), how, line);
}

/*
 * Clean stops first, all at once; what has not stopped when the longest
 * stop_timeout_ms (at most MK_SHUTDOWN_WAIT_MS) is over gets killed, and
 * a quarantined instance one more try.
 */
static void mk_stop_all(struct mk_instance **insts, int n)
{
	unsigned int wait_ms = 0;
	bool *forced;
	int i;

	forced = kcalloc(n, sizeof(*forced), GFP_KERNEL);
	for (i = 0; i < n; i++) {
		if (mk_instance_stop(insts[i], false))
			continue;
		wait_ms = max(wait_ms, READ_ONCE(insts[i]->stop_timeout_ms));
	}
	mk_wait_settled(insts, n, min(wait_ms, MK_SHUTDOWN_WAIT_MS));
	for (i = 0; i < n; i++) {
		if (mk_released(insts[i]))
			continue;
		mk_instance_stop(insts[i], true);
		if (forced)
			forced[i] = true;
	}
	for (i = 0; i < n; i++)
		mk_report_shutdown(insts[i], forced && forced[i]);
	kfree(forced);
}

static int mk_reboot_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct mk_instance **insts;
	int i, n;

	insts = kcalloc(MK_MAX_INSTANCES, sizeof(*insts), GFP_KERNEL);
	if (!insts)
		return NOTIFY_DONE;
	n = mk_instances_get_holding(insts);
	if (n) {
		pr_info("stopping %d instance(s) before the host goes down\n", n);
		mk_stop_all(insts, n);
	}
	for (i = 0; i < n; i++)
		config_item_put(&insts[i]->group.cg_item);
	kfree(insts);
	return NOTIFY_DONE;
}

static struct notifier_block mk_reboot_nb = {
	.notifier_call	= mk_reboot_notify,
};

/**
 * mk_host_ops_init() - hook the host's suspend and shutdown paths
 *
 * Return: 0 or the errno of a notifier registration.
 */
int mk_host_ops_init(void)
{
	int ret;

	ret = register_pm_notifier(&mk_pm_nb);
	if (ret)
		return ret;
	ret = register_reboot_notifier(&mk_reboot_nb);
	if (ret)
		unregister_pm_notifier(&mk_pm_nb);
	return ret;
}
