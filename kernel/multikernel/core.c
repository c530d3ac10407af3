// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel start-up: bring up the sysfs facts and the configfs control
 * tree.  This runs as a late initcall because configfs itself registers at
 * device level and kernel/ links before fs/.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/printk.h>

#include "internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/multikernel.h>

static int __init multikernel_init(void)
{
	int ret;

	ret = mk_sysfs_init();
	if (ret) {
		pr_err("cannot create /sys/kernel/multikernel: %d\n", ret);
		return ret;
	}
	if (!multikernel_spawn_info()) {
		ret = mk_msg_host_init();
		if (ret) {
			pr_err("cannot register the message handlers: %d\n",
			       ret);
			return ret;
		}
		/* Without policies the host works as before: no return. */
		ret = mk_policy_init();
		if (ret)
			pr_err("cannot register the BPF policy type: %d\n",
			       ret);
	}
	ret = mk_lifecycle_init();
	if (ret) {
		pr_err("cannot watch CPU hotplug: %d\n", ret);
		return ret;
	}
	if (mk_pool_present()) {
		ret = mk_host_ops_init();
		if (ret) {
			pr_err("cannot hook suspend and shutdown: %d\n", ret);
			return ret;
		}
	}
	ret = mk_configfs_init();
	if (ret)
		pr_err("cannot register the configfs subsystem: %d\n", ret);
	return ret;
}
late_initcall(multikernel_init);
