// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel spawn console: the spawn's kernel log and its /dev/hvc0 tty
 * go through byte rings in the communication region, which the host reads
 * and writes.  Nothing here touches a device.
 *
 * From the platform setup on, a boot console writes through an early
 * mapping of the region.  Once ioremap works the hvc backend
 * (drivers/tty/hvc/hvc_multikernel.c) has the region remapped for good and
 * provides the console and tty the spawn's init uses (console=hvc0, which
 * the host puts on the command line), over the ring functions here.
 *
 * Locking: none.  The output ring has one producer in practice (printk's
 * console lock, or the hvc tty); interleaved writers may lose bytes, never
 * corrupt the ring's indices.  The remap runs under the console lock.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/console.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/multikernel.h>
#include <linux/string.h>

#include <asm/early_ioremap.h>

#include "spawn.h"

/* The region as mapped now: early mapping first, then a permanent one. */
static void *mk_comm_base;
static u64 mk_comm_phys __initdata;
static bool mk_comm_early __initdata;

static struct multikernel_comm *mk_comm(void)
{
	return mk_comm_base;
}

static struct multikernel_ring *mk_ring(unsigned long off)
{
	return mk_comm_base + off;
}

static char *mk_ring_data(unsigned long off)
{
	return mk_comm_base + off + sizeof(struct multikernel_ring);
}

/* Data bytes of a ring: the layout size less the header. */
#define MK_OUT_SIZE	(MULTIKERNEL_COMM_CONS_OUT_SIZE - sizeof(struct multikernel_ring))
#define MK_IN_SIZE	(MULTIKERNEL_COMM_CONS_IN_SIZE - sizeof(struct multikernel_ring))

/**
 * multikernel_console_write() - append to the spawn's console output ring
 * @s: the bytes
 * @n: how many
 *
 * The host reads behind us and drops what we overwrite before it gets
 * there; we never wait for it.  Does nothing outside a spawn.
 */
void multikernel_console_write(const char *s, unsigned int n)
{
	struct multikernel_ring *r;
	char *data;
	u64 head;

	if (!mk_comm_base)
		return;
	r = mk_ring(MULTIKERNEL_COMM_CONS_OUT);
	data = mk_ring_data(MULTIKERNEL_COMM_CONS_OUT);
	head = READ_ONCE(r->head);
	while (n--)
		data[head++ % MK_OUT_SIZE] = *s++;
	smp_wmb();	/* data before head */
	WRITE_ONCE(r->head, head);
}

/**
 * multikernel_console_read() - take what the host typed into the console
 * @buf: where to put it
 * @count: room in @buf
 *
 * Return: the number of bytes read, 0 when there are none.
 */
int multikernel_console_read(char *buf, int count)
{
	struct multikernel_ring *r;
	char *data;
	u64 head, tail;
	int n = 0;

	if (!mk_comm_base)
		return 0;
	r = mk_ring(MULTIKERNEL_COMM_CONS_IN);
	data = mk_ring_data(MULTIKERNEL_COMM_CONS_IN);
	head = READ_ONCE(r->head);
	tail = READ_ONCE(r->tail);
	smp_rmb();	/* head before data */
	if (head - tail > MK_IN_SIZE)
		tail = head - MK_IN_SIZE;
	while (tail != head && n < count)
		buf[n++] = data[tail++ % MK_IN_SIZE];
	smp_mb();	/* data read before the slots are given back */
	WRITE_ONCE(r->tail, tail);
	return n;
}

static void mk_bootcon_write(struct console *con, const char *s,
			     unsigned int n)
{
	multikernel_console_write(s, n);
}

static struct console mk_bootcon = {
	.name	= "mkboot",
	.write	= mk_bootcon_write,
	.flags	= CON_BOOT | CON_PRINTBUFFER,
	.index	= -1,
};

/**
 * mk_spawn_set_state() - tell the host how far the spawn got
 * @state: the new state
 */
void mk_spawn_set_state(enum multikernel_spawn_state state)
{
	if (mk_comm_base)
		WRITE_ONCE(mk_comm()->spawn_state, state);
}

/**
 * mk_spawn_comm() - the communication region, once mapped
 *
 * Return: its header, or NULL before the console is set up.
 */
struct multikernel_comm *mk_spawn_comm(void)
{
	return mk_comm_base ? mk_comm() : NULL;
}

/**
 * mk_spawn_panic() - tell the host the spawn panicked, and why
 * @msg: the panic message
 */
void mk_spawn_panic(const char *msg)
{
	if (!mk_comm_base)
		return;
	strscpy(mk_comm()->panic_msg, msg ?: "", sizeof(mk_comm()->panic_msg));
	mk_spawn_set_state(MULTIKERNEL_SPAWN_PANIC);
}

/**
 * mk_spawn_console_early() - start the boot console on the comm region
 * @comm_phys: physical address of the communication region
 * @comm_size: its size, at least MULTIKERNEL_COMM_MIN_SIZE
 *
 * Called from the platform setup, before memory management is up.
 */
void __init mk_spawn_console_early(u64 comm_phys, u64 comm_size)
{
	mk_comm_base = early_memremap(comm_phys, MULTIKERNEL_COMM_MIN_SIZE);
	if (!mk_comm_base)
		return;
	mk_comm_phys = comm_phys;
	mk_comm_early = true;
	mk_spawn_set_state(MULTIKERNEL_SPAWN_EARLY);
	register_console(&mk_bootcon);
}

/**
 * multikernel_console_map() - map the communication region for good
 *
 * Replaces the boot console's early mapping; called by the hvc backend
 * from its console initcall, when ioremap works.  Later calls do nothing.
 *
 * Return: 0; -ENODEV outside a spawn; -ENOMEM if it cannot be mapped.
 */
int __init multikernel_console_map(void)
{
	void *base;

	if (!mk_comm_base)
		return -ENODEV;
	if (!mk_comm_early)
		return 0;
	base = memremap(mk_comm_phys, MULTIKERNEL_COMM_MIN_SIZE, MEMREMAP_WB);
	if (!base) {
		pr_err("cannot map the communication region\n");
		return -ENOMEM;
	}
	console_lock();
	early_memunmap(mk_comm_base, MULTIKERNEL_COMM_MIN_SIZE);
	mk_comm_base = base;
	mk_comm_early = false;
	console_unlock();
	return 0;
}
