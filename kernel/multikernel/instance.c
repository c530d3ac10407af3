// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel instances: creation, destruction and validated configuration.
 *
 * Locking: mk_instances_lock is a mutex that serialises every change to the
 * list of instances and to any instance's configuration or state.  It is
 * taken by the configfs attribute handlers and nests outside the CPU hotplug
 * lock.  Ids come from an IDA, which has its own lock.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/configfs.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>

#include "internal.h"

/* Serialises the instance list and every instance's configuration and state. */
DEFINE_MUTEX(mk_instances_lock);
static LIST_HEAD(mk_instances);
static DEFINE_IDA(mk_ids);

/**
 * mk_reject() - log why a write was refused, in one line
 * @name: the instance
 * @attr: the attribute written
 * @val: the value written
 * @why: the reason
 * @err: the error to return
 *
 * Return: @err.
 */
int mk_reject(const char *name, const char *attr, const char *val,
	      const char *why, int err)
{
	pr_info("%s: %s \"%.64s\" rejected: %s\n",
		name, attr, val, why);
	return err;
}

/**
 * mk_instance_name() - name of an instance
 * @inst: the instance
 *
 * Return: the configfs directory name of @inst.
 */
const char *mk_instance_name(const struct mk_instance *inst)
{
	return config_item_name((struct config_item *)&inst->group.cg_item);
}

/**
 * mk_instance_create() - create a stopped instance with no configuration
 * @name: directory name chosen by the administrator
 * @type: configfs group type of instances
 *
 * Return: the instance, holding one reference on its configfs group, or an
 * ERR_PTR(): -EINVAL for a bad name, -ENODEV without a pool, -ENOSPC when
 * MK_MAX_INSTANCES exist, -ENOMEM.
 */
struct mk_instance *mk_instance_create(const char *name,
				       const struct config_item_type *type)
{
	struct mk_instance *inst;
	int id;

	if (mk_check_name(name))
		return ERR_PTR(mk_reject(name, "name", name,
					 "names match [a-z0-9][a-z0-9_-]{0,31}",
					 -EINVAL));
	if (!mk_pool_present())
		return ERR_PTR(mk_reject(name, "name", name,
					 "no pool reserved (boot with multikernel.pool=SIZE)",
					 -ENODEV));

	id = ida_alloc_range(&mk_ids, 1, MK_MAX_INSTANCES, GFP_KERNEL);
	if (id == -ENOSPC)
		return ERR_PTR(mk_reject(name, "name", name,
					 "too many instances", -ENOSPC));
	if (id < 0)
		return ERR_PTR(id);

	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst) {
		ida_free(&mk_ids, id);
		return ERR_PTR(-ENOMEM);
	}
	inst->console = mk_console_alloc();
	if (!inst->console || !zalloc_cpumask_var(&inst->cpus, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&inst->host_online, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&inst->unproven, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&inst->next_cpus, GFP_KERNEL)) {
		mk_instance_free(inst);
		ida_free(&mk_ids, id);
		return ERR_PTR(-ENOMEM);
	}
	inst->id = id;
	inst->state = MK_STOPPED;
	mk_instance_run_init(inst);
	mk_upgrade_init(inst);
	config_group_init_type_name(&inst->group, name, type);
	INIT_LIST_HEAD(&inst->regions);
	if (mk_sysfs_add_instance(inst))
		pr_warn("%s: no console file in sysfs\n", name);

	mutex_lock(&mk_instances_lock);
	list_add_tail(&inst->node, &mk_instances);
	mutex_unlock(&mk_instances_lock);
	mk_held_state(id, MK_STOPPED);
	return inst;
}

/**
 * mk_instance_destroy() - remove a stopped or crashed instance
 * @inst: the instance
 *
 * A crashed instance has given everything back already; any other state
 * keeps the instance pinned in configfs, so rmdir never gets here.
 * Unlists @inst, frees its id and drops the creation reference; the memory
 * goes when the last configfs reference does, through mk_instance_free().
 */
void mk_instance_destroy(struct mk_instance *inst)
{
	mk_sysfs_del_instance(inst);
	mutex_lock(&mk_instances_lock);
	if (inst->state == MK_CRASHED)
		inst->state = MK_STOPPED;
	if (inst->state != MK_STOPPED)
		pr_err("%s: removed in state %s\n", mk_instance_name(inst),
		       mk_state_name(inst->state));
	list_del(&inst->node);
	mutex_unlock(&mk_instances_lock);

	/* A late kick from the message handlers may have queued it. */
	cancel_delayed_work_sync(&inst->watch);
	/* A crashed instance may wait for a restart its policy asked for. */
	mk_restart_block(inst);
	mk_held_forget(inst->id);
	ida_free(&mk_ids, inst->id);
	config_item_put(&inst->group.cg_item);
}

/**
 * mk_instance_free() - free an instance's memory
 * @inst: an instance no longer listed nor referenced
 */
void mk_instance_free(struct mk_instance *inst)
{
	mk_console_free(inst->console);
	free_cpumask_var(inst->unproven);
	free_cpumask_var(inst->host_online);
	free_cpumask_var(inst->cpus);
	mk_upgrade_free(inst);
	kfree(inst->kernel);
	kfree(inst->initrd);
	kfree(inst->cmdline);
	kfree(inst);
}

/* Holds CPUs or memory of the host: started and not given back yet. */
static bool mk_instance_holds(const struct mk_instance *inst)
{
	return inst->state != MK_STOPPED && inst->state != MK_CRASHED;
}

/**
 * mk_instances_holding() - name the instances that hold host resources
 * @names: buffer for their names, separated by spaces; may be cut short
 * @len: its size, at least 1
 *
 * Return: how many instances are started, stopping or quarantined.
 */
int mk_instances_holding(char *names, size_t len)
{
	struct mk_instance *inst;
	size_t used = 0;
	int n = 0;

	names[0] = '\0';
	mutex_lock(&mk_instances_lock);
	list_for_each_entry(inst, &mk_instances, node) {
		if (!mk_instance_holds(inst))
			continue;
		if (used < len)
			used += scnprintf(names + used, len - used, "%s%s",
					  n ? " " : "", mk_instance_name(inst));
		n++;
	}
	mutex_unlock(&mk_instances_lock);
	return n;
}

/**
 * mk_instances_get_holding() - take references on the instances holding
 *	host resources
 * @insts: array of MK_MAX_INSTANCES entries for them
 *
 * Each returned instance holds a configfs item reference; drop it with
 * config_item_put().
 *
 * Return: the number of instances put in @insts.
 */
int mk_instances_get_holding(struct mk_instance **insts)
{
	struct mk_instance *inst;
	int n = 0;

	mutex_lock(&mk_instances_lock);
	list_for_each_entry(inst, &mk_instances, node) {
		if (mk_instance_holds(inst) && n < MK_MAX_INSTANCES) {
			config_item_get(&inst->group.cg_item);
			insts[n++] = inst;
		}
	}
	mutex_unlock(&mk_instances_lock);
	return n;
}

/* Caller holds mk_instances_lock. */
/**
 * mk_check_stopped() - refuse a configuration change unless stopped
 * @inst: the instance; the caller holds mk_instances_lock
 * @attr: what is changed, for the log
 * @val: the value written, for the log
 *
 * Return: 0 if @inst is stopped, else -EBUSY with one log line.
 */
int mk_check_stopped(struct mk_instance *inst, const char *attr,
		     const char *val)
{
	lockdep_assert_held(&mk_instances_lock);
	if (inst->state == MK_STOPPED)
		return 0;
	return mk_reject(mk_instance_name(inst), attr, val,
			 "the instance is not stopped", -EBUSY);
}

/* CPUs configured for instances other than @self; caller holds the lock. */
void mk_cpus_taken(const struct mk_instance *self, struct cpumask *taken)
{
	struct mk_instance *inst;

	lockdep_assert_held(&mk_instances_lock);
	cpumask_clear(taken);
	list_for_each_entry(inst, &mk_instances, node) {
		if (inst != self)
			cpumask_or(taken, taken, inst->cpus);
		/* A successor's, and those an upgrade could not take back. */
		if (inst != self && inst->upgrading)
			cpumask_or(taken, taken, inst->next_cpus);
		if (inst->retired)
			cpumask_or(taken, taken, inst->retired->unproven);
	}
}

/* A secondary SMT thread the admin turned SMT off for (nosmt, smt/control). */
static bool mk_smt_parked(unsigned int cpu)
{
#ifdef CONFIG_HOTPLUG_SMT
	if (cpu_smt_control == CPU_SMT_DISABLED ||
	    cpu_smt_control == CPU_SMT_FORCE_DISABLED)
		return !topology_is_primary_thread(cpu);
#endif
	return false;
}

/**
 * mk_check_cores() - check a CPU list against the SMT rules
 * @inst: the instance, for the log
 * @req: the CPUs
 * @split: the admin allows lending some threads of a core
 * @buf: the value written, for the log
 *
 * Threads of one core share caches and execution units: an instance gets
 * whole cores, every thread of them the host can run, unless @split.  A
 * thread parked because SMT is off is never lent.
 *
 * Return: 0; -EPERM for a parked thread; -EINVAL for part of a core.
 */
int mk_check_cores(struct mk_instance *inst, const struct cpumask *req,
		   bool split, const char *buf)
{
	const char *name = mk_instance_name(inst);
	unsigned int cpu, sib;

	for_each_cpu(cpu, req) {
		if (mk_smt_parked(cpu))
			return mk_reject(name, "cpus", buf,
					 "an SMT thread in the list is parked: SMT is off",
					 -EPERM);
		if (split)
			continue;
		for_each_cpu(sib, topology_sibling_cpumask(cpu))
			if (!cpumask_test_cpu(sib, req) && !mk_smt_parked(sib))
				return mk_reject(name, "cpus", buf,
						 "a core in the list has a thread outside it (see smt_split)",
						 -EINVAL);
	}
	return 0;
}

/**
 * mk_resize_refused() - log and keep why a resize was refused
 * @inst: the instance
 * @err: the error the write returns
 * @fmt: the reason, for the log and resize_reason
 *
 * Return: @err.
 */
int mk_resize_refused(struct mk_instance *inst, int err, const char *fmt, ...)
{
	char why[MK_REASON_LEN];
	va_list args;

	va_start(args, fmt);
	vscnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	pr_info("%s: resize refused: %s (%d)\n", mk_instance_name(inst), why,
		err);
	mutex_lock(&mk_instances_lock);
	strscpy(inst->resize_reason, why, sizeof(inst->resize_reason));
	mutex_unlock(&mk_instances_lock);
	return err;
}

/**
 * mk_resize_reason_clear() - forget why the last resize was refused
 * @inst: the instance, being resized
 */
void mk_resize_reason_clear(struct mk_instance *inst)
{
	mutex_lock(&mk_instances_lock);
	inst->resize_reason[0] = '\0';
	mutex_unlock(&mk_instances_lock);
}

/* The instance other than @self whose cpus has @cpu; caller holds the lock. */
static struct mk_instance *mk_cpu_owner(const struct mk_instance *self,
					unsigned int cpu)
{
	struct mk_instance *inst;

	lockdep_assert_held(&mk_instances_lock);
	list_for_each_entry(inst, &mk_instances, node)
		if (inst != self && (cpumask_test_cpu(cpu, inst->cpus) ||
				     (inst->upgrading &&
				      cpumask_test_cpu(cpu, inst->next_cpus))))
			return inst;
	return NULL;
}

/* A running instance's new CPUs: each has a slot in the spawn. */
static int mk_check_new_cpus(struct mk_instance *inst,
			     const struct cpumask *add)
{
	unsigned int cpu, i;

	for_each_cpu(cpu, add) {
		for (i = 0; i < inst->nr_slots; i++)
			if (inst->slots[i] == cpu)
				break;
		if (i == inst->nr_slots)
			return -ENOSPC;
	}
	return 0;
}

/* Say which of the new CPUs made mk_check_new_cpus() fail with @err. */
static int mk_refuse_new_cpus(struct mk_instance *inst,
			      const struct cpumask *add, int err)
{
	struct mk_instance *owner;
	unsigned int cpu;
	char name[MK_NAME_MAX + 1] = "";

	mutex_lock(&mk_instances_lock);
	for_each_cpu(cpu, add) {
		owner = mk_cpu_owner(inst, cpu);
		if (owner) {
			strscpy(name, mk_instance_name(owner), sizeof(name));
			break;
		}
	}
	mutex_unlock(&mk_instances_lock);
	if (err == -EBUSY)
		return mk_resize_refused(inst, err, "CPU %u belongs to instance %s",
					 cpu, name);
	return mk_resize_refused(inst, err,
				 "no CPU slot in the spawn for a CPU of %*pbl",
				 cpumask_pr_args(add));
}

/**
 * mk_instance_reserve_cpus() - check a running instance's new CPU set and
 *	count its new CPUs the instance's
 * @inst: the running instance; caller holds its run_lock and resize_lock
 * @req: the CPUs it is to hold
 * @add: set to those of @req it does not hold yet
 * @buf: the value written, for the log
 *
 * The set is checked as a stopped instance's is; the new CPUs go into the
 * instance's cpus under the same lock hold, so that no other instance can
 * be given them meanwhile.
 *
 * Return: 0; -EBUSY if the instance does not run or a CPU belongs to
 * another instance (the reason names it); -ENOSPC for a CPU the spawn has
 * no slot for; the errors of mk_check_cpus() and mk_check_cores().
 */
int mk_instance_reserve_cpus(struct mk_instance *inst,
			     const struct cpumask *req, struct cpumask *add,
			     const char *buf)
{
	cpumask_var_t taken;
	const char *why = NULL;
	int ret;

	if (!alloc_cpumask_var(&taken, GFP_KERNEL))
		return -ENOMEM;
	mutex_lock(&mk_instances_lock);
	cpumask_andnot(add, req, inst->cpus);
	mk_cpus_taken(inst, taken);
	if (inst->state != MK_RUNNING) {
		why = "the instance is not running";
		ret = -EBUSY;
	} else {
		ret = mk_check_cpus(req, cpu_present_mask, cpu_online_mask,
				    taken, &why);
	}
	/* Named below, as mk_check_cpus() does not know the owner. */
	if (ret == -EBUSY && cpumask_intersects(req, taken))
		why = NULL;
	if (!ret)
		ret = mk_check_new_cpus(inst, add);
	if (!ret)
		ret = mk_check_cores(inst, req, inst->smt_split, buf);
	if (!ret) {
		cpumask_or(inst->cpus, inst->cpus, add);
		inst->resize_reason[0] = '\0';
	}
	mutex_unlock(&mk_instances_lock);
	free_cpumask_var(taken);
	if (why)
		return mk_resize_refused(inst, ret, "%s", why);
	if (ret == -EBUSY || ret == -ENOSPC)
		return mk_refuse_new_cpus(inst, add, ret);
	return ret;
}

/**
 * mk_instance_set_held_cpus() - record the CPUs a started instance holds
 * @inst: the instance
 * @cpus: what it holds now
 */
void mk_instance_set_held_cpus(struct mk_instance *inst,
			       const struct cpumask *cpus)
{
	mutex_lock(&mk_instances_lock);
	cpumask_copy(inst->cpus, cpus);
	mutex_unlock(&mk_instances_lock);
}

/**
 * mk_instance_running() - tell whether an instance runs
 * @inst: the instance
 *
 * Return: true in state running: its cpus and memory change live.
 */
bool mk_instance_running(struct mk_instance *inst)
{
	bool running;

	mutex_lock(&mk_instances_lock);
	running = inst->state == MK_RUNNING;
	mutex_unlock(&mk_instances_lock);
	return running;
}

/**
 * mk_instance_set_cpus() - validate and set the CPUs of an instance
 * @inst: the instance
 * @buf: cpulist, NUL-terminated
 *
 * A stopped instance gets the set for its next start; the online-CPU
 * check is a snapshot and starting checks again.  A running instance is
 * given the set at once (mk_resize_cpus()).
 *
 * Return: 0 or the errno of mk_parse_cpulist() or mk_check_cpus(); -EBUSY
 * if @inst is neither stopped nor running; the errors of mk_resize_cpus().
 */
int mk_instance_set_cpus(struct mk_instance *inst, const char *buf)
{
	const char *name = mk_instance_name(inst);
	cpumask_var_t req, taken;
	const char *why;
	int ret;

	if (!alloc_cpumask_var(&req, GFP_KERNEL))
		return -ENOMEM;
	if (!alloc_cpumask_var(&taken, GFP_KERNEL)) {
		free_cpumask_var(req);
		return -ENOMEM;
	}

	ret = mk_parse_cpulist(buf, req);
	if (ret == -ENODEV) {
		mk_reject(name, "cpus", buf, "a CPU in the list does not exist", ret);
		goto out;
	} else if (ret && mk_instance_running(inst)) {
		mk_resize_refused(inst, ret, "a running instance keeps at least one CPU");
		goto out;
	} else if (ret) {
		mk_reject(name, "cpus", buf, "not a non-empty cpulist", ret);
		goto out;
	}
	if (mk_instance_running(inst)) {
		ret = mk_resize_cpus(inst, req, buf);
		goto out;
	}

	mutex_lock(&mk_instances_lock);
	ret = mk_check_stopped(inst, "cpus", buf);
	if (!ret) {
		mk_cpus_taken(inst, taken);
		ret = mk_check_cpus(req, cpu_present_mask, cpu_online_mask,
				    taken, &why);
		if (ret)
			mk_reject(name, "cpus", buf, why, ret);
		else
			ret = mk_check_cores(inst, req, inst->smt_split, buf);
		if (!ret)
			cpumask_copy(inst->cpus, req);
	}
	mutex_unlock(&mk_instances_lock);
out:
	free_cpumask_var(taken);
	free_cpumask_var(req);
	return ret;
}

static const char *mk_memory_reason(int err)
{
	switch (err) {
	case -ERANGE:
		return "below the minimum an instance needs";
	case -ENOSPC:
		return "larger than the pool";
	default:
		return "not a non-zero multiple of the pool granule";
	}
}

/**
 * mk_instance_set_memory() - validate and set the memory size of an instance
 * @inst: the instance
 * @buf: size, NUL-terminated
 *
 * A running instance is given the size at once (mk_resize_memory()).
 *
 * Return: 0 or the errno of mk_parse_memory() or mk_check_memory(); -EBUSY
 * if @inst is neither stopped nor running; the errors of
 * mk_resize_memory().
 */
int mk_instance_set_memory(struct mk_instance *inst, const char *buf)
{
	const char *name = mk_instance_name(inst);
	u64 bytes;
	int ret;

	ret = mk_parse_memory(buf, &bytes);
	if (ret)
		return mk_reject(name, "memory", buf,
				 "not a size (bytes with optional K, M or G)", ret);
	ret = mk_check_memory(bytes, mk_pool_size());
	if (ret)
		return mk_reject(name, "memory", buf, mk_memory_reason(ret), ret);

	if (mk_instance_running(inst))
		return mk_resize_memory(inst, bytes);
	mutex_lock(&mk_instances_lock);
	ret = mk_check_stopped(inst, "memory", buf);
	if (!ret)
		inst->memory = bytes;
	mutex_unlock(&mk_instances_lock);
	return ret;
}

/**
 * mk_check_image() - check that a path names an existing regular file
 * @name: the instance, for the log
 * @attr: the attribute written, for the log
 * @path: the path
 *
 * Return: 0; -EINVAL for a relative path or a file that is not regular;
 * -ENAMETOOLONG; the lookup's errno (such as -ENOENT); -EISDIR.
 */
int mk_check_image(const char *name, const char *attr, const char *path)
{
	struct path p;
	int ret;

	ret = mk_check_path(path);
	if (ret)
		return mk_reject(name, attr, path, ret == -EINVAL ?
				 "not an absolute path" : "path too long", ret);

	ret = kern_path(path, LOOKUP_FOLLOW, &p);
	if (ret)
		return mk_reject(name, attr, path, "cannot look up the file", ret);
	if (d_is_dir(p.dentry))
		ret = mk_reject(name, attr, path, "is a directory", -EISDIR);
	else if (!d_is_reg(p.dentry))
		ret = mk_reject(name, attr, path, "not a regular file", -EINVAL);
	path_put(&p);
	return ret;
}

/**
 * mk_set_string() - replace a string setting
 * @field: the setting
 * @val: its new value; "" sets it to NULL
 *
 * Return: 0 or -ENOMEM, with the setting unchanged.
 */
int mk_set_string(char **field, const char *val)
{
	char *copy = NULL;

	if (*val) {
		copy = kstrdup(val, GFP_KERNEL);
		if (!copy)
			return -ENOMEM;
	}
	kfree(*field);
	*field = copy;
	return 0;
}

/**
 * mk_instance_set_path() - validate and set an image path of an instance
 * @inst: a stopped instance
 * @field: &inst->kernel or &inst->initrd
 * @attr: attribute name, for the log
 * @buf: absolute path, or "" to clear
 *
 * The file is looked up now so that mistakes show at once; it is read when
 * the instance starts.
 *
 * Return: 0; -EINVAL for a relative path or a file that is not regular;
 * -ENAMETOOLONG; the lookup's errno (such as -ENOENT); -EISDIR; -EBUSY if
 * @inst is not stopped.
 */
int mk_instance_set_path(struct mk_instance *inst, char **field,
			 const char *attr, const char *buf)
{
	int ret = 0;

	if (*buf)
		ret = mk_check_image(mk_instance_name(inst), attr, buf);
	if (ret)
		return ret;

	mutex_lock(&mk_instances_lock);
	ret = mk_check_stopped(inst, attr, buf);
	if (!ret)
		ret = mk_set_string(field, buf);
	mutex_unlock(&mk_instances_lock);
	return ret;
}

/**
 * mk_instance_set_cmdline() - validate and set the spawned kernel's cmdline
 * @inst: a stopped instance
 * @buf: command line, NUL-terminated
 *
 * Return: 0; -E2BIG if longer than the boot protocol carries; -EBUSY if
 * @inst is not stopped.
 */
int mk_instance_set_cmdline(struct mk_instance *inst, const char *buf)
{
	int ret = mk_check_cmdline(buf);

	if (ret)
		return mk_reject(mk_instance_name(inst), "cmdline", buf,
				 "longer than 1984 bytes", ret);

	mutex_lock(&mk_instances_lock);
	ret = mk_check_stopped(inst, "cmdline", buf);
	if (!ret)
		ret = mk_set_string(&inst->cmdline, buf);
	mutex_unlock(&mk_instances_lock);
	return ret;
}

/**
 * mk_instance_set_restart_limit() - how many restarts a policy may ask for
 * @inst: the instance, in any state: the limit is read at each crash
 * @buf: a number from 0 to MK_RESTART_LIMIT_MAX, NUL-terminated
 *
 * Return: 0; -EINVAL if not such a number.
 */
int mk_instance_set_restart_limit(struct mk_instance *inst, const char *buf)
{
	unsigned int limit;

	if (kstrtouint(buf, 10, &limit) || limit > MK_RESTART_LIMIT_MAX)
		return mk_reject(mk_instance_name(inst), "restart_limit", buf,
				 "not a number from 0 to 100", -EINVAL);
	mutex_lock(&mk_instances_lock);
	WRITE_ONCE(inst->restart_limit, limit);
	mutex_unlock(&mk_instances_lock);
	return 0;
}

/**
 * mk_instance_set_timeout() - validate and set one of the timeouts
 * @inst: a stopped instance
 * @field: &inst->boot_timeout_ms or &inst->stop_timeout_ms
 * @attr: attribute name, for the log
 * @buf: milliseconds, NUL-terminated
 *
 * Return: 0; -EINVAL if not a number of milliseconds from 100 to 3600000;
 * -EBUSY if @inst is not stopped.
 */
int mk_instance_set_timeout(struct mk_instance *inst, unsigned int *field,
			    const char *attr, const char *buf)
{
	unsigned int ms;
	int ret;

	if (kstrtouint(buf, 10, &ms) || ms < 100 || ms > 3600000)
		return mk_reject(mk_instance_name(inst), attr, buf,
				 "not a number of milliseconds from 100 to 3600000",
				 -EINVAL);
	mutex_lock(&mk_instances_lock);
	ret = mk_check_stopped(inst, attr, buf);
	if (!ret)
		WRITE_ONCE(*field, ms);
	mutex_unlock(&mk_instances_lock);
	return ret;
}

/**
 * mk_instance_set_smt_split() - allow or forbid lending part of a core
 * @inst: a stopped instance
 * @buf: "1" or "0" (or any kstrtobool() spelling)
 *
 * The CPU list is checked again against the new rule when the instance
 * starts.
 *
 * Return: 0; -EINVAL if not a boolean; -EBUSY if @inst is not stopped.
 */
int mk_instance_set_smt_split(struct mk_instance *inst, const char *buf)
{
	bool split;
	int ret;

	if (kstrtobool(buf, &split))
		return mk_reject(mk_instance_name(inst), "smt_split", buf,
				 "not 0 or 1", -EINVAL);
	mutex_lock(&mk_instances_lock);
	ret = mk_check_stopped(inst, "smt_split", buf);
	if (!ret)
		inst->smt_split = split;
	mutex_unlock(&mk_instances_lock);
	return ret;
}

/**
 * mk_instance_request() - act on a word written to the state attribute
 * @inst: the instance
 * @buf: "start", "stop", "kill" or "upgrade"
 *
 * Stopping or killing a stopped instance succeeds and does nothing.
 *
 * Return: 0; -EINVAL for another word; the errors of mk_instance_start(),
 * mk_instance_stop() and mk_instance_upgrade().
 */
int mk_instance_request(struct mk_instance *inst, const char *buf)
{
	int cmd = mk_parse_state_cmd(buf);

	switch (cmd) {
	case MK_CMD_START:
		return mk_instance_start(inst);
	case MK_CMD_STOP:
		return mk_instance_stop(inst, false);
	case MK_CMD_KILL:
		return mk_upgrade_kill_retired(inst) ?: mk_instance_stop(inst, true);
	case MK_CMD_UPGRADE:
		return mk_instance_upgrade(inst);
	default:
		return mk_reject(mk_instance_name(inst), "state", buf,
				 "expected start, stop, kill or upgrade", -EINVAL);
	}
}
