// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel instance lifecycle: start, stop, kill and the watchdog.
 *
 *   stopped -> starting -> running -> stopping -> stopped
 *   starting/running/stopping -> crashed (panic, boot timeout, lost
 *   heartbeat, protocol error)
 *   any of them -> quarantined (a CPU could not be proven back)
 *
 * Starting lends the CPUs (offlined through the CPU hotplug core) and pool
 * memory, loads the images and starts the first CPU; the spawn brings up
 * its other CPUs itself.  A delayed work item, the watchdog, then drains the
 * spawn's console and follows the state the spawn reports in its
 * communication region, which it treats as untrusted: it only ever moves
 * the instance forward or tears it down.  The whole lifecycle travels in
 * that region's words, never behind data in the message rings, which
 * another instance's traffic may fill: spawn_state (running, panicked,
 * stopped, stop request taken up), the heartbeat counter the spawn's timer
 * increments, and host_request, where a clean stop is asked for.
 *
 * Every way back to stopped or crashed goes through mk_teardown(), which
 * reuses nothing of the instance before it has proven that every lent CPU
 * executes host code again:
 *
 *  1. the stop word goes into the communication region and every CPU the
 *     spawn says handles it gets an NMI, on which a cooperating spawn
 *     leaves VMX/SVM and parks (INIT is blocked in VMX root operation and
 *     held pending while GIF=0);
 *  2. after a bounded wait every CPU gets INIT, all of them before any is
 *     onlined;
 *  3. each is brought up through the host's own CPU hotplug path, which
 *     succeeds only once the CPU ran the host's trampoline and startup
 *     code: that is the proof.  CPUs the host had offline before the
 *     start go offline again.
 *
 * Only when every CPU is proven back is the memory cleared, in chunks that
 * reschedule, and returned to the pool.  A CPU that cannot be proven back
 * puts the instance in quarantine: that CPU stays lent and offline, the
 * memory, the low slice and the page table stay allocated and uncleared,
 * the instance stays pinned in configfs, and "kill" tries again.  The
 * console copy survives every path.
 *
 * Locking: inst->run_lock serialises all of this and nests outside the CPU
 * hotplug lock (remove_cpu(), add_cpu()); mk_instances_lock is taken
 * inside it only to read or change the state.  The watchdog runs on
 * mk_wq and takes run_lock too, so stop disables it (which waits for a
 * pass in progress) before taking the lock, enables it again under the
 * lock, and queues it when the instance still needs watching.
 * mk_lent_mask is changed only under run_lock, with atomic bit operations,
 * and read locklessly by the hotplug callback and the APIC code.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/bits.h>
#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kexec.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <trace/events/multikernel.h>

#include "internal.h"
#include "msg.h"

/* How often the watchdog looks at a started instance. */
#define MK_WATCH_INTERVAL	msecs_to_jiffies(100)
/* How long a spawn's CPUs have to park on the stop NMI before INIT. */
#define MK_PARK_WAIT_MS		100

/* The watchdog and teardown work; never a system workqueue. */
struct workqueue_struct *mk_wq;

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

/**
 * multikernel_cpu_lent() - tell whether a CPU runs, or may run, another kernel
 * @cpu: a CPU number
 *
 * Return: true if @cpu is lent to an instance.
 */
bool multikernel_cpu_lent(unsigned int cpu)
{
	return cpumask_test_cpu(cpu, &mk_lent_mask);
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
	int ret;

	mk_wq = alloc_workqueue("multikernel", WQ_UNBOUND, 0);
	if (!mk_wq)
		return -ENOMEM;
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					"multikernel:lent", mk_cpu_prepare,
					NULL);
	return ret < 0 ? ret : 0;
}

/*
 * Lend or unlend @cpu, then let the architecture re-evaluate what depends
 * on it (IPI broadcast), however the CPU got offline.
 */
static void mk_mark_lent(unsigned int cpu, bool lent)
{
	if (lent)
		cpumask_set_cpu(cpu, &mk_lent_mask);
	else
		cpumask_clear_cpu(cpu, &mk_lent_mask);
	multikernel_arch_lent_changed();
}

/*
 * Trace a change of @inst's state from @old; mk_instances_lock held.  The
 * reason goes with a crash or a quarantine only.  The struct of an
 * upgrade's successor, and of the old kernel it replaced, is not the
 * instance the admin sees: its states are not traced.
 */
static void mk_trace_state(struct mk_instance *inst, enum mk_state old)
{
	enum mk_state now = inst->state;
	bool failed = now == MK_CRASHED || now == MK_QUARANTINED;

	if (inst->origin)
		return;
	mk_held_state(inst->id, now);
	if (old == now)
		return;
	trace_multikernel_state(mk_instance_name(inst), inst->id,
				mk_state_name(old), mk_state_name(now),
				failed ? inst->reason : "");
}

/**
 * mk_trace_memory() - trace pool memory lent to an instance, or back
 * @inst: the instance
 * @phys: the memory's first byte
 * @size: its length
 * @lent: true if lent, false if back in the pool
 */
void mk_trace_memory(struct mk_instance *inst, u64 phys, u64 size, bool lent)
{
	trace_multikernel_memory(mk_instance_name(inst), inst->id, phys, size,
				 lent);
	mk_held_memory(inst->id, size, lent);
}

/**
 * mk_set_state() - change the state of an instance
 * @inst: the instance
 * @state: its new state
 */
void mk_set_state(struct mk_instance *inst, enum mk_state state)
{
	enum mk_state old;

	mutex_lock(&mk_instances_lock);
	old = inst->state;
	inst->state = state;
	mk_trace_state(inst, old);
	mutex_unlock(&mk_instances_lock);
}

/* The header's layout is the boot contract's: it must not move. */
static_assert(offsetof(struct multikernel_comm, host_request) == 8);
static_assert(offsetof(struct multikernel_comm, host_stop) == 12);
static_assert(offsetof(struct multikernel_comm, spawn_state) == 64);
static_assert(offsetof(struct multikernel_comm, heartbeat) == 72);
static_assert(offsetof(struct multikernel_comm, spawn_nmi_cpus) == 208);
static_assert(sizeof(struct multikernel_comm) == 216);

/**
 * mk_comm() - the communication region of a started instance
 * @inst: the instance; caller holds run_lock and it is active
 *
 * Return: the header of the region.
 */
struct multikernel_comm *mk_comm(struct mk_instance *inst)
{
	return __va(inst->mem_phys);
}

/**
 * mk_host_request() - ask something of a started spawn, and say so now
 * @inst: the instance; caller holds run_lock and it is active
 * @req: enum multikernel_host_request
 *
 * The word is what counts; the prompt only spares the spawn a heartbeat
 * period, so it is not retried.
 */
void mk_host_request(struct mk_instance *inst, u32 req)
{
	WRITE_ONCE(mk_comm(inst)->host_request, req);
	if (inst->chan)
		mk_msg_notify(inst->chan, MULTIKERNEL_MSG_HOST_REQUEST,
			      inst->id, NULL, 0);
}

static void mk_init_comm(struct mk_instance *inst)
{
	memset(mk_comm(inst), 0, MULTIKERNEL_COMM_MSG_END);
	mk_comm(inst)->magic = MULTIKERNEL_COMM_MAGIC;
}

/*
 * Ask the CPUs of a spawn that say they handle the stop NMI to park, and
 * wait a bounded time for them.  Neither what the spawn says nor the count
 * it keeps is trusted: they only decide which CPUs get the NMI and end the
 * wait early; INIT and the host's bring-up follow for every CPU
 * regardless, and only CPUs the instance holds get an NMI.  Bit N of
 * spawn_nmi_cpus is slot N of the boot record, inst->slots[N].  Returns
 * whether every CPU the instance holds says it parked.
 */
static bool mk_park_cpus(struct mk_instance *inst)
{
	struct multikernel_comm *comm = mk_comm(inst);
	ktime_t until = ktime_add_ms(ktime_get(), MK_PARK_WAIT_MS);
	unsigned int cpu, nr, sent = 0;
	u64 ready;
	u32 base;

	ready = READ_ONCE(comm->spawn_nmi_cpus);
	if (!ready)
		return false;
	base = READ_ONCE(comm->spawn_parked);
	WRITE_ONCE(comm->host_stop, MULTIKERNEL_STOP_PARK);
	smp_mb();	/* the stop word before the NMIs */
	for (nr = 0; nr < inst->nr_slots; nr++) {
		cpu = inst->slots[nr];
		if ((ready & BIT_ULL(nr)) &&
		    cpumask_test_cpu(cpu, inst->unproven)) {
			multikernel_arch_park_cpu(cpu);
			sent++;
		}
	}
	while (READ_ONCE(comm->spawn_parked) - base < sent &&
	       ktime_before(ktime_get(), until))
		usleep_range(500, 1000);
	return sent == cpumask_weight(inst->unproven) &&
	       READ_ONCE(comm->spawn_parked) - base >= sent;
}

/**
 * mk_prove_cpu() - take a lent CPU back, with proof
 * @inst: the instance holding @cpu
 * @cpu: a CPU of @inst that has been sent INIT
 *
 * Brings @cpu up through the host's own hotplug path, which succeeds only
 * once the CPU ran the host's startup code: that proves it left the spawn.
 * Caller holds run_lock.
 *
 * Return: 0, with @cpu no longer lent; the hotplug core's error, with
 * @cpu still lent and not proven back.
 */
int mk_prove_cpu(struct mk_instance *inst, unsigned int cpu)
{
	int ret;

	if (mk_test_fail_reclaim(cpu))
		return -EIO;
	mk_mark_lent(cpu, false);
	ret = add_cpu(cpu);
	if (ret) {
		mk_mark_lent(cpu, true);
		return ret;
	}
	cpumask_clear_cpu(cpu, inst->unproven);
	trace_multikernel_cpu(mk_instance_name(inst), inst->id, cpu, false);
	mk_held_cpu(inst->id, cpu, false);
	/* The admin had it offline before the start: so it stays. */
	if (!cpumask_test_cpu(cpu, inst->host_online) && remove_cpu(cpu))
		pr_info("%s: CPU %u is back but could not be taken offline again\n",
			mk_instance_name(inst), cpu);
	return 0;
}

/*
 * Take back every lent CPU of @inst not proven back yet; @started says the
 * instance's memory may hold a spawn that can park.  Returns 0 when all
 * are back, else the first error with *@bad set to its CPU.
 */
static int mk_reclaim_cpus(struct mk_instance *inst, bool started,
			   unsigned int *bad)
{
	unsigned int cpu;
	int ret, err = 0;

	if (started && inst->mem_phys)
		mk_park_cpus(inst);
	/* Every CPU stops before any is onlined. */
	for_each_cpu(cpu, inst->unproven)
		if (!cpu_online(cpu))
			multikernel_arch_stop_cpu(cpu);
	for_each_cpu(cpu, inst->unproven) {
		ret = mk_prove_cpu(inst, cpu);
		if (ret && !err) {
			err = ret;
			*bad = cpu;
		}
	}
	return err;
}

/* Memory added while it ran; its CPUs are back, so nothing uses it. */
static void mk_release_extents(struct mk_instance *inst)
{
	struct mk_extent *e, *tmp;

	list_for_each_entry_safe(e, tmp, &inst->extents, node) {
		list_del(&e->node);
		mk_pool_free_range(e->phys, e->size);
		mk_trace_memory(inst, e->phys, e->size, false);
		kfree(e);
	}
}

static void mk_release_memory(struct mk_instance *inst)
{
	mk_msg_host_close(inst);
	multikernel_arch_free_low(inst->low_phys);
	inst->low_phys = 0;
	if (inst->mem_phys) {
		/* Cleared there: the next instance must not see our data. */
		mk_pool_free_range(inst->mem_phys, inst->mem_boot);
		mk_trace_memory(inst, inst->mem_phys, inst->mem_boot, false);
		inst->mem_phys = 0;
	}
	mk_release_extents(inst);
	/*
	 * What it gave back while it ran: it cannot write there any more.
	 * A successor never published its channel, so it gave nothing: the
	 * marks of its id are its predecessor's.
	 */
	if (!inst->dark)
		mk_pool_forget_giver(inst->id);
}

/* Keep everything a CPU that is not proven back might still touch. */
static void mk_quarantine(struct mk_instance *inst, unsigned int cpu, int err)
{
	char why[MK_REASON_LEN];

	mk_msg_host_close(inst);
	snprintf(why, sizeof(why), "CPU %u not proven back in the host (%d)%s%.48s",
		 cpu, err, inst->reason[0] ? " after: " : "", inst->reason);
	strscpy(inst->reason, why, sizeof(inst->reason));
	mk_set_state(inst, MK_QUARANTINED);
	pr_warn("%s: quarantined: %s; CPUs %*pbl stay lent, memory kept; kill retries\n",
		mk_instance_name(inst), inst->reason,
		cpumask_pr_args(inst->unproven));
}

/*
 * Caller holds run_lock and has stopped the watchdog or runs in it;
 * @park: the CPUs may still run the spawn (not stopped by mk_halt_cpus()).
 * Returns 0, or -EIO when the instance ended in quarantine.
 */
static int __mk_teardown(struct mk_instance *inst, enum mk_state final,
			 bool park)
{
	unsigned int bad = 0;
	int ret;

	inst->active = false;
	if (inst->mem_phys && mk_console_drain(inst->console, mk_comm(inst)))
		mk_sysfs_console_changed(inst);
	ret = mk_reclaim_cpus(inst, park, &bad);
	if (ret) {
		mk_quarantine(inst, bad, ret);
		return -EIO;
	}
	mk_release_memory(inst);
	mk_set_state(inst, final);
	/* A successor is never pinned: it has no configfs item of its own. */
	if (!inst->origin)
		mk_configfs_unpin(inst);
	return 0;
}

static int mk_teardown(struct mk_instance *inst, enum mk_state final)
{
	return __mk_teardown(inst, final, true);
}

/**
 * mk_halt_cpus() - stop a spawn's CPUs without taking them back yet
 * @inst: an active instance; caller holds run_lock
 *
 * Parks the CPUs that take the stop NMI, then sends INIT to all of them.
 * A parked CPU has left VMX/SVM and halts with interrupts off, so INIT
 * stops it for good; one that did not park may be in VMX root operation,
 * where INIT waits, and only mk_retire()'s proof says it stopped.
 *
 * Return: true if every CPU said it parked: the spawn runs no more
 * instruction, as far as a spawn can be believed.
 */
bool mk_halt_cpus(struct mk_instance *inst)
{
	unsigned int cpu;
	bool parked;

	parked = mk_park_cpus(inst);
	for_each_cpu(cpu, inst->unproven)
		if (!cpu_online(cpu))
			multikernel_arch_stop_cpu(cpu);
	return parked;
}

/**
 * mk_retire() - take back the CPUs and memory of a halted spawn
 * @inst: an instance whose CPUs mk_halt_cpus() stopped; caller holds
 *	run_lock and has stopped the watchdog
 *
 * Return: 0, with the instance stopped; -EIO when it ended in quarantine.
 */
int mk_retire(struct mk_instance *inst)
{
	return __mk_teardown(inst, MK_STOPPED, false);
}

/**
 * mk_crash() - end a started instance that failed
 * @inst: an active instance
 * @why: the reason, kept for the crash report
 *
 * Caller holds run_lock.  Takes everything back (mk_teardown()), then
 * restarts it if a policy asks for that (restart.c).
 */
void mk_crash(struct mk_instance *inst, const char *why)
{
	strscpy(inst->reason, why, sizeof(inst->reason));
	pr_info("%s: crashed: %s\n", mk_instance_name(inst), inst->reason);
	if (!mk_teardown(inst, MK_CRASHED))
		mk_restart_after_crash(inst);
}

/**
 * mk_take_cpu() - lend one CPU to an instance
 * @inst: the instance
 * @cpu: a CPU no instance holds
 *
 * Marks @cpu lent and held by @inst first, so that taking it offline stops
 * IPI broadcasts and any teardown from then on takes it back, then takes
 * it offline through the hotplug core; remembers whether it was online.
 * Caller holds run_lock.
 *
 * Return: 0; the hotplug core's error, with nothing changed.
 */
int mk_take_cpu(struct mk_instance *inst, unsigned int cpu)
{
	bool online = cpu_online(cpu);
	int ret;

	/* Never two owners: a CPU an old kernel kept in quarantine, say. */
	if (cpumask_test_and_set_cpu(cpu, &mk_lent_mask)) {
		pr_info("%s: CPU %u is lent already\n", mk_instance_name(inst),
			cpu);
		return -EBUSY;
	}
	mk_mark_lent(cpu, true);
	ret = online ? remove_cpu(cpu) : 0;
	if (ret) {
		mk_mark_lent(cpu, false);
		pr_info("%s: CPU %u cannot be taken offline: %d\n",
			mk_instance_name(inst), cpu, ret);
		return ret;
	}
	cpumask_set_cpu(cpu, inst->unproven);
	if (online)
		cpumask_set_cpu(cpu, inst->host_online);
	else
		cpumask_clear_cpu(cpu, inst->host_online);
	trace_multikernel_cpu(mk_instance_name(inst), inst->id, cpu, true);
	mk_held_cpu(inst->id, cpu, true);
	return 0;
}

/*
 * Take the CPUs of @inst from the host; on failure give back what was
 * taken.
 */
static int mk_take_cpus(struct mk_instance *inst)
{
	unsigned int cpu, bad;
	int ret;

	cpumask_clear(inst->unproven);
	for_each_cpu(cpu, inst->cpus) {
		ret = mk_take_cpu(inst, cpu);
		/* Nothing ran on them yet: the host's bring-up suffices. */
		if (ret)
			return mk_reclaim_cpus(inst, false, &bad) ? -EIO : ret;
	}
	return 0;
}

/*
 * The spawn's CPU slots: the instance's CPUs, the first of which starts
 * it, then every other CPU the host may lend, which the spawn reserves so
 * that it can be given them while it runs (resize.c).  Never CPU 0.
 */
static void mk_plan_slots(struct mk_instance *inst)
{
	unsigned int cpu, n = 0;

	for_each_cpu(cpu, inst->cpus)
		if (n < MULTIKERNEL_MAX_CPUS)
			inst->slots[n++] = cpu;
	inst->nr_boot_slots = n;
	for_each_present_cpu(cpu) {
		if (n == MULTIKERNEL_MAX_CPUS)
			break;
		if (cpu && !cpumask_test_cpu(cpu, inst->cpus))
			inst->slots[n++] = cpu;
	}
	inst->nr_slots = n;
}

static int mk_load(struct mk_instance *inst, u64 *entry, u64 *bp)
{
	struct multikernel_preserved regions[MULTIKERNEL_MAX_PRESERVED];
	struct multikernel_load ld = {
		.kernel		= inst->kernel,
		.initrd		= inst->initrd,
		.cmdline	= inst->cmdline,
		.slots		= inst->slots,
		.nr_cpus	= inst->nr_boot_slots,
		.nr_slots	= inst->nr_slots,
		.mem_block_size	= MK_RESIZE_GRANULE,
		.id		= inst->id,
		.name		= mk_instance_name(inst),
		.comm_phys	= inst->mem_phys,
		.comm_size	= MK_COMM_SIZE,
		.ram_phys	= inst->mem_phys + MK_COMM_SIZE,
		.ram_size	= inst->memory - MK_COMM_SIZE,
		.low_phys	= inst->low_phys,
		.preserved	= regions,
	};

	/* A successor boots with its instance's regions, closed. */
	ld.nr_preserved = mk_preserved_list(inst->origin ?: inst, regions);
	ld.successor = !!inst->origin;
	return multikernel_arch_load(&ld, entry, bp);
}

/* Memory, images, page table; run_lock held, nothing lent yet. */
static int mk_prepare(struct mk_instance *inst, u64 *entry, u64 *bp)
{
	const char *name = mk_instance_name(inst);
	int ret;

	inst->mem_boot = inst->memory;
	ret = mk_pool_alloc(inst->mem_boot, &inst->mem_phys);
	if (ret == -EBUSY) {
		pr_info("%s: the host's pages could not be moved out of any free %llu-byte extent of the pool now\n",
			name, inst->memory);
		return ret;
	}
	if (ret) {
		pr_info("%s: no free %llu-byte extent in the pool\n", name,
			inst->memory);
		return ret;
	}
	mk_trace_memory(inst, inst->mem_phys, inst->mem_boot, true);
	ret = inst->origin ? 0 : mk_preserved_take(inst);
	if (ret)
		return ret;
	inst->low_phys = multikernel_arch_alloc_low();
	if (!inst->low_phys) {
		pr_info("%s: %u instances run already, the most the conventional memory allows (max_running)\n",
			name, multikernel_arch_max_running());
		return -ENOSPC;
	}
	mk_init_comm(inst);
	mk_plan_slots(inst);
	ret = mk_msg_host_open(inst);
	if (ret)
		return ret;
	return mk_load(inst, entry, bp);
}

/* Start the first CPU; the spawn starts the others itself. */
static int mk_start_first_cpu(struct mk_instance *inst, u64 entry, u64 bp)
{
	struct multikernel_wake w = {
		.low_phys	= inst->low_phys,
		.pgt_phys	= inst->mem_phys + MULTIKERNEL_COMM_BOOT_PGT,
		.pgt_size	= MULTIKERNEL_COMM_BOOT_PGT_END -
				  MULTIKERNEL_COMM_BOOT_PGT,
		.ram_phys	= inst->mem_phys + MK_COMM_SIZE,
		.ram_size	= inst->memory - MK_COMM_SIZE,
		.entry		= entry,
		.boot_params	= bp,
	};

	return multikernel_arch_start_cpu(cpumask_first(inst->cpus), &w);
}

/*
 * Checks that need no resources; caller holds run_lock.  The SMT rule is
 * checked again: smt_split may have changed since cpus was written.  On
 * success the instance is starting, and *@was says what it was.
 */
static int mk_check_startable(struct mk_instance *inst, enum mk_state *was)
{
	const char *why = NULL;
	char list[64];
	int ret = 0;

	mutex_lock(&mk_instances_lock);
	if (inst->state != MK_STOPPED && inst->state != MK_CRASHED) {
		why = "the instance is not stopped";
		ret = -EBUSY;
	} else if (inst->upgrading) {
		why = "an upgrade of it is under way";
		ret = -EBUSY;
	} else if (cpumask_empty(inst->cpus) || !inst->memory || !inst->kernel) {
		why = "cpus, memory and kernel must be set";
		ret = -EINVAL;
	} else {
		scnprintf(list, sizeof(list), "%*pbl",
			  cpumask_pr_args(inst->cpus));
		ret = mk_check_cores(inst, inst->cpus, inst->smt_split, list);
	}
	if (!ret) {
		*was = inst->state;
		inst->state = MK_STARTING;
		mk_trace_state(inst, *was);
	}
	mutex_unlock(&mk_instances_lock);

	if (why)
		pr_info("%s: start rejected: %s\n", mk_instance_name(inst), why);
	return ret;
}

/**
 * mk_may_boot() - check that the caller may boot a kernel
 * @inst: the instance, for the log
 *
 * Return: 0; -EPERM without CAP_SYS_BOOT or when kexec loading is
 * disabled; the error of the lockdown check.
 */
int mk_may_boot(struct mk_instance *inst)
{
	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (!kexec_load_permitted(KEXEC_TYPE_DEFAULT)) {
		pr_info("%s: start rejected: kexec loading is disabled\n",
			mk_instance_name(inst));
		return -EPERM;
	}
	/*
	 * As for kexec_file_load(): with signature checking, the loader
	 * refuses an image without a valid signature under lockdown; without
	 * it, lockdown refuses every image.
	 */
	if (!IS_ENABLED(CONFIG_KEXEC_SIG))
		return security_locked_down(LOCKDOWN_KEXEC);
	return 0;
}

/**
 * mk_boot() - take the resources of an instance and start its kernel
 * @inst: an instance in state starting; caller holds run_lock
 *
 * Return: 0 once the first CPU runs the kernel; the errors of
 * mk_instance_start(), with nothing held, the state left to the caller;
 * -EIO with the instance quarantined.
 */
int mk_boot(struct mk_instance *inst)
{
	const char *name = mk_instance_name(inst);
	unsigned int bad;
	u64 entry, bp;
	int ret;

	inst->started = ktime_get();
	inst->gen++;
	inst->last_beat = 0;
	inst->last_heartbeat = ktime_get_ns();
	inst->shutdown_acked = false;
	inst->hb_grants = 0;
	inst->hb_grace_ms = 0;
	inst->boot_ms = 0;
	inst->reason[0] = '\0';
	mk_console_reset(inst->console);
	mk_sysfs_console_changed(inst);

	ret = mk_prepare(inst, &entry, &bp);
	if (!ret)
		ret = mk_take_cpus(inst);
	if (ret == -EIO) {
		mk_quarantine(inst, cpumask_first(inst->unproven), ret);
		goto kept;
	}
	if (ret)
		goto release;
	ret = mk_start_first_cpu(inst, entry, bp);
	if (ret) {
		pr_info("%s: CPU %u did not start: %d\n", name,
			cpumask_first(inst->cpus), ret);
		/* It may have run a little of the stub: prove it back. */
		if (mk_reclaim_cpus(inst, false, &bad)) {
			mk_quarantine(inst, bad, ret);
			ret = -EIO;
			goto kept;
		}
		goto release;
	}

	inst->active = true;
	inst->deadline = ktime_add_ms(inst->started, inst->boot_timeout_ms);
	queue_delayed_work(mk_wq, &inst->watch, MK_WATCH_INTERVAL);
	pr_info("%s: started on CPUs %*pbl\n", name, cpumask_pr_args(inst->cpus));
	mk_preserved_started(inst, true);
	return 0;

release:
	mk_preserved_started(inst, false);
	mk_release_memory(inst);
	return ret;
kept:
	/* Quarantined: whatever a region got stays, it may have been used. */
	mk_preserved_started(inst, true);
	return ret;
}

/*
 * Start @inst; @admin: the admin asked, which resets the count of restarts
 * the policy asked for.  A start the policy refuses leaves the state as it
 * was.
 */
static int mk_start(struct mk_instance *inst, bool admin)
{
	enum mk_state was;
	int ret;

	mutex_lock(&inst->run_lock);
	ret = mk_check_startable(inst, &was);
	if (ret)
		goto unlock;
	if (admin)
		WRITE_ONCE(inst->restarts, 0);
	ret = mk_policy_admit(inst);
	if (ret) {
		mk_set_state(inst, was);
		goto unlock;
	}
	ret = mk_configfs_pin(inst);
	if (ret) {
		mk_set_state(inst, MK_STOPPED);
		goto unlock;
	}
	ret = mk_boot(inst);
	if (ret && ret != -EIO) {
		mk_configfs_unpin(inst);
		mk_set_state(inst, MK_STOPPED);
	}
unlock:
	mutex_unlock(&inst->run_lock);
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
 * stopped, or if the host's pages cannot be moved out of the pool (CMA)
 * now; -EINVAL if not fully configured; -ENOSPC if the pool or the
 * conventional memory has no room; the loader's errors (-ENOEXEC for an
 * image without spawn support, a read error such as -ENOENT); the CPU
 * hotplug core's errors; the errno the loaded policy refused it with.  On
 * error nothing stays lent, unless a CPU could not be proven back: then
 * the instance is quarantined and -EIO returned.
 */
int mk_instance_start(struct mk_instance *inst)
{
	int ret;

	ret = mk_may_boot(inst);
	if (ret)
		return ret;
	mk_restart_block(inst);
	ret = mk_start(inst, true);
	mk_restart_unblock(inst);
	return ret;
}

/**
 * mk_instance_restart() - start an instance again after a crash
 * @inst: the instance; from its restart work (restart.c)
 *
 * Return: the errors of mk_instance_start().
 */
int mk_instance_restart(struct mk_instance *inst)
{
	int ret;

	ret = mk_may_boot(inst);
	return ret ?: mk_start(inst, false);
}

/**
 * mk_instance_stop() - stop an instance cleanly or at once
 * @inst: the instance
 * @force: take the CPUs back now instead of asking the spawn to shut down
 *
 * A clean stop asks the spawn to power off and returns; the watchdog forces
 * it after stop_timeout_ms.  Stopping a stopped instance does nothing; a
 * crashed one becomes stopped.  Killing a quarantined instance tries again
 * to prove its CPUs back and, if that works, releases it.
 *
 * Return: 0; -EBUSY for a clean stop of a quarantined instance; -EIO when
 * a kill leaves the instance quarantined.
 */
int mk_instance_stop(struct mk_instance *inst, bool force)
{
	enum mk_state state;
	int ret = 0;

	/* The watchdog and a restart take run_lock: keep them out first. */
	mk_restart_block(inst);
	disable_delayed_work_sync(&inst->watch);
	mutex_lock(&inst->run_lock);
	enable_delayed_work(&inst->watch);
	mutex_lock(&mk_instances_lock);
	state = inst->state;
	mutex_unlock(&mk_instances_lock);

	if (state == MK_QUARANTINED && !force) {
		pr_info("%s: stop rejected: quarantined, only kill retries\n",
			mk_instance_name(inst));
		ret = -EBUSY;
	} else if (state == MK_QUARANTINED) {
		inst->reason[0] = '\0';
		ret = mk_teardown(inst, MK_STOPPED);
	} else if (!inst->active) {
		if (state == MK_CRASHED)
			mk_set_state(inst, MK_STOPPED);
	} else if (force) {
		ret = mk_teardown(inst, MK_STOPPED);
	} else {
		if (state != MK_STOPPING) {
			/* A spawn that cannot take it is forced at the deadline. */
			mk_host_request(inst, MULTIKERNEL_REQ_POWEROFF);
			inst->deadline = ktime_add_ms(ktime_get(),
						      inst->stop_timeout_ms);
			mk_set_state(inst, MK_STOPPING);
		}
		queue_delayed_work(mk_wq, &inst->watch, 0);
	}
	mutex_unlock(&inst->run_lock);
	mk_restart_unblock(inst);
	return ret;
}

/* A crash or protocol error the channel noted; true if the instance ended. */
static bool mk_follow_messages(struct mk_instance *inst)
{
	char why[MK_REASON_LEN];

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
	return false;
}

/*
 * Whether a policy grants a silent instance more time, at most
 * MK_HEARTBEAT_MAX_GRANTS times until it beats again.  An upgrade's
 * successor is not the instance the policy knows: it gets none.
 */
static bool mk_heartbeat_grace(struct mk_instance *inst, u64 silent_ms)
{
	unsigned int grace;

	if (inst->origin || inst->hb_grants >= MK_HEARTBEAT_MAX_GRANTS)
		return false;
	grace = mk_policy_heartbeat_lost(inst, silent_ms);
	if (!grace)
		return false;
	inst->hb_grants++;
	inst->hb_grace_ms = silent_ms - inst->heartbeat_timeout_ms + grace;
	pr_info("%s: no heartbeat for %llu ms, the policy waits %u ms more\n",
		mk_instance_name(inst), silent_ms, grace);
	return true;
}

/*
 * The lifecycle words: running, a stop request taken up, and heartbeats.
 * The heartbeat counter only has to change; any value the spawn writes is
 * as good as another.  True if the instance ended.
 */
static bool mk_follow_words(struct mk_instance *inst, enum mk_state state,
			    u32 spawn)
{
	u64 beat = READ_ONCE(mk_comm(inst)->heartbeat);
	char why[MK_REASON_LEN];
	u64 silent_ms;

	if (beat != inst->last_beat) {
		inst->last_beat = beat;
		inst->last_heartbeat = ktime_get_ns();
		inst->hb_grants = 0;
		inst->hb_grace_ms = 0;
	}
	if (spawn == MULTIKERNEL_SPAWN_STOPPING && !inst->shutdown_acked) {
		inst->shutdown_acked = true;
		pr_info("%s: the spawn took up the stop request\n",
			mk_instance_name(inst));
	}
	if (state == MK_STARTING && (spawn == MULTIKERNEL_SPAWN_RUNNING ||
				     spawn == MULTIKERNEL_SPAWN_STOPPING ||
				     spawn == MULTIKERNEL_SPAWN_STANDBY)) {
		inst->boot_ms = ktime_ms_delta(ktime_get(), inst->started);
		inst->last_heartbeat = ktime_get_ns();
		mk_set_state(inst, MK_RUNNING);
		pr_info("%s: running, booted in %llu ms\n",
			mk_instance_name(inst), inst->boot_ms);
		return false;
	}
	silent_ms = div_u64(ktime_get_ns() - inst->last_heartbeat,
			    NSEC_PER_MSEC);
	if (state == MK_RUNNING && silent_ms > MK_HEARTBEAT_MISS_MS)
		trace_multikernel_heartbeat_miss(mk_instance_name(inst),
						 inst->id, silent_ms,
						 inst->heartbeat_timeout_ms);
	if (state == MK_RUNNING &&
	    silent_ms > inst->heartbeat_timeout_ms + inst->hb_grace_ms &&
	    !mk_heartbeat_grace(inst, silent_ms)) {
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
	char raw[sizeof(comm->panic_msg)], msg[MK_REASON_LEN];

	if (mk_follow_messages(inst) || mk_follow_words(inst, state, spawn))
		return;
	switch (spawn) {
	case MULTIKERNEL_SPAWN_PANIC:
		/* Untrusted: one copy, then only printable text. */
		memcpy(raw, comm->panic_msg, sizeof(raw));
		if (!mk_copy_spawn_text(msg, sizeof(msg), raw, sizeof(raw)))
			strscpy(msg, "panic", sizeof(msg));
		mk_crash(inst, msg);
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
		queue_delayed_work(mk_wq, &inst->watch, MK_WATCH_INTERVAL);
out:
	mutex_unlock(&inst->run_lock);
}

/**
 * mk_instance_run_init() - initialise the run-time part of a new instance
 * @inst: an instance being created
 */
void mk_instance_run_init(struct mk_instance *inst)
{
	mutex_init(&inst->resize_lock);
	INIT_LIST_HEAD(&inst->extents);
	mutex_init(&inst->run_lock);
	INIT_DELAYED_WORK(&inst->watch, mk_watch);
	inst->boot_timeout_ms = MK_BOOT_TIMEOUT_MS;
	inst->stop_timeout_ms = MK_STOP_TIMEOUT_MS;
	inst->heartbeat_timeout_ms = MK_HEARTBEAT_TIMEOUT_MS;
	spin_lock_init(&inst->msg_lock);
	mk_restart_init(inst);
}
