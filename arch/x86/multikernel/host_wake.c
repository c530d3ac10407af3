// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel host, x86: start a lent CPU in a loaded kernel, and take
 * lent CPUs back.
 *
 * The CPU is offline in the host (the CPU hotplug core parked it).  It is
 * started with INIT/SIPI into a copy of mk_tramp (wake_tramp.S) at the
 * start of the instance's own conventional-memory slice, never into the
 * host's trampoline: the host's real-mode code, page tables and kernel are
 * not involved.  The trampoline switches to long mode on a table in the
 * slice that maps only the slice, then to the instance's table, built in
 * the instance's own memory, which maps the slice and the instance's RAM
 * and nothing of the host.  Every instance has its slice and its table, so
 * starts need no lock of their own; the caller's run_lock serialises an
 * instance's start with its reclaim.
 *
 * Taking CPUs back is the generic code's business (lifecycle.c); here are
 * its three x86 steps: the stop NMI, on which a cooperating spawn leaves
 * VMX/SVM and parks; INIT, which stops a CPU unless it is in VMX root
 * operation or has GIF clear; and nothing else: the host's own CPU
 * bring-up, not anything here, proves the CPU came back.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/cc_platform.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/string.h>

#include <asm/apic.h>
#include <asm/init.h>
#include <asm/nmi.h>
#include <asm/pgtable.h>
#include <asm/smp.h>

#include "spawn.h"
#include "wake_tramp.h"

/* How long a woken CPU may take to reach the trampoline. */
#define MK_WAKE_TIMEOUT_US	(1000 * USEC_PER_MSEC)
#define MK_WAKE_POLL_US		100

/* Flags of the identity mappings: executable, not global, no C-bit. */
#define MK_PTE_FLAGS		(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | \
				 _PAGE_DIRTY)

/* Pages handed out from a range of instance memory, never freed. */
struct mk_pgt_pages {
	phys_addr_t next;
	phys_addr_t end;
};

static void *mk_take_pgt_page(void *context)
{
	struct mk_pgt_pages *pages = context;
	void *page;

	if (pages->next + PAGE_SIZE > pages->end)
		return NULL;
	page = __va(pages->next);
	pages->next += PAGE_SIZE;
	clear_page(page);
	return page;
}

/* Walk to the entry below @entry, making its table if there is none. */
static void *mk_next_table(unsigned long *entry, struct mk_pgt_pages *pages)
{
	void *table;

	if (*entry & _PAGE_PRESENT)
		return __va(*entry & PTE_PFN_MASK);
	table = mk_take_pgt_page(pages);
	if (table)
		*entry = __pa(table) | _KERNPG_TABLE_NOENC;
	return table;
}

/* Identity-map the slice [@start, @end) with 4 KiB pages into @pgd. */
static int mk_map_slice(pgd_t *pgd, phys_addr_t start, phys_addr_t end,
			struct mk_pgt_pages *pages)
{
	unsigned long *pud, *pmd, *pte;
	phys_addr_t pa;

	for (pa = start; pa < end; pa += PAGE_SIZE) {
		pud = mk_next_table((unsigned long *)&pgd[pgd_index(pa)], pages);
		pmd = pud ? mk_next_table(&pud[pud_index(pa)], pages) : NULL;
		if (pmd && (pmd[pmd_index(pa)] & _PAGE_PSE))
			return -EEXIST;
		pte = pmd ? mk_next_table(&pmd[pmd_index(pa)], pages) : NULL;
		if (!pte)
			return -ENOMEM;
		pte[pte_index(pa)] = pa | MK_PTE_FLAGS;
	}
	return 0;
}

/* The table the spawn enters on: its slice and its RAM, in its memory. */
static int mk_build_pgt(const struct multikernel_wake *w, phys_addr_t *cr3)
{
	struct mk_pgt_pages pages = {
		.next	= w->pgt_phys,
		.end	= w->pgt_phys + w->pgt_size,
	};
	struct x86_mapping_info info = {
		.alloc_pgt_page	= mk_take_pgt_page,
		.context	= &pages,
		.page_flag	= MK_PTE_FLAGS | _PAGE_PSE,
		.kernpg_flag	= _KERNPG_TABLE_NOENC,
	};
	pgd_t *pgd = mk_take_pgt_page(&pages);
	int ret;

	if (!pgd)
		return -ENOMEM;
	ret = kernel_ident_mapping_init(&info, pgd, w->ram_phys,
					w->ram_phys + w->ram_size);
	if (!ret)
		ret = mk_map_slice(pgd, w->low_phys, w->low_phys + MK_LOW_SLICE,
				   &pages);
	*cr3 = __pa(pgd);
	return ret;
}

/* Copy the trampoline into the slice and fill in its parameter block. */
static int mk_prepare_tramp(const struct multikernel_wake *w)
{
	struct mk_pgt_pages pages = {
		.next	= w->low_phys + MK_TP_PGT,
		.end	= w->low_phys + MK_TP_PGT + MK_TP_PGT_PAGES * PAGE_SIZE,
	};
	void *slice = __va(w->low_phys);
	u32 base = w->low_phys;
	phys_addr_t cr3;
	pgd_t *pgd;
	int ret;

	ret = mk_build_pgt(w, &cr3);
	if (ret)
		return ret;
	pgd = mk_take_pgt_page(&pages);
	ret = mk_map_slice(pgd, w->low_phys, w->low_phys + MK_LOW_SLICE, &pages);
	if (ret)
		return ret;

	memset(slice, 0, MK_TP_PGT);
	memcpy(slice, mk_tramp, mk_tramp_end - mk_tramp);
	*(u16 *)(slice + MK_TP_GDT_DESC) = 4 * 8 - 1;
	*(u32 *)(slice + MK_TP_GDT_DESC + 2) = base + MK_TP_GDT;
	*(u32 *)(slice + MK_TP_PM32) = base + (mk_tramp_pm32 - mk_tramp);
	*(u16 *)(slice + MK_TP_PM32 + 4) = MK_TP_CS32;
	*(u32 *)(slice + MK_TP_LM64) = base + (mk_tramp_lm64 - mk_tramp);
	*(u16 *)(slice + MK_TP_LM64 + 4) = MK_TP_CS64;
	*(u32 *)(slice + MK_TP_CR3_32) = __pa(pgd);
	*(u64 *)(slice + MK_TP_CR3) = cr3;
	*(u64 *)(slice + MK_TP_ENTRY) = w->entry;
	*(u64 *)(slice + MK_TP_BOOT_PARAMS) = w->boot_params;
	return 0;
}

static int mk_apicid(unsigned int cpu, u32 *apicid)
{
	*apicid = per_cpu(x86_cpu_to_apicid, cpu);
	return *apicid == BAD_APICID ? -ENODEV : 0;
}

/* Wait, bounded, for the woken CPU to reach the trampoline. */
static bool mk_wait_arrival(u32 *arrived)
{
	unsigned int waited;

	for (waited = 0; waited < MK_WAKE_TIMEOUT_US; waited += MK_WAKE_POLL_US) {
		if (READ_ONCE(*arrived))
			return true;
		usleep_range(MK_WAKE_POLL_US, 2 * MK_WAKE_POLL_US);
	}
	return READ_ONCE(*arrived);
}

/**
 * multikernel_arch_start_cpu() - start an offline CPU in a loaded kernel
 * @cpu: a CPU the host has taken offline
 * @w: where the kernel is and what the CPU may use on its way there
 *
 * Return: 0 once the CPU runs the trampoline; -EOPNOTSUPP on platforms that
 * do not start CPUs with INIT/SIPI, with 5-level paging or with host memory
 * encryption; -EINVAL for a
 * slice the trampoline cannot use; -ENOMEM if the page tables do not fit;
 * -EBUSY if @cpu is online; -ETIMEDOUT if the CPU did not arrive (it is then
 * left waiting for STARTUP).
 */
int multikernel_arch_start_cpu(unsigned int cpu,
			       const struct multikernel_wake *w)
{
	u32 *arrived = __va(w->low_phys + MK_TP_ARRIVED);
	u32 apicid;
	int ret;

	/*
	 * The trampoline enters 4-level paging without the encryption bit:
	 * a host with 5-level paging or memory encryption needs more.
	 */
	if (apic->wakeup_secondary_cpu_64 || apic->wakeup_secondary_cpu ||
	    pgtable_l5_enabled() || cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT))
		return -EOPNOTSUPP;
	if (!PAGE_ALIGNED(w->low_phys) || w->low_phys + MK_LOW_SLICE > SZ_1M)
		return -EINVAL;
	ret = mk_apicid(cpu, &apicid);
	if (ret)
		return ret;
	ret = mk_prepare_tramp(w);
	if (ret)
		return ret;
	if (cpu_online(cpu))
		return -EBUSY;
	smp_mb();	/* the trampoline before the wake-up */

	ret = multikernel_kick_apic(apicid, w->low_phys);
	if (!ret && !mk_wait_arrival(arrived))
		ret = -ETIMEDOUT;
	if (ret)
		multikernel_kick_apic(apicid, 0);
	return ret;
}

/**
 * multikernel_arch_stop_cpu() - send INIT to a lent CPU
 * @cpu: a CPU lent to an instance
 *
 * INIT stops the CPU and leaves it waiting for STARTUP, unless it is in
 * VMX root operation or has GIF clear, in which case nothing happens until
 * it leaves that state.  Whether it worked shows only when add_cpu() brings
 * the CPU up, or does not.
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
