// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel spawn: park this kernel's CPUs when the host takes them back.
 *
 * Before the host sends INIT to take its CPUs back it writes
 * MULTIKERNEL_STOP_PARK into the communication region and sends each CPU
 * an NMI.  INIT is blocked in VMX root operation and held pending while
 * GIF is clear, so the NMI handler first leaves VMX/SVM operation, the way
 * the crash and reboot paths do, then counts the CPU as parked and halts
 * it with interrupts off; it never returns.  An NMI without the stop word
 * is someone else's.  The spawn says in spawn_nmi_ready when the handler
 * is in place: an NMI before that would find only the early handlers, or
 * none at all.
 *
 * Nothing here is trusted by the host: the count only shortens its wait,
 * and only the host's own CPU bring-up proves a CPU came back.
 */

#include <linux/atomic.h>
#include <linux/init.h>
#include <linux/multikernel.h>

#include <asm/nmi.h>
#include <asm/reboot.h>

#include "spawn.h"

static int mk_park_nmi(unsigned int type, struct pt_regs *regs)
{
	struct multikernel_comm *comm = mk_spawn_comm();

	if (!comm || READ_ONCE(comm->host_stop) != MULTIKERNEL_STOP_PARK)
		return NMI_DONE;
	cpu_emergency_disable_virtualization();
	atomic_inc((atomic_t *)&comm->spawn_parked);
	mk_spawn_park();
}

/* Tell the host the stop NMI is handled only once it is. */
static int __init mk_park_init(void)
{
	struct multikernel_comm *comm = mk_spawn_comm();
	int ret;

	if (!multikernel_spawn_info() || !comm)
		return 0;
	ret = register_nmi_handler(NMI_LOCAL, mk_park_nmi, NMI_FLAG_FIRST,
				   "mk_park");
	if (!ret)
		WRITE_ONCE(comm->spawn_nmi_ready, 1);
	return ret;
}
early_initcall(mk_park_init);
