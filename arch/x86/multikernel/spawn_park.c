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
 * is someone else's.  Each CPU says in spawn_nmi_cpus when it takes the
 * NMI, from a CPU hotplug state that runs on it once it is online with
 * this kernel's IDT and until it goes offline: an NMI on a CPU still in
 * its start-up code, with no IDT or an empty one, would triple-fault and
 * shut the whole machine down.
 *
 * Nothing here is trusted by the host: the count only shortens its wait,
 * and only the host's own CPU bring-up proves a CPU came back.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cpuhotplug.h>
#include <linux/init.h>
#include <linux/multikernel.h>
#include <linux/smp.h>

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

/* The bit of this CPU in spawn_nmi_cpus: its slot in the boot record. */
static int mk_park_bit(unsigned int cpu)
{
	const struct multikernel_boot_info *bi = multikernel_spawn_info();
	u32 apic_id = cpu_physical_id(cpu);
	unsigned int i;

	for (i = 0; i < bi->nr_cpus; i++)
		if (bi->apic_ids[i] == apic_id)
			return i;
	for (i = 0; i < bi->nr_spare_cpus; i++)
		if (bi->spare_apic_ids[i] == apic_id)
			return bi->nr_cpus + i;
	return -1;
}

/* Runs on @cpu itself, once it is online and until it goes offline. */
static int mk_park_cpu_online(unsigned int cpu)
{
	int bit = mk_park_bit(cpu);

	if (bit >= 0)
		set_bit(bit, (unsigned long *)&mk_spawn_comm()->spawn_nmi_cpus);
	return 0;
}

static int mk_park_cpu_offline(unsigned int cpu)
{
	int bit = mk_park_bit(cpu);

	if (bit >= 0)
		clear_bit(bit, (unsigned long *)&mk_spawn_comm()->spawn_nmi_cpus);
	return 0;
}

/* Tell the host the stop NMI is handled, per CPU, only once it is. */
static int __init mk_park_init(void)
{
	int ret;

	if (!multikernel_spawn_info() || !mk_spawn_comm())
		return 0;
	ret = register_nmi_handler(NMI_LOCAL, mk_park_nmi, NMI_FLAG_FIRST,
				   "mk_park");
	if (ret)
		return ret;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "x86/multikernel:park",
				mk_park_cpu_online, mk_park_cpu_offline);
	if (ret < 0) {
		unregister_nmi_handler(NMI_LOCAL, "mk_park");
		return ret;
	}
	return 0;
}
early_initcall(mk_park_init);
