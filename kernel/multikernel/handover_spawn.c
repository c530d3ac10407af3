// SPDX-License-Identifier: GPL-2.0-only
/*
 * A spawn's part of an upgrade: /sys/kernel/multikernel/self/handover.
 *
 * Two kernels of one instance meet in an upgrade.  The old one serves
 * until the host asks it to hand over; the successor boots beside it,
 * dark, with its regions closed, until the host activates it.  The file
 * says where this kernel stands and is how init answers:
 *
 *   none       not in an upgrade, or activated
 *   waiting    a successor, booting: init writes "ready" once its services
 *              wait to take over (they must not touch the regions yet)
 *   ready      a successor whose init said so; the host activates it after
 *              the old kernel handed over: then the regions appear under
 *              preserved/ and the file reads "none"
 *   requested  the host asks this kernel to hand over: init got SIGPWR;
 *              its services stop accepting, flush into their regions, and
 *              init, or the last service to stop, writes "done"
 *   done       handed over; the host stops this kernel soon
 *
 * Each change notifies pollers of the file.  The host's side of the
 * exchange are the words of the communication region: the requests in
 * host_request, which the heartbeat work passes here, and spawn_state,
 * where "ready" and "done" go as MULTIKERNEL_SPAWN_STANDBY and
 * MULTIKERNEL_SPAWN_HANDED_OVER.
 *
 * Locking: mk_handover_lock guards the state; the heartbeat work and
 * writers of the file take it, and it is never held across the sysfs
 * notification or the opening of the regions.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/kobject.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "internal.h"

enum mk_handover {
	MK_HO_NONE,
	MK_HO_WAITING,
	MK_HO_READY,
	MK_HO_REQUESTED,
	MK_HO_DONE,
};

static const char *const mk_handover_names[] = {
	[MK_HO_NONE]		= "none",
	[MK_HO_WAITING]		= "waiting",
	[MK_HO_READY]		= "ready",
	[MK_HO_REQUESTED]	= "requested",
	[MK_HO_DONE]		= "done",
};

static DEFINE_MUTEX(mk_handover_lock);
static enum mk_handover mk_handover_state;
static struct kobject *mk_handover_kobj;

static void mk_handover_changed(void)
{
	sysfs_notify(mk_handover_kobj, NULL, "handover");
}

static ssize_t handover_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	enum mk_handover state;

	mutex_lock(&mk_handover_lock);
	state = mk_handover_state;
	mutex_unlock(&mk_handover_lock);
	return sysfs_emit(buf, "%s\n", mk_handover_names[state]);
}

/* Move from @from to @to and report @word to the host, or -EBUSY. */
static int mk_handover_answer(enum mk_handover from, enum mk_handover to,
			      u32 word)
{
	int ret = -EBUSY;

	mutex_lock(&mk_handover_lock);
	if (mk_handover_state == from) {
		mk_handover_state = to;
		mk_spawn_report(word);
		ret = 0;
	}
	mutex_unlock(&mk_handover_lock);
	if (!ret)
		mk_handover_changed();
	return ret;
}

static ssize_t handover_store(struct kobject *kobj,
			      struct kobj_attribute *attr, const char *buf,
			      size_t count)
{
	int ret;

	if (sysfs_streq(buf, "ready"))
		ret = mk_handover_answer(MK_HO_WAITING, MK_HO_READY,
					 MULTIKERNEL_SPAWN_STANDBY);
	else if (sysfs_streq(buf, "done"))
		ret = mk_handover_answer(MK_HO_REQUESTED, MK_HO_DONE,
					 MULTIKERNEL_SPAWN_HANDED_OVER);
	else
		ret = -EINVAL;
	if (ret == -EBUSY)
		pr_info("handover: \"%.*s\" refused: nothing asks for it now\n",
			(int)min_t(size_t, strcspn(buf, "\n"), 8), buf);
	return ret ?: count;
}

static struct kobj_attribute mk_handover_attr = __ATTR_RW_MODE(handover, 0600);

/* The host asks for a handover: tell init, once. */
static void mk_handover_requested(void)
{
	bool first = false;

	mutex_lock(&mk_handover_lock);
	if (mk_handover_state == MK_HO_NONE) {
		mk_handover_state = MK_HO_REQUESTED;
		first = true;
	}
	mutex_unlock(&mk_handover_lock);
	if (!first)
		return;
	pr_info("the host asks for a handover to a successor\n");
	mk_handover_changed();
	kill_cad_pid(SIGPWR, 1);
}

/*
 * The host made this successor the instance: open the regions, then say
 * so, so that whoever sees "none" finds them.  Only the heartbeat work
 * calls this, so the regions open once.
 */
static void mk_handover_activated(void)
{
	bool waiting;

	mutex_lock(&mk_handover_lock);
	waiting = mk_handover_state == MK_HO_WAITING ||
		  mk_handover_state == MK_HO_READY;
	mutex_unlock(&mk_handover_lock);
	if (!waiting)
		return;
	if (mk_preserved_spawn_open())
		pr_warn("activated, but the preserved regions did not open\n");
	else
		pr_info("activated: this kernel now serves the instance\n");
	mutex_lock(&mk_handover_lock);
	mk_handover_state = MK_HO_NONE;
	mutex_unlock(&mk_handover_lock);
	mk_handover_changed();
}

/**
 * mk_handover_spawn_request() - act on the host's request word
 * @req: enum multikernel_host_request, as read from the region
 *
 * Called by the heartbeat work for every request but a power-off; a
 * request is acted on once, whatever the host writes afterwards.
 */
void mk_handover_spawn_request(u32 req)
{
	if (req == MULTIKERNEL_REQ_HANDOVER)
		mk_handover_requested();
	else if (req == MULTIKERNEL_REQ_ACTIVATE)
		mk_handover_activated();
}

/**
 * mk_handover_spawn_init() - make the handover file of this spawn
 * @self: the kobject of /sys/kernel/multikernel/self
 *
 * Return: 0 or the error of sysfs_create_file().
 */
int mk_handover_spawn_init(struct kobject *self)
{
	const struct multikernel_boot_info *bi = multikernel_spawn_info();

	mk_handover_kobj = self;
	if (bi->flags & MULTIKERNEL_BOOT_F_SUCCESSOR)
		mk_handover_state = MK_HO_WAITING;
	return sysfs_create_file(self, &mk_handover_attr.attr);
}
