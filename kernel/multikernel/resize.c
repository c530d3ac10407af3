// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel: CPUs added to and removed from a running instance.
 *
 * Writing cpus of a running instance comes here (instance.c).  The new set
 * is checked as for a stopped instance, and its new CPUs are counted the
 * instance's at once, so that no other instance can take them meanwhile;
 * then it is reached one CPU at a time, the added ones first, so that the
 * spawn never runs out of CPUs:
 *
 *  - add: the CPU is marked lent and held (lifecycle.c, mk_take_cpu())
 *    before it is taken offline through the hotplug core, so that every
 *    teardown from then on takes it back; it is sent INIT, and only then is
 *    the spawn asked to bring it up (CPU_ADD), into its own trampoline: an
 *    INIT after the spawn's SIPI would reset a CPU it is starting.
 *  - remove: if the host's doorbells go to the CPU they move to another
 *    one; the spawn is asked to take the CPU down (CPU_REMOVE), and once it
 *    says it did, the CPU gets INIT and is proven back through the host's
 *    own bring-up, as at a stop.
 *
 * The spawn is untrusted: nothing waits for it with run_lock held, every
 * wait is bounded by MK_RESIZE_TIMEOUT_MS, and a spawn that does not
 * answer in time, or answers for another CPU, is crashed: only a teardown,
 * which sends INIT to every CPU before it brings any up, is safe for a CPU
 * whose state is unknown.  Any other refusal leaves the CPU where it was:
 * one being added is proven back at once, one being removed stays.  When a
 * step fails, the steps of the same write before it are undone, so that a
 * refused write changes nothing; the instance's cpus always says what it
 * holds.  After each wait run_lock is taken again and the start generation
 * compared: an instance stopped meanwhile had its CPUs taken back by its
 * teardown, and the write fails with ECONNRESET.
 *
 * Locking: resize_lock serialises the resizes of an instance and nests
 * outside run_lock, held only between waits, which nests outside the CPU
 * hotplug lock and mk_instances_lock, as in lifecycle.c.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"
#include "msg.h"

/**
 * mk_resize_ask() - ask a running spawn to add or remove a CPU or memory
 * @inst: the instance; caller holds run_lock, dropped during the wait
 * @type: MULTIKERNEL_MSG_CPU_ADD, _CPU_REMOVE, _MEM_ADD or _MEM_REMOVE
 * @rq: the request
 * @what: what is asked, for the crash reason ("adding CPU 2")
 * @why: set to the reason when it fails
 * @len: room at @why
 *
 * Return: 0; the spawn's refusal, with @why saying why; or an error after
 * which the instance is gone (-ECONNRESET) or was crashed here because it
 * did not answer in time (-ETIMEDOUT) or answered for something else
 * (-EPROTO).
 */
int mk_resize_ask(struct mk_instance *inst, u16 type,
		  const struct multikernel_resize *rq, const char *what,
		  char *why, size_t len)
{
	struct mk_resize_resp resp = { };
	char msg[MK_REASON_LEN];
	struct mk_chan *ch;
	u64 gen = inst->gen;
	int ret;

	lockdep_assert_held(&inst->run_lock);
	ch = inst->chan ? mk_chan_get(inst->id) : NULL;
	if (!ch)
		return -ECONNRESET;
	mutex_unlock(&inst->run_lock);
	ret = mk_msg_request(ch, type, rq, sizeof(*rq), &resp, sizeof(resp),
			     msecs_to_jiffies(MK_RESIZE_TIMEOUT_MS));
	mk_chan_put(ch);
	mutex_lock(&inst->run_lock);

	if (!inst->active || inst->gen != gen)
		return -ECONNRESET;
	if (ret == -ETIMEDOUT) {
		snprintf(msg, sizeof(msg), "no answer within %u ms to %s",
			 MK_RESIZE_TIMEOUT_MS, what);
		mk_crash(inst, msg);
		snprintf(why, len, "the instance did not answer and was crashed");
		return ret;
	}
	if (ret >= 0 && (ret < sizeof(resp.rz) ||
			 memcmp(&resp.rz, rq, sizeof(*rq)))) {
		mk_crash(inst, "resize response does not match its request");
		snprintf(why, len, "the instance broke the resize protocol and was crashed");
		return -EPROTO;
	}
	if (ret < 0 &&
	    !mk_copy_spawn_text(why, len, resp.why,
				strnlen(resp.why, sizeof(resp.why))))
		snprintf(why, len, "the instance refused (%d)", ret);
	return ret < 0 ? ret : 0;
}

/* mk_resize_ask() for a CPU, named by the ID the boot record uses. */
static int mk_resize_ask_cpu(struct mk_instance *inst, u16 type,
			     unsigned int cpu, char *why, size_t len)
{
	struct multikernel_resize rq = {
		.apic_id = multikernel_arch_doorbell_id(cpu),
	};
	char what[32];

	snprintf(what, sizeof(what), "%s CPU %u",
		 type == MULTIKERNEL_MSG_CPU_ADD ? "adding" : "removing", cpu);
	return mk_resize_ask(inst, type, &rq, what, why, len);
}

/* Lend @cpu to the running @inst; run_lock held. */
static int mk_resize_add_cpu(struct mk_instance *inst, unsigned int cpu,
			     char *why, size_t len)
{
	char said[MK_REASON_LEN];
	int ret;

	ret = mk_take_cpu(inst, cpu);
	if (ret) {
		snprintf(why, len, "the host cannot take CPU %u offline (%d)",
			 cpu, ret);
		return ret;
	}
	/* Out of the host's own idle loop and waiting for the spawn's SIPI. */
	multikernel_arch_stop_cpu(cpu);
	ret = mk_resize_ask_cpu(inst, MULTIKERNEL_MSG_CPU_ADD, cpu, said,
				sizeof(said));
	if (ret == -ECONNRESET || ret == -ETIMEDOUT || ret == -EPROTO) {
		strscpy(why, said, len);
		return ret;
	}
	if (!ret)
		return 0;
	snprintf(why, len, "CPU %u: %.96s", cpu, said);
	/* The spawn is done with it; it may have started it, so INIT again. */
	multikernel_arch_stop_cpu(cpu);
	if (mk_prove_cpu(inst, cpu)) {
		snprintf(why, len, "CPU %u: %.72s; not proven back, it stays lent",
			 cpu, said);
		return -EIO;
	}
	return ret;
}

/* Take @cpu back from the running @inst, which keeps @keep; run_lock held. */
static int mk_resize_remove_cpu(struct mk_instance *inst, unsigned int cpu,
				const struct cpumask *keep, char *why,
				size_t len)
{
	char said[MK_REASON_LEN];
	int ret;

	if (inst->doorbell_cpu == cpu)
		mk_msg_host_doorbell_to(inst, cpumask_first(keep));
	ret = mk_resize_ask_cpu(inst, MULTIKERNEL_MSG_CPU_REMOVE, cpu, said,
				sizeof(said));
	if (ret) {
		if (ret == -ECONNRESET || ret == -ETIMEDOUT || ret == -EPROTO)
			strscpy(why, said, len);
		else
			snprintf(why, len, "CPU %u: %.96s", cpu, said);
		return ret;
	}
	multikernel_arch_stop_cpu(cpu);
	ret = mk_prove_cpu(inst, cpu);
	if (ret) {
		snprintf(why, len,
			 "CPU %u left the instance but is not proven back (%d); it stays lent",
			 cpu, ret);
		return -EIO;
	}
	return 0;
}

/* Move every CPU of @from one way; stops at the first failure. */
static int mk_resize_step_all(struct mk_instance *inst,
			      const struct cpumask *from, bool add,
			      const struct cpumask *keep, struct cpumask *done,
			      char *why, size_t len)
{
	unsigned int cpu;
	int ret;

	for_each_cpu(cpu, from) {
		ret = add ? mk_resize_add_cpu(inst, cpu, why, len) :
			    mk_resize_remove_cpu(inst, cpu, keep, why, len);
		if (ret)
			return ret;
		cpumask_set_cpu(cpu, done);
	}
	return 0;
}

/*
 * Undo what a failed write did, as far as the spawn lets us: give back
 * the CPUs it removed, then take the added ones, so that @inst holds
 * @before again.
 */
static void mk_resize_undo(struct mk_instance *inst,
			   const struct cpumask *added,
			   const struct cpumask *removed,
			   const struct cpumask *before)
{
	char why[MK_REASON_LEN];
	unsigned int cpu;

	for_each_cpu(cpu, removed)
		if (!inst->active ||
		    mk_resize_add_cpu(inst, cpu, why, sizeof(why)))
			return;
	for_each_cpu(cpu, added)
		if (!inst->active ||
		    mk_resize_remove_cpu(inst, cpu, before, why, sizeof(why)))
			return;
}

/**
 * mk_resize_cpus() - give a running instance a new set of CPUs
 * @inst: the instance
 * @req: the CPUs it is to hold, not empty
 * @buf: the value written, for the log
 *
 * Returns once the spawn runs on exactly @req, or nothing changed.
 *
 * Return: 0; -EBUSY if the instance does not run, a CPU belongs to another
 * instance or the spawn could not give a CPU up; the errors of
 * mk_instance_reserve_cpus(); -ENOSPC for a CPU the spawn has no slot for;
 * -EOPNOTSUPP if the spawn cannot resize; -ETIMEDOUT or -EPROTO when the
 * spawn did not answer or answered wrongly (it is crashed); -ECONNRESET
 * when the instance stopped meanwhile; -EIO if a CPU could not be proven
 * back (it stays lent); -ENOMEM.
 */
int mk_resize_cpus(struct mk_instance *inst, const struct cpumask *req,
		   const char *buf)
{
	cpumask_var_t add, del, old, done_add, done_del;
	char why[MK_REASON_LEN];
	int ret = -ENOMEM;

	if (!zalloc_cpumask_var(&add, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&del, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&old, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&done_add, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&done_del, GFP_KERNEL))
		goto out_free;

	mutex_lock(&inst->resize_lock);
	mutex_lock(&inst->run_lock);
	cpumask_copy(old, inst->unproven);
	ret = inst->active ? mk_instance_reserve_cpus(inst, req, add, buf) :
			     mk_resize_refused(inst, -EBUSY, "the instance is not running");
	if (ret)
		goto out_unlock;
	cpumask_andnot(del, old, req);

	ret = mk_resize_step_all(inst, add, true, NULL, done_add, why,
				 sizeof(why));
	if (!ret)
		ret = mk_resize_step_all(inst, del, false, req, done_del, why,
					 sizeof(why));
	if (ret && inst->active && ret != -EIO)
		mk_resize_undo(inst, done_add, done_del, old);
	/* What it holds now; a stopped one keeps the set it had. */
	mk_instance_set_held_cpus(inst, inst->active ? inst->unproven : old);
	if (ret)
		mk_resize_refused(inst, ret, "%s", why);
	else
		pr_info("%s: now on CPUs %*pbl\n", mk_instance_name(inst),
			cpumask_pr_args(inst->unproven));
out_unlock:
	mutex_unlock(&inst->run_lock);
	mutex_unlock(&inst->resize_lock);
out_free:
	free_cpumask_var(done_del);
	free_cpumask_var(done_add);
	free_cpumask_var(old);
	free_cpumask_var(del);
	free_cpumask_var(add);
	return ret;
}
