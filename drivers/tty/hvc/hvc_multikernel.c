// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvc backend for multikernel spawns: /dev/hvc0 and the console over the
 * byte rings in the communication region the host shares with the spawn
 * (the ring functions live with the spawn platform code).  The hvc core
 * polls for input; output never waits for the host.
 */

#include <linux/console.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/multikernel.h>

#include "hvc_console.h"

#define MK_HVC_VTERM	0

static ssize_t mk_hvc_put_chars(u32 vtermno, const u8 *buf, size_t count)
{
	multikernel_console_write(buf, count);
	return count;
}

static ssize_t mk_hvc_get_chars(u32 vtermno, u8 *buf, size_t count)
{
	return multikernel_console_read(buf, count);
}

static const struct hv_ops mk_hvc_ops = {
	.get_chars = mk_hvc_get_chars,
	.put_chars = mk_hvc_put_chars,
};

/* The console: as soon as the region can be mapped for good. */
static int __init mk_hvc_console_init(void)
{
	if (!multikernel_spawn_info() || multikernel_console_map())
		return 0;
	hvc_instantiate(MK_HVC_VTERM, 0, &mk_hvc_ops);
	return 0;
}
console_initcall(mk_hvc_console_init);

/* The tty behind /dev/hvc0. */
static int __init mk_hvc_init(void)
{
	struct hvc_struct *hp;

	if (!multikernel_spawn_info() || multikernel_console_map())
		return 0;
	hp = hvc_alloc(MK_HVC_VTERM, 0, &mk_hvc_ops, 256);
	return PTR_ERR_OR_ZERO(hp);
}
device_initcall(mk_hvc_init);
