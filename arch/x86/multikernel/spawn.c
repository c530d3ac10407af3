// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel spawn platform: how a kernel started by a multikernel host
 * lives on the CPUs and memory it was given and nothing else.
 *
 * The host passes a SETUP_MULTIKERNEL record in boot_params' setup_data.
 * Detection follows the hypervisor-guest pattern (see jailhouse.c): the
 * record's presence selects x86_hyper_multikernel, whose init_platform
 * replaces every hook that would touch shared hardware: no PIC, PIT, HPET,
 * IOAPIC, ACPI, PCI, RTC, i8042, legacy UARTs, reset or power registers.
 * Timer and TSC rates and the wall clock come from the host.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/memory.h>
#include <linux/multikernel.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/reboot.h>
#include <linux/serial_8250.h>
#include <linux/smp.h>
#include <linux/string.h>

#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/bootparam.h>
#include <asm/cpufeature.h>
#include <asm/e820/api.h>
#include <asm/early_ioremap.h>
#include <asm/hypervisor.h>
#include <asm/i8259.h>
#include <asm/pci_x86.h>
#include <asm/reboot.h>
#include <asm/setup.h>
#include <asm/tsc.h>
#include <asm/x86_init.h>

#include "spawn.h"

static struct multikernel_boot_info mk_boot __ro_after_init;
static bool mk_is_spawn __ro_after_init;

/**
 * multikernel_spawn_info() - the boot record of this kernel, if a spawn
 *
 * Return: the record the host passed, or NULL when this kernel was not
 * started by a multikernel host.
 */
const struct multikernel_boot_info *multikernel_spawn_info(void)
{
	return mk_is_spawn ? &mk_boot : NULL;
}

/* The record as found, before it is checked: what a refusal reports. */
static u8 mk_boot_raw[sizeof(struct multikernel_boot_info)] __initdata;

/*
 * A record we cannot use: running on would make this a bare-metal kernel
 * on a machine that is not its own (firmware tables, PCI, every CPU).
 * Tell the host why, through the communication region if the record
 * locates one this kernel was given as reserved memory, and halt.
 */
static void __init __noreturn mk_refuse_boot(u32 len, const char *why)
{
	const struct multikernel_boot_info *raw = (const void *)mk_boot_raw;
	char msg[sizeof_field(struct multikernel_comm, panic_msg)];
	u64 phys, size;

	snprintf(msg, sizeof(msg), "boot record refused: %s (version %u, size %u, length %u)",
		 why, len >= sizeof(u32) ? raw->version : 0,
		 len >= 2 * sizeof(u32) ? raw->size : 0, len);
	if (!multikernel_boot_record_comm(mk_boot_raw, len, &phys, &size) &&
	    e820__mapped_all(phys, phys + size, E820_TYPE_RESERVED)) {
		mk_spawn_console_early(phys, size);
		pr_emerg("%s; halting\n", msg);
		mk_spawn_panic(msg);
	} else {
		pr_emerg("%s; no communication region to report to, halting\n",
			 msg);
	}
	mk_spawn_park();
}

/*
 * Find our record.  False if there is none: then this is no spawn.  A
 * record that is there but unusable does not return.
 */
static bool __init mk_read_boot_info(void)
{
	u64 pa = boot_params.hdr.setup_data;
	struct setup_data hdr;
	const char *why;
	void *map;
	u32 len;

	while (pa) {
		map = early_memremap(pa, sizeof(hdr));
		if (!map)
			return false;
		memcpy(&hdr, map, sizeof(hdr));
		early_memunmap(map, sizeof(hdr));
		if (hdr.type == SETUP_MULTIKERNEL)
			break;
		pa = hdr.next;
	}
	if (!pa)
		return false;

	len = min_t(u32, hdr.len, sizeof(mk_boot_raw));
	map = early_memremap(pa + sizeof(hdr), len);
	if (!map)
		mk_refuse_boot(0, "cannot map the record");
	memcpy(mk_boot_raw, map, len);
	early_memunmap(map, len);

	if (multikernel_boot_record_check(mk_boot_raw, hdr.len, &mk_boot, &why))
		mk_refuse_boot(hdr.len, why);
	return true;
}

static u32 __init mk_detect(void)
{
	mk_is_spawn = mk_read_boot_info();
	/* Beats any CPUID-based guess: the host said what we are. */
	return mk_is_spawn ? U32_MAX : 0;
}

static unsigned long mk_tsc_khz(void)
{
	return mk_boot.tsc_khz;
}

static unsigned long mk_cpu_khz(void)
{
	return mk_boot.cpu_khz ?: mk_boot.tsc_khz;
}

static void mk_get_wallclock(struct timespec64 *now)
{
	u64 ns = mk_boot.wall_nsec;

	if (mk_boot.tsc_khz)
		ns += div64_u64((rdtsc() - mk_boot.wall_tsc) * 1000000ULL,
				mk_boot.tsc_khz);
	now->tv_sec = mk_boot.wall_sec + div64_u64_rem(ns, NSEC_PER_SEC, &ns);
	now->tv_nsec = ns;
}

static unsigned char mk_get_nmi_reason(void)
{
	return 0;
}

static void __init mk_timer_init(void)
{
	lapic_timer_period = div_u64(mk_boot.lapic_timer_hz, HZ);
	if (!preset_lpj)
		preset_lpj = div_u64(mk_boot.loops_per_sec, HZ);
}

/*
 * The CPU list comes from the host, not from firmware tables, which
 * describe the whole machine.  The host's boot CPU goes first: the
 * topology code takes the first CPU it is told about for the real boot
 * CPU and, as the spawn does not start on it, refuses to ever start it
 * instead of assuming a crash kernel and limiting itself to one CPU.
 * The spare CPUs are registered as disabled, like firmware's hot-pluggable
 * ones: each gets a possible CPU number, so that the host can hand it
 * over while the spawn runs (spawn_cpus.c).
 */
static void __init mk_parse_smp_cfg(void)
{
	unsigned int i;

	register_lapic_address(APIC_DEFAULT_PHYS_BASE);
	topology_register_apic(mk_boot.host_bsp_apic_id, CPU_ACPIID_INVALID,
			       true);
	for (i = 0; i < mk_boot.nr_cpus; i++)
		topology_register_apic(mk_boot.apic_ids[i], CPU_ACPIID_INVALID,
				       true);
	for (i = 0; i < mk_boot.nr_spare_cpus; i++)
		topology_register_apic(mk_boot.spare_apic_ids[i],
				       CPU_ACPIID_INVALID, false);
	smp_found_config = 1;
}

/*
 * Memory the host adds later comes in blocks of the size it chose, which
 * must be this kernel's memory block size whatever the address of its
 * boot memory would make it.
 */
static void __init mk_set_memory_block_size(void)
{
#ifdef CONFIG_MEMORY_HOTPLUG
	if (mk_boot.mem_block_size &&
	    set_memory_block_size_order(ilog2(mk_boot.mem_block_size)))
		pr_warn("cannot use %llu-byte memory blocks: no memory can be added\n",
			mk_boot.mem_block_size);
#endif
}

static int __init mk_pci_arch_init(void)
{
	return 0;
}

static void mk_stop(enum multikernel_spawn_state state)
{
	mk_spawn_set_state(state);
	local_irq_disable();
	smp_send_stop();
	mk_spawn_park();
}

static void mk_restart(char *cmd)
{
	mk_stop(MULTIKERNEL_SPAWN_REBOOT);
}

static void mk_emergency_restart(void)
{
	mk_stop(MULTIKERNEL_SPAWN_REBOOT);
}

static void mk_halt(void)
{
	mk_stop(MULTIKERNEL_SPAWN_HALTED);
}

static void mk_crash_shutdown(struct pt_regs *regs)
{
}

static int mk_panic_notify(struct notifier_block *nb, unsigned long event,
			   void *msg)
{
	multikernel_spawn_panic(msg);
	mk_spawn_panic(msg);
	return NOTIFY_DONE;
}

static struct notifier_block mk_panic_nb = {
	.notifier_call	= mk_panic_notify,
	.priority	= INT_MAX,
};

#ifdef CONFIG_SERIAL_8250
/* The legacy UARTs are the host's: never probe them. */
static void mk_serial_fixup(int port, struct uart_port *up, u32 *capabilities)
{
	up->iobase = 0;
}
#endif

static void __init mk_init_platform(void)
{
	x86_init.irqs.pre_vector_init		= x86_init_noop;
	x86_init.timers.timer_init		= mk_timer_init;
	x86_init.timers.wallclock_init		= x86_init_noop;
	x86_init.mpparse.find_mptable		= x86_init_noop;
	x86_init.mpparse.early_parse_smp_cfg	= x86_init_noop;
	x86_init.mpparse.parse_smp_cfg		= mk_parse_smp_cfg;
	x86_init.resources.probe_roms		= x86_init_noop;
	x86_init.pci.arch_init			= mk_pci_arch_init;

	x86_platform.calibrate_tsc		= mk_tsc_khz;
	x86_platform.calibrate_cpu		= mk_cpu_khz;
	x86_platform.get_wallclock		= mk_get_wallclock;
	x86_platform.set_wallclock		= set_rtc_noop;
	x86_platform.get_nmi_reason		= mk_get_nmi_reason;
	x86_platform.legacy.rtc			= 0;
	x86_platform.legacy.warm_reset		= 0;
	x86_platform.legacy.i8042		= X86_LEGACY_I8042_PLATFORM_ABSENT;
	x86_platform.legacy.devices.pnpbios	= 0;

	legacy_pic				= &null_legacy_pic;

	machine_ops.restart			= mk_restart;
	machine_ops.emergency_restart		= mk_emergency_restart;
	machine_ops.halt			= mk_halt;
	machine_ops.power_off			= mk_halt;
	machine_ops.crash_shutdown		= mk_crash_shutdown;

	setup_force_cpu_cap(X86_FEATURE_TSC_KNOWN_FREQ);
	/*
	 * The host checked this TSC against its own clocks; a spawn has only
	 * jiffies to check it against, which its TSC-driven timer makes, and
	 * which are late whenever a CPU comes up or goes.
	 */
	setup_force_cpu_cap(X86_FEATURE_TSC_RELIABLE);

#ifdef CONFIG_PCI
	pci_probe = 0;
#endif
	disable_acpi();
#ifdef CONFIG_SERIAL_8250
	serial8250_set_isa_configurator(mk_serial_fixup);
#endif
	atomic_notifier_chain_register(&panic_notifier_list, &mk_panic_nb);

	mk_set_memory_block_size();
	mk_spawn_console_early(mk_boot.comm_phys, mk_boot.comm_size);
	pr_info("spawn \"%s\" (id %u) on %u CPU(s), %u more may be added\n",
		mk_boot.name, mk_boot.id, mk_boot.nr_cpus, mk_boot.nr_spare_cpus);
}

static bool __init mk_x2apic_available(void)
{
	return x2apic_enabled();
}

const struct hypervisor_x86 x86_hyper_multikernel __refconst = {
	.name			= "Multikernel",
	.detect			= mk_detect,
	.type			= X86_HYPER_MULTIKERNEL,
	.init.init_platform	= mk_init_platform,
	.init.x2apic_available	= mk_x2apic_available,
	.ignore_nopv		= true,
};

/* The kernel is about to start init: the instance is running. */
static int __init mk_spawn_running(void)
{
	if (mk_is_spawn) {
		mk_spawn_set_state(MULTIKERNEL_SPAWN_RUNNING);
		multikernel_spawn_ready();
	}
	return 0;
}
late_initcall_sync(mk_spawn_running);
