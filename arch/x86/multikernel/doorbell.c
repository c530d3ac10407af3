// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel doorbell, x86: a fixed IPI on MULTIKERNEL_VECTOR sent to a
 * physical APIC ID, which may belong to a CPU of another kernel.  The
 * handler acknowledges it and lets the generic code look at the rings.
 */

#include <linux/multikernel.h>

#include <asm/apic.h>
#include <asm/idtentry.h>
#include <asm/irq_vectors.h>
#include <asm/smp.h>

/**
 * multikernel_arch_doorbell_id() - where doorbells for a CPU go
 * @cpu: a logical CPU of this kernel
 *
 * Return: its APIC ID.
 */
u32 multikernel_arch_doorbell_id(unsigned int cpu)
{
	return per_cpu(x86_cpu_to_apicid, cpu);
}

/**
 * multikernel_arch_doorbell() - ring the kernel that runs on a CPU
 * @id: the APIC ID of that CPU, as multikernel_arch_doorbell_id() gave it
 *
 * Any context.
 */
void multikernel_arch_doorbell(u32 id)
{
	unsigned long flags;

	local_irq_save(flags);
	apic_wait_icr_idle();
	apic_icr_write(APIC_DM_FIXED | APIC_DEST_PHYSICAL | MULTIKERNEL_VECTOR,
		       id);
	local_irq_restore(flags);
}

DEFINE_IDTENTRY_SYSVEC(sysvec_multikernel)
{
	apic_eoi();
	multikernel_doorbell();
}
