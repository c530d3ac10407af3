// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel instance lifecycle: start, stop, kill and the watchdog.
 *
 *   stopped -> starting -> running -> stopping -> stopped
 *   starting/running/stopping -> crashed (panic, boot timeout)
 *
 * Starting lends the CPUs (offlined through the CPU hotplug core) and pool
 * memory, loads the images and starts the first CPU; the spawn brings up
 * its other CPUs itself.  A delayed work item, the watchdog, then drains the
 * spawn's console and follows the state the spawn reports in its
 * communication region, which it treats as untrusted: it only ever moves
 * the instance forward or tears it down.
 *
 * Every way back to stopped or crashed goes through mk_teardown(): INIT to
 * every lent CPU first, so none of them touches the instance's memory any
 * more whatever it was doing, then each is onlined in the host and the
 * memory is cleared and returned to the pool.  The console copy survives.
 *
 * Locking: inst->run_lock serialises all of this; mk_instances_lock is
 * taken inside it only to change the state.  The watchdog takes run_lock
 * too, so the paths that cancel it first mark the instance inactive, drop
 * the lock, and cancel synchronously.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/security.h>
#include <linux/string.h>

#include "internal.h"

/* How often the watchdog looks at a started instance. */
#define MK_WATCH_INTERVAL	msecs_to_jiffies(100)

/* CPUs that run, or may run, another kernel; atomic bit operations only. */
static struct cpumask mk_lent_mask;

/**
 * multikernel_cpus_lent() - tell whether any CPU runs another kernel
 *
 * While one does, the host must not broadcast IPIs.
 *
 * Return: true if a CPU is lent to an instance.
 */
bool multikernel_cpus_lent(void)
{
	return !cpumask_empty(&mk_lent_mask);
}

/*
 * CPU hotplug prepare callback: onlining a lent CPU the ordinary way
 * would take it from its instance behind our back.  The instance's own
 * reclaim clears the CPU from the mask first.
 */
static int mk_cpu_prepare(unsigned int cpu)
{
	if (!cpumask_test_cpu(cpu, &mk_lent_mask))
		return 0;
	pr_info("CPU %u is lent to an instance; stop or kill it first\n", cpu);
	return -EBUSY;
}

/**
 * mk_lifecycle_init() - refuse to online lent CPUs behind their instance
 *
 * Return: 0 or the error of cpuhp_setup_state_nocalls().
 */
int mk_lifecycle_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					    "multikernel:lent", mk_cpu_prepare,
					    NULL);

	return ret < 0 ? ret : 0;
}

static void mk_mark_lent(const struct cpumask *cpus, bool lent)
{
	unsigned int cpu;

	for_each_cpu(cpu, cpus) {
		if (lent)
			cpumask_set_cpu(cpu, &mk_lent_mask);
		else
			cpumask_clear_cpu(cpu, &mk_lent_mask);
	}
}

static void mk_set_state(struct mk_instance *inst, enum mk_state state)
{
	mutex_lock(&mk_instances_lock);
	inst->state = state;
	mutex_unlock(&mk_instances_lock);
}

static struct multikernel_comm *mk_comm(struct mk_instance *inst)
{
	return __va(inst->mem_phys);
}

static void mk_init_comm(struct mk_instance *inst)
{
	memset(mk_comm(inst), 0, MULTIKERNEL_COMM_MSG_END);
	mk_comm(inst)->magic = MULTIKERNEL_COMM_MAGIC;
}

/* Give the host back every CPU of @inst that is offline now. */
static void mk_reclaim_cpus(struct mk_instance *inst)
{
	unsigned int cpu;
	int ret;

	for_each_cpu(cpu, inst->cpus)
		if (!cpu_online(cpu))
			multikernel_arch_stop_cpu(cpu);
	/* Parked by INIT, they ignore IPIs and may be onlined again. */
	mk_mark_lent(inst->cpus, false);
	for_each_cpu(cpu, inst->cpus) {
		if (cpu_online(cpu))
			continue;
		ret = add_cpu(cpu);
		if (ret)
			pr_warn("%s: CPU %u could not be onlined again: %d\n",
				mk_instance_name(inst), cpu, ret);
	}
}

static void mk_release_memory(struct mk_instance *inst)
{
	mk_msg_host_close(inst);
	multikernel_arch_free_pgt(inst->pgt);
	inst->pgt = NULL;
	multikernel_arch_free_low(inst->low_phys);
	inst->low_phys = 0;
	if (inst->mem_phys) {
		/* The next instance must not see this one's data. */
		memset(__va(inst->mem_phys), 0, inst->memory);
		mk_pool_free_range(inst->mem_phys, inst->memory);
		inst->mem_phys = 0;
	}
}

/* Caller holds run_lock and has stopped the watchdog or runs in it. */
static void mk_teardown(struct mk_instance *inst, enum mk_state final)
{
	inst->active = false;
	mk_reclaim_cpus(inst);
	if (inst->mem_phys && mk_console_drain(inst->console, mk_comm(inst)))
		mk_sysfs_console_changed(inst);
	mk_release_memory(inst);
	mk_set_state(inst, final);
	mk_configfs_unpin(inst);
}

static void mk_crash(struct mk_instance *inst, const char *why)
{
	strscpy(inst->reason, why, sizeof(inst->reason));
	pr_info("%s: crashed: %s\n", mk_instance_name(inst), inst->reason);
	mk_teardown(inst, MK_CRASHED);
}

/* Take the CPUs of @inst from the host; on failure give back what we took. */
static int mk_take_cpus(struct mk_instance *inst)
{
	unsigned int cpu;
	int ret;

	/* Marked first, so that taking each offline stops broadcasts. */
	mk_mark_lent(inst->cpus, true);
	for_each_cpu(cpu, inst->cpus) {
		if (!cpu_online(cpu))
			continue;
		ret = remove_cpu(cpu);
		if (ret) {
			pr_info("%s: CPU %u cannot be taken offline: %d\n",
				mk_instance_name(inst), cpu, ret);
			mk_reclaim_cpus(inst);
			return ret;
		}
	}
	return 0;
}

static int mk_load(struct mk_instance *inst, u64 *entry, u64 *bp)
{
	struct multikernel_load ld = {
		.kernel		= inst->kernel,
		.initrd		= inst->initrd,
		.cmdline	= inst->cmdline,
		.cpus		= inst->cpus,
		.id		= inst->id,
		.name		= mk_instance_name(inst),
		.comm_phys	= inst->mem_phys,
		.comm_size	= MK_COMM_SIZE,
		.ram_phys	= inst->mem_phys + MK_COMM_SIZE,
		.ram_size	= inst->memory - MK_COMM_SIZE,
		.low_phys	= inst->low_phys,
		.low_size	= SZ_64K,
	};

	return multikernel_arch_load(&ld, entry, bp);
}

/* Memory, images, page table; run_lock held, nothing lent yet. */
static int mk_prepare(struct mk_instance *inst, u64 *entry, u64 *bp)
{
	const char *name = mk_instance_name(inst);
	int ret;

	inst->mem_phys = mk_pool_alloc(inst->memory);
	if (!inst->mem_phys) {
		pr_info("%s: no free %llu-byte extent in the pool\n", name,
			inst->memory);
		return -ENOSPC;
	}
	inst->low_phys = multikernel_arch_alloc_low();
	if (!inst->low_phys) {
		pr_info("%s: no conventional memory left for another instance\n",
			name);
		return -ENOSPC;
	}
	mk_init_comm(inst);
	ret = mk_msg_host_open(inst);
	if (ret)
		return ret;
	ret = mk_load(inst, entry, bp);
	if (ret)
		return ret;
	inst->pgt = multikernel_arch_build_pgt(inst->mem_phys + MK_COMM_SIZE,
					       inst->mem_phys + inst->memory);
	return inst->pgt ? 0 : -ENOMEM;
}

/* Checks that need no resources; caller holds run_lock. */
static int mk_check_startable(struct mk_instance *inst)
{
	const char *name = mk_instance_name(inst);
	int ret = 0;

	mutex_lock(&mk_instances_lock);
	if (inst->state != MK_STOPPED && inst->state != MK_CRASHED)
		ret = -EBUSY;
	else if (cpumask_empty(inst->cpus) || !inst->memory || !inst->kernel)
		ret = -EINVAL;
	else
		inst->state = MK_STARTING;
	mutex_unlock(&mk_instances_lock);

	if (ret == -EBUSY)
		pr_info("%s: start rejected: the instance is not stopped\n", name);
	else if (ret)
		pr_info("%s: start rejected: cpus, memory and kernel must be set\n",
			name);
	return ret;
}

/**
 * mk_instance_start() - boot the instance's kernel on its CPUs and memory
 * @inst: a stopped or crashed instance
 *
 * Returns once the first CPU runs the new kernel; the watchdog moves the
 * instance to running when the spawn reaches init.
 *
 * Return: 0; -EPERM without CAP_SYS_BOOT or under lockdown; -EBUSY if not
 * stopped; -EINVAL if not fully configured; -ENOSPC if the pool or the
 * conventional memory has no room; the loader's errors (-ENOEXEC for an
 * image without spawn support, a read error such as -ENOENT); the CPU
 * hotplug core's errors.  On error nothing stays lent.
 */
int mk_instance_start(struct mk_instance *inst)
{
	const char *name = mk_instance_name(inst);
	u64 entry, bp;
	int ret;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	ret = security_locked_down(LOCKDOWN_KEXEC);
	if (ret)
		return ret;

	mutex_lock(&inst->run_lock);
	ret = mk_check_startable(inst);
	if (ret)
		goto unlock;
	ret = mk_configfs_pin(inst);
	if (ret)
		goto stopped;

	inst->started = ktime_get();
	inst->boot_ms = 0;
	inst->reason[0] = '\0';
	mk_console_reset(inst->console);
	mk_sysfs_console_changed(inst);

	ret = mk_prepare(inst, &entry, &bp);
	if (!ret)
		ret = mk_take_cpus(inst);
	if (ret)
		goto release;
	ret = multikernel_arch_start_cpu(cpumask_first(inst->cpus), inst->pgt,
					 entry, bp);
	if (ret) {
		pr_info("%s: CPU %u did not start: %d\n", name,
			cpumask_first(inst->cpus), ret);
		mk_reclaim_cpus(inst);
		goto release;
	}

	inst->active = true;
	inst->deadline = ktime_add_ms(inst->started, inst->boot_timeout_ms);
	schedule_delayed_work(&inst->watch, MK_WATCH_INTERVAL);
	pr_info("%s: started on CPUs %*pbl\n", name, cpumask_pr_args(inst->cpus));
	mutex_unlock(&inst->run_lock);
	return 0;

release:
	mk_release_memory(inst);
	mk_configfs_unpin(inst);
stopped:
	mk_set_state(inst, MK_STOPPED);
unlock:
	mutex_unlock(&inst->run_lock);
	return ret;
}

static void mk_cancel_watch(struct mk_instance *inst)
{
	bool was_active;

	mutex_lock(&inst->run_lock);
	was_active = inst->active;
	inst->active = false;
	mutex_unlock(&inst->run_lock);
	if (was_active)
		cancel_delayed_work_sync(&inst->watch);
	mutex_lock(&inst->run_lock);
	inst->active = was_active;
}

/**
 * mk_instance_stop() - stop an instance cleanly or at once
 * @inst: the instance
 * @force: take the CPUs back now instead of asking the spawn to shut down
 *
 * A clean stop asks the spawn to power off and returns; the watchdog forces
 * it after stop_timeout_ms.  Stopping a stopped instance does nothing; a
 * crashed one becomes stopped.
 *
 * Return: 0.
 */
int mk_instance_stop(struct mk_instance *inst, bool force)
{
	enum mk_state state;

	mk_cancel_watch(inst);	/* returns with run_lock held */
	mutex_lock(&mk_instances_lock);
	state = inst->state;
	mutex_unlock(&mk_instances_lock);

	if (!inst->active) {
		if (state == MK_CRASHED)
			mk_set_state(inst, MK_STOPPED);
	} else if (force) {
		mk_teardown(inst, MK_STOPPED);
	} else {
		if (state != MK_STOPPING) {
			/* The request word serves a spawn that stopped reading. */
			if (mk_msg_host_stop(inst))
				WRITE_ONCE(mk_comm(inst)->host_request,
					   MULTIKERNEL_REQ_POWEROFF);
			inst->deadline = ktime_add_ms(ktime_get(),
						      inst->stop_timeout_ms);
			mk_set_state(inst, MK_STOPPING);
		}
		schedule_delayed_work(&inst->watch, 0);
	}
	mutex_unlock(&inst->run_lock);
	return 0;
}

/* The spawn's notices over the channel; true if the instance ended. */
static bool mk_follow_messages(struct mk_instance *inst, enum mk_state state)
{
	char why[MK_REASON_LEN];
	u64 silent_ms;

	switch (mk_msg_host_event(inst, why, sizeof(why))) {
	case MK_EV_PANIC:
		mk_crash(inst, why);
		return true;
	case MK_EV_BROKEN:
		pr_warn("%s: message protocol error: %s\n",
			mk_instance_name(inst), why);
		mk_crash(inst, why);
		return true;
	case MK_EV_NONE:
		break;
	}
	if (state == MK_STARTING && READ_ONCE(inst->spawn_ready)) {
		inst->boot_ms = ktime_ms_delta(ktime_get(), inst->started);
		mk_set_state(inst, MK_RUNNING);
		pr_info("%s: running, booted in %llu ms\n",
			mk_instance_name(inst), inst->boot_ms);
		return false;
	}
	silent_ms = div_u64(ktime_get_ns() - atomic64_read(&inst->last_heartbeat),
			    NSEC_PER_MSEC);
	if (state == MK_RUNNING && silent_ms > inst->heartbeat_timeout_ms) {
		snprintf(why, sizeof(why), "no heartbeat for %llu ms", silent_ms);
		mk_crash(inst, why);
		return true;
	}
	return false;
}

/* Act on what the spawn reports; run_lock held, instance active. */
static void mk_follow_spawn(struct mk_instance *inst, enum mk_state state)
{
	struct multikernel_comm *comm = mk_comm(inst);
	u32 spawn = READ_ONCE(comm->spawn_state);
	char msg[MK_REASON_LEN];

	if (mk_follow_messages(inst, state))
		return;
	switch (spawn) {
	case MULTIKERNEL_SPAWN_PANIC:
		/* Untrusted: copy, bound and terminate before use. */
		memcpy(msg, comm->panic_msg, sizeof(msg));
		msg[sizeof(msg) - 1] = '\0';
		mk_crash(inst, msg[0] ? msg : "panic");
		return;
	case MULTIKERNEL_SPAWN_HALTED:
	case MULTIKERNEL_SPAWN_REBOOT:
		mk_teardown(inst, MK_STOPPED);
		return;
	default:
		break;
	}
	if (ktime_after(ktime_get(), inst->deadline)) {
		if (state == MK_STOPPING)
			mk_teardown(inst, MK_STOPPED);
		else if (state == MK_STARTING)
			mk_crash(inst, "did not reach init before boot_timeout_ms");
	}
}

static void mk_watch(struct work_struct *work)
{
	struct mk_instance *inst = container_of(to_delayed_work(work),
						struct mk_instance, watch);
	enum mk_state state;

	mutex_lock(&inst->run_lock);
	if (!inst->active)
		goto out;
	if (mk_console_drain(inst->console, mk_comm(inst)))
		mk_sysfs_console_changed(inst);
	mutex_lock(&mk_instances_lock);
	state = inst->state;
	mutex_unlock(&mk_instances_lock);
	mk_follow_spawn(inst, state);
	if (inst->active)
		schedule_delayed_work(&inst->watch, MK_WATCH_INTERVAL);
out:
	mutex_unlock(&inst->run_lock);
}

/**
 * mk_instance_run_init() - initialise the run-time part of a new instance
 * @inst: an instance being created
 */
void mk_instance_run_init(struct mk_instance *inst)
{
	mutex_init(&inst->run_lock);
	INIT_DELAYED_WORK(&inst->watch, mk_watch);
	inst->boot_timeout_ms = MK_BOOT_TIMEOUT_MS;
	inst->stop_timeout_ms = MK_STOP_TIMEOUT_MS;
	inst->heartbeat_timeout_ms = MK_HEARTBEAT_TIMEOUT_MS;
	spin_lock_init(&inst->msg_lock);
}
