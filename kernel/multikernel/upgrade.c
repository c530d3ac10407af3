// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel upgrade: replace the kernel of a running instance while its
 * service keeps its state in preserved regions.
 *
 * Writing "upgrade" to the instance's state runs the whole upgrade in the
 * writer's context and returns its result; upgrade/ holds its settings
 * (the successor's kernel, initrd, command line and CPUs, and the time the
 * old kernel has to hand over) and what became of the last one.  Steps:
 *
 *  1. The successor boots in a struct of its own (mk_successor_alloc()),
 *     on the upgrade's CPUs and fresh pool memory, with the instance's id
 *     and name, its regions listed in the boot record but closed, and its
 *     channel dark: unpublished, so that nothing it sends reaches a socket
 *     or another instance, while the old kernel serves.  Its init writes
 *     "ready" once its services wait to take over: spawn_state STANDBY.
 *  2. The old kernel is asked to hand over (MULTIKERNEL_REQ_HANDOVER): its
 *     init gets SIGPWR, its services stop and flush into their regions,
 *     and init or the last of them acknowledges (spawn_state
 *     HANDED_OVER).  One that does not within handover_timeout_ms is
 *     stopped by force all the same.
 *  3. The switch, under both run_locks: the old kernel's CPUs are halted
 *     (the park NMI, then INIT); its channel closes, which resets its
 *     connections and tells the other instances; the run-time parts of
 *     the two structs are swapped, so the instance now runs the
 *     successor; its channel is published and it is activated
 *     (MULTIKERNEL_REQ_ACTIVATE): it opens the regions and serves.  If a
 *     CPU of the old kernel did not say it parked, it may be in VMX root
 *     operation, where INIT waits: those CPUs are proven back before the
 *     activation, at the cost of a longer gap.
 *  4. The old kernel's CPUs and memory are taken back, with proof, as at
 *     any stop.  A CPU that cannot be proven back keeps the old kernel's
 *     struct in quarantine (@retired): its CPUs stay lent, kill retries.
 *
 * Until the switch nothing of the instance changed: a successor that
 * cannot start, crashes or is not ready within boot_timeout_ms is taken
 * down and the upgrade fails with upgrade/reason saying why, the old
 * kernel never having stopped serving.  The successor opens the regions
 * only once the old kernel's CPUs parked and got INIT, or were proven
 * back.  (A spawn that lies about parking can only share its own
 * instance's regions with its successor: the host's memory is not at
 * stake.)
 *
 * Locking: the upgrade holds the instance's resize_lock throughout, so no
 * resize and no second upgrade runs meanwhile, and sets @upgrading, which
 * keeps the instance from being started and the successor's CPUs from
 * being given to another instance.  The old kernel's watchdog runs until
 * the switch; the successor's struct has a watchdog of its own.  The
 * switch takes the instance's run_lock, then the successor's, with both
 * watchdogs disabled; nothing else takes two run_locks.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kstrtox.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>

#include "internal.h"

/* How often the upgrade looks at a booting successor. */
#define MK_UPGRADE_POLL_MS	10

/*
 * Note why the upgrade failed, for upgrade/reason and the log; returns
 * @err.
 */
static __printf(3, 4) int mk_upgrade_failed(struct mk_instance *inst, int err,
					    const char *fmt, ...)
{
	char why[MK_REASON_LEN];
	va_list args;

	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	mutex_lock(&mk_instances_lock);
	strscpy(inst->upgrade_reason, why, sizeof(inst->upgrade_reason));
	mutex_unlock(&mk_instances_lock);
	pr_info("%s: upgrade failed: %s\n", mk_instance_name(inst), why);
	return err;
}

/* The checks that need nothing but the lock; sets @upgrading. */
static int mk_upgrade_begin(struct mk_instance *inst, struct cpumask *taken)
{
	const char *why = NULL;
	char list[64];
	int ret;

	mutex_lock(&mk_instances_lock);
	scnprintf(list, sizeof(list), "%*pbl", cpumask_pr_args(inst->next_cpus));
	mk_cpus_taken(inst, taken);
	if (inst->state != MK_RUNNING) {
		why = "the instance is not running";
		ret = -EBUSY;
	} else if (inst->upgrading || inst->retired) {
		why = inst->retired ?
		      "an old kernel of it is quarantined: kill it first" :
		      "an upgrade is under way";
		ret = -EBUSY;
	} else if (!inst->next_kernel || cpumask_empty(inst->next_cpus)) {
		why = "upgrade/kernel and upgrade/cpus must be set";
		ret = -EINVAL;
	} else if (cpumask_intersects(inst->next_cpus, inst->cpus)) {
		why = "upgrade/cpus has a CPU the instance runs on";
		ret = -EBUSY;
	} else {
		ret = mk_check_cpus(inst->next_cpus, cpu_present_mask,
				    cpu_online_mask, taken, &why);
		if (!ret)
			ret = mk_check_cores(inst, inst->next_cpus,
					     inst->smt_split, list);
		if (ret && !why)
			why = "upgrade/cpus breaks the SMT rules (see smt_split)";
	}
	if (!ret) {
		inst->upgrading = true;
		inst->upgrade_reason[0] = '\0';
	}
	mutex_unlock(&mk_instances_lock);
	if (why)
		return mk_upgrade_failed(inst, ret, "%s", why);
	return ret;
}

static void mk_upgrade_end(struct mk_instance *inst)
{
	mutex_lock(&mk_instances_lock);
	inst->upgrading = false;
	mutex_unlock(&mk_instances_lock);
}

static void mk_successor_free(struct mk_instance *succ)
{
	cancel_delayed_work_sync(&succ->watch);
	config_item_put(&succ->group.cg_item);
	mk_instance_free(succ);
}

/* Copy the instance's settings and the upgrade's; mk_instances_lock held. */
static int mk_successor_settings(struct mk_instance *succ,
				 struct mk_instance *inst)
{
	succ->memory = inst->memory;
	succ->boot_timeout_ms = inst->boot_timeout_ms;
	succ->stop_timeout_ms = inst->stop_timeout_ms;
	succ->heartbeat_timeout_ms = inst->heartbeat_timeout_ms;
	succ->smt_split = inst->smt_split;
	cpumask_copy(succ->cpus, inst->next_cpus);
	return mk_set_string(&succ->kernel, inst->next_kernel) ?:
	       mk_set_string(&succ->initrd, inst->next_initrd ?: inst->initrd ?: "") ?:
	       mk_set_string(&succ->cmdline,
			     inst->next_cmdline ?: inst->cmdline ?: "");
}

/*
 * The struct the successor boots in: the instance's id and name, no
 * configfs item, sysfs directory or regions of its own, on no list.
 */
static struct mk_instance *mk_successor_alloc(struct mk_instance *inst)
{
	struct mk_instance *succ = kzalloc(sizeof(*succ), GFP_KERNEL);
	int ret;

	if (!succ)
		return NULL;
	mk_instance_run_init(succ);
	config_item_init_type_name(&succ->group.cg_item,
				   mk_instance_name(inst), NULL);
	succ->console = mk_console_alloc();
	if (!succ->console || !zalloc_cpumask_var(&succ->cpus, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&succ->host_online, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&succ->unproven, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&succ->next_cpus, GFP_KERNEL))
		goto fail;
	INIT_LIST_HEAD(&succ->regions);
	succ->id = inst->id;
	succ->origin = inst;
	succ->dark = true;
	succ->state = MK_STARTING;
	mutex_lock(&mk_instances_lock);
	ret = mk_successor_settings(succ, inst);
	mutex_unlock(&mk_instances_lock);
	if (!ret)
		return succ;
fail:
	mk_successor_free(succ);
	return NULL;
}

/*
 * Keep the struct of a kernel whose CPUs were not all proven back: the
 * instance cannot go away while it holds them.
 */
static void mk_upgrade_keep(struct mk_instance *inst, struct mk_instance *old)
{
	if (mk_configfs_hold(inst))
		pr_warn("%s: a quarantined old kernel does not pin the instance\n",
			mk_instance_name(inst));
	mutex_lock(&mk_instances_lock);
	inst->retired = old;
	mutex_unlock(&mk_instances_lock);
	pr_warn("%s: upgrade: a kernel of it stays quarantined on CPUs %*pbl; kill retries\n",
		mk_instance_name(inst), cpumask_pr_args(old->unproven));
}

/* Take a successor down that will not serve; nothing of the instance moved. */
static void mk_successor_abandon(struct mk_instance *inst,
				 struct mk_instance *succ)
{
	if (mk_instance_stop(succ, true) == -EIO) {
		mk_upgrade_keep(inst, succ);
		return;
	}
	mk_successor_free(succ);
}

/* Wait until the successor's init is ready to take over. */
static int mk_successor_wait(struct mk_instance *inst, struct mk_instance *succ)
{
	ktime_t until = ktime_add_ms(succ->started, succ->boot_timeout_ms);
	char why[MK_REASON_LEN];
	bool active;
	u32 word;

	for (;;) {
		mutex_lock(&succ->run_lock);
		active = succ->active;
		word = active ? READ_ONCE(mk_comm(succ)->spawn_state) : 0;
		strscpy(why, succ->reason, sizeof(why));
		mutex_unlock(&succ->run_lock);
		if (!active)
			return mk_upgrade_failed(inst, -EIO,
						 "the successor crashed: %s",
						 why);
		if (word == MULTIKERNEL_SPAWN_STANDBY)
			return 0;
		if (ktime_after(ktime_get(), until))
			return mk_upgrade_failed(inst, -ETIMEDOUT,
						 "the successor was not ready within boot_timeout_ms (%u ms)",
						 succ->boot_timeout_ms);
		if (msleep_interruptible(MK_UPGRADE_POLL_MS))
			return mk_upgrade_failed(inst, -EINTR,
						 "interrupted before the switch");
	}
}

/* Why mk_boot() failed, in words; the log has the details. */
static const char *mk_boot_error(int err)
{
	switch (err) {
	case -ENOEXEC:
		return "the image is not a kernel that can be spawned";
	case -ENOSPC:
		return "no room for a second copy of its memory in the pool, or no free low slice";
	case -EBUSY:
		return "the host's pages could not be moved out of the pool";
	case -ENOENT:
		return "an image file does not exist";
	case -EIO:
		return "a CPU was not proven back";
	default:
		return "see the kernel log";
	}
}

static int mk_successor_boot(struct mk_instance *inst, struct mk_instance *succ)
{
	int ret;

	mutex_lock(&succ->run_lock);
	ret = mk_boot(succ);
	if (ret && ret != -EIO)
		mk_set_state(succ, MK_STOPPED);
	mutex_unlock(&succ->run_lock);
	if (ret)
		return mk_upgrade_failed(inst, ret, "the successor did not start: %s",
					 mk_boot_error(ret));
	return mk_successor_wait(inst, succ);
}

/* The old kernel still runs and serves; caller holds its run_lock. */
static bool mk_old_serves(struct mk_instance *inst)
{
	bool running;

	mutex_lock(&mk_instances_lock);
	running = inst->state == MK_RUNNING;
	mutex_unlock(&mk_instances_lock);
	return running && inst->active;
}

/* Read the old kernel's spawn_state, or return false if it ended. */
static bool mk_old_word(struct mk_instance *inst, u32 *word)
{
	bool serves;

	mutex_lock(&inst->run_lock);
	serves = mk_old_serves(inst);
	if (serves)
		*word = READ_ONCE(mk_comm(inst)->spawn_state);
	mutex_unlock(&inst->run_lock);
	return serves;
}

/*
 * Ask the old kernel to hand over and wait for it, handover_timeout_ms
 * at most: a kernel that does not answer is stopped by force anyway.
 */
static int mk_upgrade_handover(struct mk_instance *inst)
{
	unsigned int ms = READ_ONCE(inst->handover_timeout_ms);
	ktime_t start = ktime_get(), until = ktime_add_ms(start, ms);
	const char *name = mk_instance_name(inst);
	u32 word = 0;

	mutex_lock(&inst->run_lock);
	if (mk_old_serves(inst))
		mk_host_request(inst, MULTIKERNEL_REQ_HANDOVER);
	mutex_unlock(&inst->run_lock);
	while (mk_old_word(inst, &word)) {
		if (word == MULTIKERNEL_SPAWN_HANDED_OVER) {
			pr_info("%s: upgrade: the old kernel handed over in %lld ms\n",
				name, ktime_ms_delta(ktime_get(), start));
			return 0;
		}
		if (ktime_after(ktime_get(), until)) {
			pr_info("%s: upgrade: the old kernel did not hand over within %u ms: stopping it by force\n",
				name, ms);
			return 0;
		}
		usleep_range(500, 1000);
	}
	return mk_upgrade_failed(inst, -ECANCELED,
				 "the instance stopped during the upgrade");
}

static void mk_swap_mask(struct cpumask *a, struct cpumask *b,
			 struct cpumask *tmp)
{
	cpumask_copy(tmp, a);
	cpumask_copy(a, b);
	cpumask_copy(b, tmp);
}

/*
 * Swap the run-time parts: @inst gets the successor's, @old the old
 * kernel's.  Both run_locks held, both watchdogs disabled, the old
 * kernel's channel closed.
 */
static void mk_run_swap(struct mk_instance *inst, struct mk_instance *old,
			struct cpumask *tmp)
{
	unsigned int i;

	mutex_lock(&mk_instances_lock);
	mk_swap_mask(inst->cpus, old->cpus, tmp);
	mutex_unlock(&mk_instances_lock);
	mk_swap_mask(inst->host_online, old->host_online, tmp);
	mk_swap_mask(inst->unproven, old->unproven, tmp);
	for (i = 0; i < MULTIKERNEL_MAX_CPUS; i++)
		swap(inst->slots[i], old->slots[i]);
	swap(inst->nr_boot_slots, old->nr_boot_slots);
	swap(inst->nr_slots, old->nr_slots);
	swap(inst->doorbell_cpu, old->doorbell_cpu);
	swap(inst->mem_phys, old->mem_phys);
	swap(inst->mem_boot, old->mem_boot);
	swap(inst->low_phys, old->low_phys);
	list_splice_init(&inst->extents, &old->extents);
	swap(inst->started, old->started);
	swap(inst->deadline, old->deadline);
	swap(inst->boot_ms, old->boot_ms);
	swap(inst->chan, old->chan);
	swap(inst->last_beat, old->last_beat);
	swap(inst->last_heartbeat, old->last_heartbeat);
	swap(inst->shutdown_acked, old->shutdown_acked);
	swap(inst->dark, old->dark);
	inst->reason[0] = '\0';
	inst->gen++;
	mk_set_state(old, MK_STOPPING);
}

/* The instance's settings become the successor's; upgrade/ is used up. */
static void mk_upgrade_commit(struct mk_instance *inst, struct mk_instance *old)
{
	mutex_lock(&mk_instances_lock);
	swap(inst->kernel, old->kernel);
	swap(inst->initrd, old->initrd);
	swap(inst->cmdline, old->cmdline);
	kfree(inst->next_kernel);
	kfree(inst->next_initrd);
	kfree(inst->next_cmdline);
	inst->next_kernel = NULL;
	inst->next_initrd = NULL;
	inst->next_cmdline = NULL;
	cpumask_clear(inst->next_cpus);
	inst->upgrades++;
	inst->upgraded_at = ktime_get_real_seconds();
	mutex_unlock(&mk_instances_lock);
}

/* Both run_locks held: is everything as the switch needs it? */
static int mk_switch_check(struct mk_instance *inst, struct mk_instance *succ)
{
	char why[MK_REASON_LEN];

	if (!mk_old_serves(inst))
		return mk_upgrade_failed(inst, -ECANCELED,
					 "the instance stopped during the upgrade");
	if (!succ->active || mk_msg_host_event(succ, why, sizeof(why)))
		return mk_upgrade_failed(inst, -EIO, "the successor crashed: %s",
					 succ->active ? why : succ->reason);
	return 0;
}

/*
 * Step 3 up to the activation; both run_locks held, both watchdogs
 * disabled.  Returns whether the old kernel's CPUs all said they parked.
 */
static bool mk_upgrade_swap(struct mk_instance *inst, struct mk_instance *old,
			    struct cpumask *tmp)
{
	bool parked = mk_halt_cpus(inst);

	if (mk_console_drain(inst->console, mk_comm(inst)))
		mk_sysfs_console_changed(inst);
	mk_msg_host_close(inst);
	mk_run_swap(inst, old, tmp);
	mk_console_continue(inst->console, old->console);
	mk_sysfs_console_changed(inst);
	return parked;
}

/* The successor serves from now on; the same locks held. */
static int mk_upgrade_go_live(struct mk_instance *inst, struct mk_instance *old)
{
	if (mk_msg_host_go_live(inst, old)) {
		mk_crash(inst, "upgrade: the successor's channel did not go live");
		return mk_upgrade_failed(inst, -EIO,
					 "the successor's channel did not go live");
	}
	mk_host_request(inst, MULTIKERNEL_REQ_ACTIVATE);
	mk_upgrade_commit(inst, old);
	return 0;
}

static int mk_upgrade_switch(struct mk_instance *inst, struct mk_instance *succ,
			     struct cpumask *tmp)
{
	bool parked, retired = false;
	int ret, gone = 0;

	disable_delayed_work_sync(&inst->watch);
	disable_delayed_work_sync(&succ->watch);
	mutex_lock(&inst->run_lock);
	mutex_lock_nested(&succ->run_lock, SINGLE_DEPTH_NESTING);
	enable_delayed_work(&inst->watch);
	enable_delayed_work(&succ->watch);
	ret = mk_switch_check(inst, succ);
	if (ret) {
		if (inst->active)
			queue_delayed_work(mk_wq, &inst->watch, 0);
		mutex_unlock(&succ->run_lock);
		mutex_unlock(&inst->run_lock);
		mk_successor_abandon(inst, succ);
		return ret;
	}
	parked = mk_upgrade_swap(inst, succ, tmp);
	/* A CPU that did not park may still write a region: proof first. */
	if (!parked) {
		pr_info("%s: upgrade: not every CPU of the old kernel parked: taking them back before the successor opens the regions\n",
			mk_instance_name(inst));
		gone = mk_retire(succ);
		retired = true;
	}
	ret = mk_upgrade_go_live(inst, succ);
	queue_delayed_work(mk_wq, &inst->watch, 0);
	if (!ret)
		pr_info("%s: upgrade: %s runs on CPUs %*pbl\n",
			mk_instance_name(inst), inst->kernel,
			cpumask_pr_args(inst->cpus));
	mutex_unlock(&inst->run_lock);

	/* The old kernel, in @succ now: back to the host, with proof. */
	if (!retired)
		gone = mk_retire(succ);
	mutex_unlock(&succ->run_lock);
	if (gone)
		mk_upgrade_keep(inst, succ);
	else
		mk_successor_free(succ);
	return ret;
}

/**
 * mk_instance_upgrade() - replace the kernel of a running instance
 * @inst: the instance
 *
 * Boots the kernel of upgrade/ on upgrade/cpus, has the old kernel hand
 * over, and switches the instance to the new one (see the top of this
 * file).  Sleeps for as long as the successor's boot and the handover
 * take.
 *
 * Return: 0 once the successor serves the instance; the errors of
 * mk_may_boot(); -EBUSY if the instance does not run, is being upgraded,
 * keeps a quarantined old kernel, or upgrade/cpus has a CPU another
 * instance or the instance itself has; -EINVAL if upgrade/kernel or
 * upgrade/cpus is not set, and the errors of mk_check_cpus() and
 * mk_check_cores() for upgrade/cpus; the errors of mk_instance_start()
 * for the successor's start; -EIO if the successor crashed; -ETIMEDOUT if
 * it was not ready within boot_timeout_ms; -EINTR if a signal came first;
 * -ECANCELED if the instance stopped meanwhile.  On error the old kernel
 * still serves, unless it stopped, and upgrade/reason says why.
 */
int mk_instance_upgrade(struct mk_instance *inst)
{
	struct mk_instance *succ;
	cpumask_var_t tmp;
	int ret;

	ret = mk_may_boot(inst);
	if (ret)
		return mk_upgrade_failed(inst, ret, "not allowed to boot a kernel");
	if (!alloc_cpumask_var(&tmp, GFP_KERNEL))
		return mk_upgrade_failed(inst, -ENOMEM, "out of memory");
	mutex_lock(&inst->resize_lock);
	ret = mk_upgrade_begin(inst, tmp);
	if (ret)
		goto unlock;
	succ = mk_successor_alloc(inst);
	if (!succ) {
		ret = mk_upgrade_failed(inst, -ENOMEM, "out of memory");
		goto end;
	}
	pr_info("%s: upgrade: booting %s on CPUs %*pbl\n",
		mk_instance_name(inst), succ->kernel,
		cpumask_pr_args(succ->cpus));
	ret = mk_successor_boot(inst, succ);
	if (!ret)
		ret = mk_upgrade_handover(inst);
	if (!ret)
		ret = mk_upgrade_switch(inst, succ, tmp);
	else
		mk_successor_abandon(inst, succ);
end:
	mk_upgrade_end(inst);
unlock:
	mutex_unlock(&inst->resize_lock);
	free_cpumask_var(tmp);
	return ret;
}

/**
 * mk_upgrade_kill_retired() - try again to take back a quarantined old
 *	kernel of an instance
 * @inst: the instance
 *
 * Return: 0 if there was none or it is back; -EIO if it stays quarantined.
 */
int mk_upgrade_kill_retired(struct mk_instance *inst)
{
	struct mk_instance *old;
	int ret = 0;

	/* Set only at the end of an upgrade: a kill does not wait for one. */
	mutex_lock(&mk_instances_lock);
	old = inst->retired;
	mutex_unlock(&mk_instances_lock);
	if (!old)
		return 0;
	mutex_lock(&inst->resize_lock);
	old = inst->retired;
	if (old) {
		ret = mk_instance_stop(old, true);
		if (!ret) {
			mutex_lock(&mk_instances_lock);
			inst->retired = NULL;
			mutex_unlock(&mk_instances_lock);
			mk_successor_free(old);
			mk_configfs_release(inst);
		}
	}
	mutex_unlock(&inst->resize_lock);
	return ret;
}

/**
 * mk_upgrade_init() - set the upgrade settings of a new instance
 * @inst: the instance
 */
void mk_upgrade_init(struct mk_instance *inst)
{
	inst->handover_timeout_ms = MK_HANDOVER_TIMEOUT_MS;
}

/**
 * mk_upgrade_free() - free the upgrade settings of an instance
 * @inst: an instance going away
 */
void mk_upgrade_free(struct mk_instance *inst)
{
	free_cpumask_var(inst->next_cpus);
	kfree(inst->next_kernel);
	kfree(inst->next_initrd);
	kfree(inst->next_cmdline);
}

/* upgrade/: the settings of the next upgrade and the result of the last. */

static struct mk_instance *to_upgrading(struct config_item *item)
{
	return container_of(to_config_group(item), struct mk_instance, upgrade);
}

/* Settings change unless an upgrade runs; caller holds mk_instances_lock. */
static int mk_upgrade_idle(struct mk_instance *inst, const char *attr,
			   const char *val)
{
	lockdep_assert_held(&mk_instances_lock);
	if (!inst->upgrading)
		return 0;
	return mk_reject(mk_instance_name(inst), attr, val,
			 "an upgrade is under way", -EBUSY);
}

static int mk_upgrade_set_string(struct mk_instance *inst, char **field,
				 const char *attr, const char *val)
{
	int ret;

	mutex_lock(&mk_instances_lock);
	ret = mk_upgrade_idle(inst, attr, val) ?: mk_set_string(field, val);
	mutex_unlock(&mk_instances_lock);
	return ret;
}

static int mk_upgrade_set_path(struct mk_instance *inst, char **field,
			       const char *attr, const char *val)
{
	int ret = *val ? mk_check_image(mk_instance_name(inst), attr, val) : 0;

	return ret ?: mk_upgrade_set_string(inst, field, attr, val);
}

static int mk_set_next_kernel(struct mk_instance *inst, const char *val)
{
	return mk_upgrade_set_path(inst, &inst->next_kernel, "upgrade/kernel",
				   val);
}

static int mk_set_next_initrd(struct mk_instance *inst, const char *val)
{
	return mk_upgrade_set_path(inst, &inst->next_initrd, "upgrade/initrd",
				   val);
}

static int mk_set_next_cmdline(struct mk_instance *inst, const char *val)
{
	if (mk_check_cmdline(val))
		return mk_reject(mk_instance_name(inst), "upgrade/cmdline", val,
				 "longer than 1984 bytes", -E2BIG);
	return mk_upgrade_set_string(inst, &inst->next_cmdline,
				     "upgrade/cmdline", val);
}

static int mk_set_next_cpus(struct mk_instance *inst, const char *val)
{
	cpumask_var_t req;
	int ret = 0;

	if (!zalloc_cpumask_var(&req, GFP_KERNEL))
		return -ENOMEM;
	if (*val)
		ret = mk_parse_cpulist(val, req);
	if (ret)
		ret = mk_reject(mk_instance_name(inst), "upgrade/cpus", val,
				ret == -ENODEV ? "a CPU in the list does not exist" :
				"not a cpulist", ret);
	mutex_lock(&mk_instances_lock);
	if (!ret)
		ret = mk_upgrade_idle(inst, "upgrade/cpus", val);
	if (!ret)
		cpumask_copy(inst->next_cpus, req);
	mutex_unlock(&mk_instances_lock);
	free_cpumask_var(req);
	return ret;
}

static int mk_set_handover_timeout(struct mk_instance *inst, const char *val)
{
	unsigned int ms;

	if (kstrtouint(val, 10, &ms) || ms < 100 || ms > 3600000)
		return mk_reject(mk_instance_name(inst),
				 "upgrade/handover_timeout_ms", val,
				 "not a number of milliseconds from 100 to 3600000",
				 -EINVAL);
	WRITE_ONCE(inst->handover_timeout_ms, ms);
	return 0;
}

static ssize_t mk_upgrade_show_string(char *page, struct mk_instance *inst,
				      char *const *field)
{
	ssize_t len;

	mutex_lock(&mk_instances_lock);
	len = sysfs_emit(page, "%s\n", *field ?: "");
	mutex_unlock(&mk_instances_lock);
	return len;
}

static ssize_t mk_upgrade_kernel_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_upgrading(item);

	return mk_upgrade_show_string(page, inst, &inst->next_kernel);
}

static ssize_t mk_upgrade_kernel_store(struct config_item *item,
				       const char *page, size_t count)
{
	return mk_store_value(to_upgrading(item), page, count,
			      mk_set_next_kernel);
}

static ssize_t mk_upgrade_initrd_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_upgrading(item);

	return mk_upgrade_show_string(page, inst, &inst->next_initrd);
}

static ssize_t mk_upgrade_initrd_store(struct config_item *item,
				       const char *page, size_t count)
{
	return mk_store_value(to_upgrading(item), page, count,
			      mk_set_next_initrd);
}

static ssize_t mk_upgrade_cmdline_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_upgrading(item);

	return mk_upgrade_show_string(page, inst, &inst->next_cmdline);
}

static ssize_t mk_upgrade_cmdline_store(struct config_item *item,
					const char *page, size_t count)
{
	return mk_store_value(to_upgrading(item), page, count,
			      mk_set_next_cmdline);
}

static ssize_t mk_upgrade_cpus_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_upgrading(item);
	ssize_t len;

	mutex_lock(&mk_instances_lock);
	len = sysfs_emit(page, "%*pbl\n", cpumask_pr_args(inst->next_cpus));
	mutex_unlock(&mk_instances_lock);
	return len;
}

static ssize_t mk_upgrade_cpus_store(struct config_item *item,
				     const char *page, size_t count)
{
	return mk_store_value(to_upgrading(item), page, count,
			      mk_set_next_cpus);
}

static ssize_t mk_upgrade_handover_timeout_ms_show(struct config_item *item,
						   char *page)
{
	return sysfs_emit(page, "%u\n",
			  READ_ONCE(to_upgrading(item)->handover_timeout_ms));
}

static ssize_t mk_upgrade_handover_timeout_ms_store(struct config_item *item,
						    const char *page,
						    size_t count)
{
	return mk_store_value(to_upgrading(item), page, count,
			      mk_set_handover_timeout);
}

static ssize_t mk_upgrade_reason_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_upgrading(item);
	ssize_t len;

	mutex_lock(&mk_instances_lock);
	len = sysfs_emit(page, "%s\n", inst->upgrade_reason);
	mutex_unlock(&mk_instances_lock);
	return len;
}

static ssize_t mk_upgrade_count_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_upgrading(item);
	ssize_t len;

	mutex_lock(&mk_instances_lock);
	len = sysfs_emit(page, "%u\n", inst->upgrades);
	mutex_unlock(&mk_instances_lock);
	return len;
}

static ssize_t mk_upgrade_last_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_upgrading(item);
	ssize_t len;

	mutex_lock(&mk_instances_lock);
	len = sysfs_emit(page, "%llu\n", inst->upgraded_at);
	mutex_unlock(&mk_instances_lock);
	return len;
}

CONFIGFS_ATTR(mk_upgrade_, kernel);
CONFIGFS_ATTR(mk_upgrade_, initrd);
CONFIGFS_ATTR(mk_upgrade_, cmdline);
CONFIGFS_ATTR(mk_upgrade_, cpus);
CONFIGFS_ATTR(mk_upgrade_, handover_timeout_ms);
CONFIGFS_ATTR_RO(mk_upgrade_, reason);
CONFIGFS_ATTR_RO(mk_upgrade_, count);
CONFIGFS_ATTR_RO(mk_upgrade_, last);

static struct configfs_attribute *mk_upgrade_attrs[] = {
	&mk_upgrade_attr_kernel,
	&mk_upgrade_attr_initrd,
	&mk_upgrade_attr_cmdline,
	&mk_upgrade_attr_cpus,
	&mk_upgrade_attr_handover_timeout_ms,
	&mk_upgrade_attr_reason,
	&mk_upgrade_attr_count,
	&mk_upgrade_attr_last,
	NULL,
};

const struct config_item_type mk_upgrade_type = {
	.ct_attrs	= mk_upgrade_attrs,
	.ct_owner	= THIS_MODULE,
};
