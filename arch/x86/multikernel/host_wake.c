// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel host, x86: start a lent CPU in a loaded kernel, and take
 * lent CPUs back.
 *
 * The CPU is offline in the host (the CPU hotplug core parked it).  It is
 * woken by INIT/SIPI into the host's real-mode trampoline with the
 * trampoline's long-mode target pointed, for this one wake-up, at
 * mk_wake_stub (host_wake_64.S).  cpus_read_lock() keeps the host from
 * onlining a CPU through the trampoline meanwhile; mk_wake_lock keeps two
 * instances from starting at once.
 *
 * Taking CPUs back is the generic code's business (lifecycle.c); here are
 * its three x86 steps: the stop NMI, on which a cooperating spawn leaves
 * VMX/SVM and parks; INIT, which stops a CPU unless it is in VMX root
 * operation or has GIF clear; and nothing else: the host's own CPU
 * bring-up, not anything here, proves the CPU came back.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>

#include <asm/apic.h>
#include <asm/init.h>
#include <asm/nmi.h>
#include <asm/pgtable.h>
#include <asm/realmode.h>
#include <asm/smp.h>

#include "spawn.h"

/* Parameters of the wake-up in progress, read by mk_wake_stub. */
u64 mk_wake_cr3;
u64 mk_wake_entry;
u64 mk_wake_boot_params;
u32 mk_wake_arrived;

static DEFINE_MUTEX(mk_wake_lock);

/* How long a woken CPU may take to reach the stub. */
#define MK_WAKE_TIMEOUT_US	(1000 * USEC_PER_MSEC)
#define MK_WAKE_POLL_US		100

static void *mk_alloc_pgt_page(void *context)
{
	return (void *)get_zeroed_page(GFP_KERNEL);
}

static void mk_free_pgt_page(void *page, void *context)
{
	free_page((unsigned long)page);
}

static struct x86_mapping_info mk_ident_info = {
	.alloc_pgt_page	= mk_alloc_pgt_page,
	.free_pgt_page	= mk_free_pgt_page,
	.page_flag	= __PAGE_KERNEL_LARGE_EXEC & ~_PAGE_GLOBAL,
	.kernpg_flag	= _KERNPG_TABLE_NOENC,
};

/**
 * multikernel_arch_build_pgt() - page table a spawned kernel starts on
 * @start: first byte of the instance's memory, 2 MiB aligned
 * @end: byte after it, 2 MiB aligned
 *
 * Identity-maps [@start, @end) executable with 2 MiB pages and maps the
 * kernel image, where the wake-up stub runs.
 *
 * Return: the top-level table, or NULL without memory.
 */
void *multikernel_arch_build_pgt(phys_addr_t start, phys_addr_t end)
{
	unsigned int ki = pgd_index(__START_KERNEL_map);
	pgd_t *pgd = mk_alloc_pgt_page(NULL);

	if (!pgd)
		return NULL;
	if (kernel_ident_mapping_init(&mk_ident_info, pgd, start, end)) {
		kernel_ident_mapping_free(&mk_ident_info, pgd);
		return NULL;
	}
	/* Shared with init_top_pgt, never freed through this table. */
	pgd[ki] = init_top_pgt[ki];
	return pgd;
}

/**
 * multikernel_arch_free_pgt() - free a table from multikernel_arch_build_pgt()
 * @pgt: the table, or NULL
 */
void multikernel_arch_free_pgt(void *pgt)
{
	pgd_t *pgd = pgt;

	if (!pgd)
		return;
	pgd[pgd_index(__START_KERNEL_map)] = __pgd(0);
	kernel_ident_mapping_free(&mk_ident_info, pgd);
}

static int mk_apicid(unsigned int cpu, u32 *apicid)
{
	*apicid = per_cpu(x86_cpu_to_apicid, cpu);
	return *apicid == BAD_APICID ? -ENODEV : 0;
}

/* Wait, bounded, for the woken CPU to reach the stub. */
static bool mk_wait_arrival(void)
{
	unsigned int waited;

	for (waited = 0; waited < MK_WAKE_TIMEOUT_US; waited += MK_WAKE_POLL_US) {
		if (READ_ONCE(mk_wake_arrived))
			return true;
		usleep_range(MK_WAKE_POLL_US, 2 * MK_WAKE_POLL_US);
	}
	return READ_ONCE(mk_wake_arrived);
}

/**
 * multikernel_arch_start_cpu() - start an offline CPU in a loaded kernel
 * @cpu: a CPU the host has taken offline
 * @pgt: table from multikernel_arch_build_pgt(), mapping @entry and @bp
 * @entry: physical address of the kernel's 64-bit entry
 * @bp: physical address of its boot_params
 *
 * Return: 0 once the CPU runs the stub; -EOPNOTSUPP on platforms that do not
 * start CPUs with INIT/SIPI; -EBUSY if @cpu is online; -ETIMEDOUT if the CPU
 * did not arrive (it is then left waiting for STARTUP).
 */
int multikernel_arch_start_cpu(unsigned int cpu, void *pgt, u64 entry, u64 bp)
{
	struct trampoline_header *th;
	u64 saved_start;
	u32 apicid;
	int ret;

	if (apic->wakeup_secondary_cpu_64 || apic->wakeup_secondary_cpu)
		return -EOPNOTSUPP;
	ret = mk_apicid(cpu, &apicid);
	if (ret)
		return ret;

	mutex_lock(&mk_wake_lock);
	cpus_read_lock();
	if (cpu_online(cpu)) {
		ret = -EBUSY;
		goto out;
	}
	th = __va(real_mode_header->trampoline_header);
	saved_start = th->start;
	mk_wake_cr3 = __pa(pgt);
	mk_wake_entry = entry;
	mk_wake_boot_params = bp;
	WRITE_ONCE(mk_wake_arrived, 0);
	th->start = (u64)mk_wake_stub;
	smp_mb();	/* parameters before the wake-up */

	ret = multikernel_kick_apic(apicid, real_mode_header->trampoline_start);
	if (!ret && !mk_wait_arrival())
		ret = -ETIMEDOUT;
	if (ret) {
		multikernel_kick_apic(apicid, 0);
		*trampoline_lock = 0;
	}
	th->start = saved_start;
	smp_mb();	/* restored before the host onlines a CPU again */
out:
	cpus_read_unlock();
	mutex_unlock(&mk_wake_lock);
	return ret;
}

/**
 * multikernel_arch_stop_cpu() - stop a lent CPU, whatever it runs
 * @cpu: a CPU lent to an instance
 *
 * Sends INIT: the CPU stops at once and waits for STARTUP, so it no longer
 * touches the instance's memory.  add_cpu() brings it back to the host.
 */
void multikernel_arch_stop_cpu(unsigned int cpu)
{
	u32 apicid;

	if (!mk_apicid(cpu, &apicid))
		multikernel_kick_apic(apicid, 0);
}

/**
 * multikernel_arch_park_cpu() - send the stop NMI to a lent CPU
 * @cpu: a CPU lent to an instance
 *
 * Physical destination by APIC ID: the spawn programs its own logical
 * destinations.  The caller has written the stop word first.
 */
void multikernel_arch_park_cpu(unsigned int cpu)
{
	unsigned long flags;
	u32 apicid;

	if (mk_apicid(cpu, &apicid))
		return;
	local_irq_save(flags);
	apic_wait_icr_idle();
	apic_icr_write(APIC_DM_NMI | APIC_DEST_PHYSICAL, apicid);
	local_irq_restore(flags);
}

/**
 * multikernel_arch_lent_changed() - the set of lent CPUs changed
 *
 * Lent CPUs run another kernel: IPI shorthand broadcasts would reach it.
 * The APIC code re-evaluates the shorthand on every CPU hotplug operation;
 * lending a CPU that was offline already is not one, so ask here too.
 */
void multikernel_arch_lent_changed(void)
{
	apic_smt_update();
}

/**
 * multikernel_arch_ipi_broadcast() - tell whether IPI shorthand is in use
 *
 * Return: true if the host sends IPIs to all other CPUs as a broadcast.
 */
bool multikernel_arch_ipi_broadcast(void)
{
	return apic_ipi_shorthand_enabled();
}

/*
 * A CPU the spawn never started still sits in the host's play_dead when
 * the stop NMI reaches it: the NMI is ours, not an unknown one.
 */
static int mk_offline_nmi(unsigned int type, struct pt_regs *regs)
{
	unsigned int cpu = smp_processor_id();

	if (cpu_online(cpu) || !multikernel_cpu_lent(cpu))
		return NMI_DONE;
	return NMI_HANDLED;
}

static int __init mk_host_nmi_init(void)
{
	if (multikernel_spawn_info())
		return 0;
	return register_nmi_handler(NMI_LOCAL, mk_offline_nmi, 0, "mk_lent");
}
early_initcall(mk_host_nmi_init);
