// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel BPF policies: the struct_ops type multikernel_ops.
 *
 * A policy is a set of BPF programs, one per hook of struct multikernel_ops
 * (policy.h), attached through a BPF link.  One policy is enabled at a
 * time; attaching a second fails with EBUSY.  The lifecycle calls
 * mk_policy_admit(), mk_policy_crashed() and mk_policy_heartbeat_lost()
 * with run_lock held, the host's route mk_policy_msg_filter() from a
 * channel's receive work; none of them holds mk_instances_lock or a
 * spinlock while a program runs, and no program can sleep (check_member
 * refuses sleepable programs), so a policy cannot hold up a teardown.
 *
 * Each call copies what the program may see into a snapshot, runs the
 * program and checks its return value.  A value out of range, or a restart
 * asked for beyond the instance's restart_limit, detaches the policy at
 * once, the way sched_ext ejects a scheduler: one log line, a
 * multikernel_policy event with verdict "detached", and the call that saw
 * the value gets the built-in behaviour, as does every call after it.  The
 * link stays until user space closes or unpins it; sysfs shows the policy
 * as detached with the reason.  A detached policy does not count against
 * the one-at-a-time rule.
 *
 * Locking: mk_ops (the enabled policy, read by the hooks under RCU) and
 * the record sysfs shows change only under mk_policy_lock, a spinlock,
 * so that a hook can detach its policy from any context.  unreg() waits
 * for an RCU grace period after clearing mk_ops: no hook runs the
 * program of a policy whose struct_ops map may be freed.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <uapi/linux/virtio_vsock.h>

#include <trace/events/multikernel.h>

#include "internal.h"
#include "policy.h"

/**
 * enum mk_policy_state - what became of the policy last attached
 * @MK_POLICY_NONE: none is attached
 * @MK_POLICY_ENABLED: its hooks run
 * @MK_POLICY_DETACHED: it misbehaved; its link may still exist
 */
enum mk_policy_state {
	MK_POLICY_NONE,
	MK_POLICY_ENABLED,
	MK_POLICY_DETACHED,
};

static DEFINE_SPINLOCK(mk_policy_lock);
/* The enabled policy, or NULL. */
static struct multikernel_ops __rcu *mk_ops;
/* The policy last attached and what became of it, for sysfs. */
static const struct multikernel_ops *mk_policy_last;
static enum mk_policy_state mk_policy_state;
static char mk_policy_name[MK_POLICY_NAME_LEN];
static char mk_policy_reason[MK_REASON_LEN];

/* Detach @ops, if it is still the enabled policy, for what @hook returned. */
static void mk_policy_eject(struct multikernel_ops *ops, const char *hook,
			    u32 id, int ret, const char *why)
{
	bool ejected = false;

	spin_lock(&mk_policy_lock);
	if (rcu_access_pointer(mk_ops) == ops) {
		RCU_INIT_POINTER(mk_ops, NULL);
		mk_policy_state = MK_POLICY_DETACHED;
		snprintf(mk_policy_reason, sizeof(mk_policy_reason),
			 "%s() returned %d: %s", hook, ret, why);
		ejected = true;
	}
	spin_unlock(&mk_policy_lock);
	if (!ejected)
		return;
	pr_warn("policy %s detached: %s() returned %d: %s\n", ops->name, hook,
		ret, why);
	trace_multikernel_policy(ops->name, hook, id, ret, "detached");
}

/* What every hook about one instance sees; run_lock held. */
static void mk_policy_info(struct mk_instance *inst, enum mk_state state,
			   struct multikernel_instance_info *info)
{
	memset(info, 0, sizeof(*info));
	strscpy(info->name, mk_instance_name(inst), sizeof(info->name));
	info->id = inst->id;
	info->state = state;
	mutex_lock(&mk_instances_lock);
	info->nr_cpus = cpumask_weight(inst->cpus);
	info->first_cpu = info->nr_cpus ? cpumask_first(inst->cpus) : -1;
	info->last_cpu = info->nr_cpus ? cpumask_last(inst->cpus) : -1;
	info->memory = inst->memory;
	info->restart_limit = inst->restart_limit;
	info->heartbeat_timeout_ms = inst->heartbeat_timeout_ms;
	mutex_unlock(&mk_instances_lock);
	info->restarts = inst->restarts;
	info->grants = inst->hb_grants;
	info->boot_ms = inst->boot_ms;
	strscpy(info->reason, inst->reason, sizeof(info->reason));
}

/**
 * mk_policy_admit() - ask the policy whether an instance may start
 * @inst: an instance in state starting; caller holds run_lock
 *
 * Return: 0 to go on; the negative errno the policy refused the start with.
 */
int mk_policy_admit(struct mk_instance *inst)
{
	struct multikernel_instance_info info;
	struct multikernel_ops *ops;
	int ret = 0;

	if (!rcu_access_pointer(mk_ops))
		return 0;
	mk_policy_info(inst, MK_STARTING, &info);
	rcu_read_lock();
	ops = rcu_dereference(mk_ops);
	if (ops && ops->admit) {
		ret = ops->admit(&info);
		if (ret > 0 || ret < -MAX_ERRNO) {
			mk_policy_eject(ops, "admit", info.id, ret,
					"not 0 or a negative errno");
			ret = 0;
		} else {
			trace_multikernel_policy(ops->name, "admit", info.id,
						 ret, ret ? "refuse" : "allow");
			if (ret)
				pr_info("%s: start rejected by policy %s: %d\n",
					info.name, ops->name, ret);
		}
	}
	rcu_read_unlock();
	return ret;
}

/**
 * mk_policy_crashed() - ask the policy what to do with a crashed instance
 * @inst: an instance that crashed and gave everything back; caller holds
 *	run_lock
 *
 * Return: the delay in ms after which to restart it, at least
 * MK_RESTART_MIN_DELAY_MS; -1 to leave it crashed.
 */
int mk_policy_crashed(struct mk_instance *inst)
{
	struct multikernel_instance_info info;
	struct multikernel_ops *ops;
	int ret = -1;

	if (!rcu_access_pointer(mk_ops))
		return -1;
	mk_policy_info(inst, MK_CRASHED, &info);
	rcu_read_lock();
	ops = rcu_dereference(mk_ops);
	if (!ops || !ops->crashed)
		goto out;
	ret = ops->crashed(&info);
	if (ret > MK_RESTART_MAX_DELAY_MS) {
		mk_policy_eject(ops, "crashed", info.id, ret,
				"a delay above 3600000 ms");
		ret = -1;
	} else if (ret >= 0 && info.restarts >= info.restart_limit) {
		mk_policy_eject(ops, "crashed", info.id, ret,
				"a restart beyond the instance's restart_limit");
		ret = -1;
	} else if (ret < 0) {
		trace_multikernel_policy(ops->name, "crashed", info.id, ret,
					 "stay");
		ret = -1;
	} else {
		trace_multikernel_policy(ops->name, "crashed", info.id, ret,
					 "restart");
		ret = max(ret, MK_RESTART_MIN_DELAY_MS);
	}
out:
	rcu_read_unlock();
	return ret;
}

/**
 * mk_policy_heartbeat_lost() - ask the policy about a silent instance
 * @inst: a running instance silent past its heartbeat timeout; caller
 *	holds run_lock
 * @silent_ms: how long it has been silent
 *
 * Return: how many ms more to wait; 0 to crash it now.
 */
unsigned int mk_policy_heartbeat_lost(struct mk_instance *inst, u64 silent_ms)
{
	struct multikernel_instance_info info;
	struct multikernel_ops *ops;
	int ret = 0;

	if (!rcu_access_pointer(mk_ops))
		return 0;
	mk_policy_info(inst, MK_RUNNING, &info);
	info.silent_ms = silent_ms;
	rcu_read_lock();
	ops = rcu_dereference(mk_ops);
	if (ops && ops->heartbeat_lost) {
		ret = ops->heartbeat_lost(&info);
		if (ret < 0 || ret > MK_HEARTBEAT_GRACE_MAX_MS) {
			mk_policy_eject(ops, "heartbeat_lost", info.id, ret,
					"not 0 to 60000 ms");
			ret = 0;
		} else {
			trace_multikernel_policy(ops->name, "heartbeat_lost",
						 info.id, ret,
						 ret ? "grace" : "crash");
		}
	}
	rcu_read_unlock();
	return ret;
}

/* The filter's view of a message; vsock fields from its one header copy. */
static void mk_policy_msg_info(const struct multikernel_msg *msg,
			       const void *payload,
			       struct multikernel_msg_info *info)
{
	struct virtio_vsock_hdr hdr;

	memset(info, 0, sizeof(*info));
	info->type = msg->type;
	info->len = msg->len;
	if (msg->type != MULTIKERNEL_MSG_VSOCK || msg->len < sizeof(hdr))
		return;
	memcpy(&hdr, payload, sizeof(hdr));
	info->vsock_op = le16_to_cpu(hdr.op);
	info->src_cid = le64_to_cpu(hdr.src_cid);
	info->dst_cid = le64_to_cpu(hdr.dst_cid);
	info->src_port = le32_to_cpu(hdr.src_port);
	info->dst_port = le32_to_cpu(hdr.dst_port);
}

/**
 * mk_policy_msg_filter() - ask the policy whether to route a message
 * @src: the instance that sent it
 * @msg: its header, as received; msg->dst is the instance it is for
 * @payload: its payload, msg->len bytes, already copied from the ring
 *
 * From the receive work of @src's channel.  A message that waited for room
 * in its destination's ring is offered again, and filtered again.
 *
 * Return: 0 to route it; the negative errno it is dropped with.
 */
int mk_policy_msg_filter(u32 src, const struct multikernel_msg *msg,
			 const void *payload)
{
	struct multikernel_msg_info info;
	struct multikernel_ops *ops;
	int ret = 0;

	if (!rcu_access_pointer(mk_ops))
		return 0;
	mk_policy_msg_info(msg, payload, &info);
	rcu_read_lock();
	ops = rcu_dereference(mk_ops);
	if (ops && ops->msg_filter) {
		ret = ops->msg_filter(src, msg->dst, &info);
		if (ret > 0 || ret < -MAX_ERRNO) {
			mk_policy_eject(ops, "msg_filter", src, ret,
					"not 0 or a negative errno");
			ret = 0;
		} else {
			trace_multikernel_policy(ops->name, "msg_filter", src,
						 ret, ret ? "drop" : "pass");
		}
	}
	rcu_read_unlock();
	return ret;
}

/* The stubs only give each member its type; no policy member calls them. */
static int mk_ops_admit(const struct multikernel_instance_info *inst)
{
	return 0;
}

static int mk_ops_crashed(const struct multikernel_instance_info *inst)
{
	return -1;
}

static int mk_ops_heartbeat_lost(const struct multikernel_instance_info *inst)
{
	return inst ? 0 : -EINVAL;
}

static int mk_ops_msg_filter(s32 src, s32 dst,
			     const struct multikernel_msg_info *msg)
{
	return 0;
}

static struct multikernel_ops mk_ops_stubs = {
	.admit		= mk_ops_admit,
	.crashed	= mk_ops_crashed,
	.heartbeat_lost	= mk_ops_heartbeat_lost,
	.msg_filter	= mk_ops_msg_filter,
};

static const struct bpf_func_proto *
mk_ops_get_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	return bpf_base_func_proto(func_id, prog);
}

/* Arguments are read only; there is no btf_struct_access: no writes. */
static bool mk_ops_is_valid_access(int off, int size,
				   enum bpf_access_type type,
				   const struct bpf_prog *prog,
				   struct bpf_insn_access_aux *info)
{
	return bpf_tracing_btf_ctx_access(off, size, type, prog, info);
}

static const struct bpf_verifier_ops mk_ops_verifier_ops = {
	.get_func_proto		= mk_ops_get_func_proto,
	.is_valid_access	= mk_ops_is_valid_access,
};

static int mk_ops_init(struct btf *btf)
{
	return 0;
}

/* The filter runs where it cannot sleep, the others hold run_lock. */
static int mk_ops_check_member(const struct btf_type *t,
			       const struct btf_member *member,
			       const struct bpf_prog *prog)
{
	return prog->sleepable ? -EINVAL : 0;
}

static int mk_ops_init_member(const struct btf_type *t,
			      const struct btf_member *member,
			      void *kdata, const void *udata)
{
	const struct multikernel_ops *uops = udata;
	struct multikernel_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;
	int ret;

	if (moff != offsetof(struct multikernel_ops, name))
		return 0;
	ret = mk_copy_policy_name(ops->name, uops->name);
	return ret ?: 1;
}

static int mk_ops_reg(void *kdata, struct bpf_link *link)
{
	struct multikernel_ops *ops = kdata;
	int ret = 0;

	/* Without a link nothing would ever detach it: refuse. */
	if (!link) {
		pr_info("policy %s rejected: not attached through a link\n",
			ops->name);
		return -EOPNOTSUPP;
	}
	spin_lock(&mk_policy_lock);
	if (rcu_access_pointer(mk_ops)) {
		ret = -EBUSY;
	} else {
		rcu_assign_pointer(mk_ops, ops);
		mk_policy_last = ops;
		mk_policy_state = MK_POLICY_ENABLED;
		strscpy(mk_policy_name, ops->name, sizeof(mk_policy_name));
		mk_policy_reason[0] = '\0';
	}
	spin_unlock(&mk_policy_lock);
	if (ret)
		pr_info("policy %s rejected: another policy is attached\n",
			ops->name);
	else
		pr_info("policy %s attached\n", ops->name);
	return ret;
}

static void mk_ops_unreg(void *kdata, struct bpf_link *link)
{
	struct multikernel_ops *ops = kdata;

	spin_lock(&mk_policy_lock);
	if (rcu_access_pointer(mk_ops) == ops)
		RCU_INIT_POINTER(mk_ops, NULL);
	if (mk_policy_last == ops) {
		mk_policy_last = NULL;
		mk_policy_state = MK_POLICY_NONE;
		mk_policy_name[0] = '\0';
		mk_policy_reason[0] = '\0';
	}
	spin_unlock(&mk_policy_lock);
	/* A hook may still run it: the map goes only after this. */
	synchronize_rcu();
	pr_info("policy %s removed\n", ops->name);
}

static struct bpf_struct_ops mk_bpf_ops = {
	.verifier_ops	= &mk_ops_verifier_ops,
	.init		= mk_ops_init,
	.check_member	= mk_ops_check_member,
	.init_member	= mk_ops_init_member,
	.reg		= mk_ops_reg,
	.unreg		= mk_ops_unreg,
	.cfi_stubs	= &mk_ops_stubs,
	.name		= "multikernel_ops",
	.owner		= THIS_MODULE,
};

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	ssize_t len;

	spin_lock(&mk_policy_lock);
	len = sysfs_emit(buf, "%s\n", mk_policy_name);
	spin_unlock(&mk_policy_lock);
	return len;
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	static const char *const words[] = {
		[MK_POLICY_NONE]	= "none",
		[MK_POLICY_ENABLED]	= "enabled",
		[MK_POLICY_DETACHED]	= "detached",
	};
	enum mk_policy_state state;

	spin_lock(&mk_policy_lock);
	state = mk_policy_state;
	spin_unlock(&mk_policy_lock);
	return sysfs_emit(buf, "%s\n", words[state]);
}

static ssize_t reason_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	ssize_t len;

	spin_lock(&mk_policy_lock);
	len = sysfs_emit(buf, "%s\n", mk_policy_reason);
	spin_unlock(&mk_policy_lock);
	return len;
}

static struct kobj_attribute mk_policy_name_attr = __ATTR_RO(name);
static struct kobj_attribute mk_policy_state_attr = __ATTR_RO(state);
static struct kobj_attribute mk_policy_reason_attr = __ATTR_RO(reason);

static struct attribute *mk_policy_attrs[] = {
	&mk_policy_name_attr.attr,
	&mk_policy_state_attr.attr,
	&mk_policy_reason_attr.attr,
	NULL,
};

static const struct attribute_group mk_policy_group = {
	.name	= "policy",
	.attrs	= mk_policy_attrs,
};

/**
 * mk_policy_init() - register multikernel_ops, its kfuncs and policy/
 *
 * Host only; from the late initcall, as kfunc registration requires, after
 * mk_sysfs_init().
 *
 * Return: 0 or the error of a registration.
 */
int __init mk_policy_init(void)
{
	int ret;

	ret = mk_policy_kfuncs_init();
	if (!ret)
		ret = register_bpf_struct_ops(&mk_bpf_ops, multikernel_ops);
	if (!ret)
		ret = mk_sysfs_add_group(&mk_policy_group);
	return ret;
}
