// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel BPF policies: read-only kfuncs that look up an instance.
 *
 * A policy's programs run with run_lock held or in a channel's receive
 * work, where they may not take the instance locks.  So the lifecycle
 * keeps, per instance id, what the instance holds now, updated where it
 * traces the same facts (multikernel_state, multikernel_cpu and
 * multikernel_memory): its state, the host CPUs it holds and the bytes of
 * pool memory.  A stopped instance holds nothing; a quarantined one what
 * it could not give back.  The kfuncs read that table.
 *
 * Locking: mk_held_lock, a spinlock taken for a single update or lookup
 * and around nothing else, protects the table.  It exists on the host
 * only; in a spawn, or if it could not be allocated, the updates do
 * nothing and the kfuncs find no instance.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "internal.h"
#include "policy.h"

/**
 * struct mk_held - what one instance holds
 * @exists: an instance has this id
 * @state: its state
 * @memory: bytes of pool memory lent to it
 * @cpus: host CPUs lent to it and not proven back
 */
struct mk_held {
	bool exists;
	enum mk_state state;
	u64 memory;
	cpumask_var_t cpus;
};

static DEFINE_SPINLOCK(mk_held_lock);
/* Indexed by id, 1..MK_MAX_INSTANCES; NULL in a spawn. */
static struct mk_held *mk_held;

static struct mk_held *mk_held_of(s32 id)
{
	if (!mk_held || id < 1 || id > MK_MAX_INSTANCES)
		return NULL;
	return &mk_held[id];
}

/**
 * mk_held_state() - note an instance's new state
 * @id: the instance
 * @state: its state
 */
void mk_held_state(s32 id, enum mk_state state)
{
	struct mk_held *h = mk_held_of(id);

	if (!h)
		return;
	spin_lock(&mk_held_lock);
	h->exists = true;
	h->state = state;
	spin_unlock(&mk_held_lock);
}

/**
 * mk_held_forget() - note that an instance is gone
 * @id: the instance
 */
void mk_held_forget(s32 id)
{
	struct mk_held *h = mk_held_of(id);

	if (!h)
		return;
	spin_lock(&mk_held_lock);
	h->exists = false;
	h->memory = 0;
	cpumask_clear(h->cpus);
	spin_unlock(&mk_held_lock);
}

/**
 * mk_held_cpu() - note a CPU lent to an instance, or proven back
 * @id: the instance
 * @cpu: the host CPU
 * @lent: true if lent
 */
void mk_held_cpu(s32 id, unsigned int cpu, bool lent)
{
	struct mk_held *h = mk_held_of(id);

	if (!h)
		return;
	spin_lock(&mk_held_lock);
	if (lent)
		cpumask_set_cpu(cpu, h->cpus);
	else
		cpumask_clear_cpu(cpu, h->cpus);
	spin_unlock(&mk_held_lock);
}

/**
 * mk_held_memory() - note memory lent to an instance, or back in the pool
 * @id: the instance
 * @size: bytes
 * @lent: true if lent
 */
void mk_held_memory(s32 id, u64 size, bool lent)
{
	struct mk_held *h = mk_held_of(id);

	if (!h)
		return;
	spin_lock(&mk_held_lock);
	if (lent)
		h->memory += size;
	else
		h->memory -= min(size, h->memory);
	spin_unlock(&mk_held_lock);
}

__bpf_kfunc_start_defs();

/**
 * bpf_multikernel_state() - the state of an instance
 * @id: its id
 *
 * Return: its enum mk_state; -ENOENT if no instance has @id.
 */
__bpf_kfunc int bpf_multikernel_state(s32 id)
{
	struct mk_held *h = mk_held_of(id);
	int ret = -ENOENT;

	if (!h)
		return ret;
	spin_lock(&mk_held_lock);
	if (h->exists)
		ret = h->state;
	spin_unlock(&mk_held_lock);
	return ret;
}

/**
 * bpf_multikernel_memory() - the pool memory an instance holds
 * @id: its id
 *
 * Return: bytes; -ENOENT if no instance has @id.
 */
__bpf_kfunc s64 bpf_multikernel_memory(s32 id)
{
	struct mk_held *h = mk_held_of(id);
	s64 ret = -ENOENT;

	if (!h)
		return ret;
	spin_lock(&mk_held_lock);
	if (h->exists)
		ret = h->memory;
	spin_unlock(&mk_held_lock);
	return ret;
}

/**
 * bpf_multikernel_nr_cpus() - how many host CPUs an instance holds
 * @id: its id
 *
 * Return: the count; -ENOENT if no instance has @id.
 */
__bpf_kfunc s32 bpf_multikernel_nr_cpus(s32 id)
{
	struct mk_held *h = mk_held_of(id);
	s32 ret = -ENOENT;

	if (!h)
		return ret;
	spin_lock(&mk_held_lock);
	if (h->exists)
		ret = cpumask_weight(h->cpus);
	spin_unlock(&mk_held_lock);
	return ret;
}

/**
 * bpf_multikernel_has_cpu() - whether an instance holds a host CPU
 * @id: its id
 * @cpu: the host CPU
 *
 * Return: 1 or 0; -ENOENT if no instance has @id; -EINVAL if @cpu is not
 * a possible CPU.
 */
__bpf_kfunc s32 bpf_multikernel_has_cpu(s32 id, u32 cpu)
{
	struct mk_held *h = mk_held_of(id);
	s32 ret = -ENOENT;

	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	if (!h)
		return ret;
	spin_lock(&mk_held_lock);
	if (h->exists)
		ret = cpumask_test_cpu(cpu, h->cpus);
	spin_unlock(&mk_held_lock);
	return ret;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(mk_kfunc_ids)
BTF_ID_FLAGS(func, bpf_multikernel_state)
BTF_ID_FLAGS(func, bpf_multikernel_memory)
BTF_ID_FLAGS(func, bpf_multikernel_nr_cpus)
BTF_ID_FLAGS(func, bpf_multikernel_has_cpu)
BTF_KFUNCS_END(mk_kfunc_ids)

static const struct btf_kfunc_id_set mk_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &mk_kfunc_ids,
};

/**
 * mk_policy_kfuncs_init() - allocate the table and register the kfuncs
 *
 * For struct_ops programs (policies) only.
 *
 * Return: 0, -ENOMEM, or the error of register_btf_kfunc_id_set().
 */
int __init mk_policy_kfuncs_init(void)
{
	struct mk_held *held;
	int i;

	held = kcalloc(MK_MAX_INSTANCES + 1, sizeof(*held), GFP_KERNEL);
	if (!held)
		return -ENOMEM;
	for (i = 0; i <= MK_MAX_INSTANCES; i++) {
		if (!zalloc_cpumask_var(&held[i].cpus, GFP_KERNEL))
			goto nomem;
	}
	mk_held = held;
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					 &mk_kfunc_set);
nomem:
	while (i--)
		free_cpumask_var(held[i].cpus);
	kfree(held);
	return -ENOMEM;
}
