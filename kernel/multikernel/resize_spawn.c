// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel spawn: the host's resize requests.
 *
 * CPU_ADD, CPU_REMOVE, MEM_ADD and MEM_REMOVE arrive as requests on the
 * channel to the host.
 * Their handler runs in the channel's receive work, which must stay free
 * for the messages behind them, so it only checks and copies the request
 * and queues it to a kthread worker of its own, which can take the signal
 * that bounds a memory removal.  The worker runs one request at a time,
 * asks the architecture to bring a CPU up or take it down (spawn_cpus.c
 * on x86) or memory hotplug to add or remove memory (spawn_memory.c), and
 * answers with the request's struct and, on a refusal, the reason.
 *
 * The spawn trusts its host, but obeys only requests from it, not from
 * another instance through it.  The channel to the host lives as long as
 * the spawn, so a queued request needs no reference on it.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/delay.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/multikernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"
#include "msg.h"

/**
 * struct mk_resize_req - a resize request waiting for the worker
 * @work: the worker's item
 * @ch: the channel it came on
 * @hdr: its header, for the response
 * @rz: its payload
 */
struct mk_resize_req {
	struct kthread_work work;
	struct mk_chan *ch;
	struct multikernel_msg hdr;
	struct multikernel_resize rz;
};

static struct kthread_worker *mk_resize_worker;

static int mk_resize_run(struct mk_resize_req *r, char *why, size_t len)
{
	switch (r->hdr.type) {
	case MULTIKERNEL_MSG_CPU_ADD:
		return multikernel_arch_spawn_add_cpu(r->rz.apic_id, why, len);
	case MULTIKERNEL_MSG_CPU_REMOVE:
		return multikernel_arch_spawn_remove_cpu(r->rz.apic_id, why,
							 len);
	case MULTIKERNEL_MSG_MEM_ADD:
		return mk_spawn_mem_add(r->rz.phys, r->rz.size, why, len);
	case MULTIKERNEL_MSG_MEM_REMOVE:
		return mk_spawn_mem_remove(r->rz.phys, r->rz.size, why, len);
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * Test hook: write to a block this kernel has given back, as a buggy
 * spawn might, once the host has had time to clear it; the host must find
 * it when it hands the block out again.
 */
static void mk_resize_scribble(u64 phys)
{
	u8 *p;

	msleep(1000);
	p = memremap(phys, PAGE_SIZE, MEMREMAP_WB);
	if (!p)
		return;
	memset(p, 0xa5, 64);
	memunmap(p);
	pr_warn("wrote to memory at %#llx after giving it back, as the test hook asked\n",
		phys);
}

static void mk_resize_work(struct kthread_work *work)
{
	struct mk_resize_req *r = container_of(work, struct mk_resize_req,
					       work);
	struct mk_resize_resp resp = { .rz = r->rz };
	int fault = mk_test_resize_fault();
	int ret;

	if (fault == MK_TEST_RESIZE_SILENT)
		goto out;
	if (fault == MK_TEST_RESIZE_REFUSE) {
		ret = -EBUSY;
		strscpy(resp.why, "refused by the test hook", sizeof(resp.why));
	} else {
		ret = mk_resize_run(r, resp.why, sizeof(resp.why));
	}

	if (ret)
		pr_info("resize request %u refused: %s (%d)\n", r->hdr.type,
			resp.why, ret);
	mk_msg_reply(r->ch, &r->hdr, ret, &resp,
		     sizeof(resp.rz) + strnlen(resp.why, sizeof(resp.why)));
	if (!ret && fault == MK_TEST_RESIZE_SCRIBBLE &&
	    r->hdr.type == MULTIKERNEL_MSG_MEM_REMOVE)
		mk_resize_scribble(r->rz.phys);
out:
	kfree(r);
}

static void mk_on_resize(struct mk_chan *ch, const struct multikernel_msg *msg,
			 const void *payload)
{
	struct mk_resize_req *r;

	if (msg->src != MK_HOST_ID || !(msg->flags & MULTIKERNEL_MSG_F_REQUEST))
		return;
	if (msg->len != sizeof(r->rz)) {
		mk_msg_reply(ch, msg, -EINVAL, NULL, 0);
		return;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		mk_msg_reply(ch, msg, -ENOMEM, NULL, 0);
		return;
	}
	kthread_init_work(&r->work, mk_resize_work);
	r->ch = ch;
	r->hdr = *msg;
	memcpy(&r->rz, payload, sizeof(r->rz));
	kthread_queue_work(mk_resize_worker, &r->work);
}

static int __init mk_resize_spawn_init(void)
{
	if (!multikernel_spawn_info())
		return 0;
	mk_resize_worker = kthread_create_worker(0, "mk_resize");
	if (IS_ERR(mk_resize_worker)) {
		pr_warn("no resize worker: CPUs cannot be added or removed\n");
		return PTR_ERR(mk_resize_worker);
	}
	return mk_msg_register_handler(MULTIKERNEL_MSG_CPU_ADD, mk_on_resize) ?:
	       mk_msg_register_handler(MULTIKERNEL_MSG_CPU_REMOVE,
				       mk_on_resize) ?:
	       mk_msg_register_handler(MULTIKERNEL_MSG_MEM_ADD, mk_on_resize) ?:
	       mk_msg_register_handler(MULTIKERNEL_MSG_MEM_REMOVE,
				       mk_on_resize);
}
device_initcall(mk_resize_spawn_init);
