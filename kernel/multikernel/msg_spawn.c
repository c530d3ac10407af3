// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel messaging, spawn end: the channel to the host, and the
 * spawn's part of the lifecycle.  The lifecycle does not depend on the
 * rings, which another instance's traffic may fill: a timer-driven work
 * item increments the heartbeat word of the communication region and
 * reads the host's request word there (at once when a HOST_REQUEST
 * message prompts it); taking up a stop request is written to
 * spawn_state before the shutdown starts, and the requests of an
 * upgrade go to handover_spawn.c.  READY and PANIC messages only prompt
 * the host to look at those words at once.
 *
 * The spawn trusts its host, which could take its CPUs back at any time
 * anyway, but still only obeys control messages that come from it rather
 * than from another instance through it.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/multikernel.h>
#include <linux/reboot.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "msg.h"

/*
 * How often a running spawn tells the host it is alive, and how late it
 * may see a stop request.
 */
#define MK_HEARTBEAT_PERIOD	msecs_to_jiffies(100)
/* How often a stop request init has not acted on is made again. */
#define MK_STOP_RETRY		HZ

static struct mk_chan *mk_spawn_chan __ro_after_init;
static struct multikernel_comm *mk_spawn_hdr __ro_after_init;
static bool mk_heartbeat_paused;
static u64 mk_heartbeats;

static void mk_heartbeat(struct work_struct *work);
static DECLARE_DELAYED_WORK(mk_heartbeat_work, mk_heartbeat);

/*
 * Say the request is taken up, then shut down as asked: orderly_poweroff()
 * has init shut the system down.  An init that has not set up its handler
 * yet (the host may ask just after spawn_state says running, before init
 * ran a line) ignores the signal, so ask again every MK_STOP_RETRY until
 * the system goes down or the host forces the stop.  Heartbeat work only.
 */
static void mk_take_stop_request(void)
{
	static unsigned long asked;	/* jiffies of the last ask; 0: none */

	if (!asked) {
		WRITE_ONCE(mk_spawn_hdr->spawn_state,
			   MULTIKERNEL_SPAWN_STOPPING);
		pr_info("the host asks for a shutdown\n");
	} else if (time_before(jiffies, asked + MK_STOP_RETRY)) {
		return;
	}
	asked = jiffies ?: 1;
	orderly_poweroff(true);
}

static void mk_heartbeat(struct work_struct *work)
{
	u32 req = READ_ONCE(mk_spawn_hdr->host_request);

	if (!READ_ONCE(mk_heartbeat_paused))
		WRITE_ONCE(mk_spawn_hdr->heartbeat, ++mk_heartbeats);
	if (req == MULTIKERNEL_REQ_POWEROFF)
		mk_take_stop_request();
	else if (req != MULTIKERNEL_REQ_NONE)
		mk_handover_spawn_request(req);
	mod_delayed_work(system_wq, &mk_heartbeat_work, MK_HEARTBEAT_PERIOD);
}

/* The host wrote host_request and wants it seen now, not at the next beat. */
static void mk_on_host_request(struct mk_chan *ch,
			       const struct multikernel_msg *msg,
			       const void *payload)
{
	if (msg->src == MK_HOST_ID)
		mod_delayed_work(system_wq, &mk_heartbeat_work, 0);
}

/**
 * mk_spawn_report() - tell the host a new spawn_state
 * @state: MULTIKERNEL_SPAWN_STANDBY or MULTIKERNEL_SPAWN_HANDED_OVER
 *
 * The word carries it; the READY prompt only has the host look at once.
 */
void mk_spawn_report(u32 state)
{
	WRITE_ONCE(mk_spawn_hdr->spawn_state, state);
	multikernel_spawn_ready();
}

/**
 * mk_spawn_heartbeat_pause() - stop or resume the heartbeats, for tests
 * @pause: true to stop them
 */
void mk_spawn_heartbeat_pause(bool pause)
{
	WRITE_ONCE(mk_heartbeat_paused, pause);
}

/**
 * multikernel_spawn_ready() - prompt the host to see that init is next
 *
 * spawn_state says so already; the message only spares the host's
 * watchdog a period of waiting, so it is not sent when the ring is full.
 */
void multikernel_spawn_ready(void)
{
	if (mk_spawn_chan)
		mk_msg_send_try(mk_spawn_chan, MULTIKERNEL_MSG_READY, NULL, 0);
}

/**
 * multikernel_spawn_panic() - send the host a panic notice
 * @reason: the panic message
 *
 * Called from the panic notifier: does not wait for the channel's lock.
 */
void multikernel_spawn_panic(const char *reason)
{
	if (mk_spawn_chan)
		mk_msg_send_try(mk_spawn_chan, MULTIKERNEL_MSG_PANIC, reason,
				strnlen(reason, MK_REASON_LEN - 1));
}

static void mk_on_peer_gone(struct mk_chan *ch,
			    const struct multikernel_msg *msg,
			    const void *payload)
{
	u32 id;

	if (msg->src != MK_HOST_ID || msg->len != sizeof(id))
		return;
	memcpy(&id, payload, sizeof(id));
	mk_vsock_peer_gone(id);
}

static int __init mk_msg_spawn_init(void)
{
	const struct multikernel_boot_info *info = multikernel_spawn_info();
	struct mk_chan *ch;
	void *comm;
	int ret;

	if (!info)
		return 0;
	if (info->comm_size < MULTIKERNEL_COMM_MSG_END) {
		pr_warn("communication region too small for messages\n");
		return -ENOSPC;
	}
	comm = memremap(info->comm_phys, MULTIKERNEL_COMM_MSG_END, MEMREMAP_WB);
	if (!comm)
		return -ENOMEM;
	ch = mk_chan_create(comm, false, info->id, MK_HOST_ID,
			    info->host_apic_id);
	if (!ch) {
		memunmap(comm);
		return -ENOMEM;
	}
	ret = mk_msg_register_handler(MULTIKERNEL_MSG_PEER_GONE,
				      mk_on_peer_gone) ?:
	      mk_msg_register_handler(MULTIKERNEL_MSG_HOST_REQUEST,
				      mk_on_host_request) ?:
	      mk_chan_publish(ch);
	if (ret) {
		pr_err("cannot set up the channel to the host: %d\n", ret);
		mk_chan_put(ch);
		memunmap(comm);
		return ret;
	}
	mk_spawn_chan = ch;
	mk_spawn_hdr = comm;
	schedule_delayed_work(&mk_heartbeat_work, MK_HEARTBEAT_PERIOD);
	return 0;
}
device_initcall(mk_msg_spawn_init);
