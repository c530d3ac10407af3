// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel spawn: CPUs the host adds and takes back while the spawn runs.
 *
 * The boot record lists spare CPUs, which the spawn registered as disabled
 * at boot (spawn.c), so that each has a possible CPU number, a per-CPU area
 * and an idle task.  To add one the host takes it offline and sends it INIT
 * first; the spawn then makes it present, gives it a CPU device and brings
 * it up with its own CPU hotplug, INIT and SIPI into its own trampoline, as
 * at boot.  To remove one the spawn takes it down with its own CPU hotplug
 * and then forgets it: no device, not present, so that nothing in the
 * spawn, its user space included, can start it again.  Only after that
 * does the host send INIT and bring the CPU up itself.
 *
 * Any CPU can go, the first one included: a spawn has no firmware, no
 * suspend and no legacy timer that would need it, so its device is made
 * removable when it is asked for.
 *
 * Locking: the device hotplug lock is held across each operation, so that
 * the spawn's user space cannot online or offline the CPU in the middle;
 * the topology and device changes are made under cpu_maps_update_begin()
 * and the CPU hotplug write lock, as ACPI processor hotplug does.  The
 * caller (resize_spawn.c) runs one operation at a time.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/cpu.h>
#include <linux/device.h>
#include <linux/multikernel.h>
#include <linux/smp.h>

#include <asm/apic.h>
#include <asm/realmode.h>

/* The present CPU with @apic_id, or -ENOENT. */
static int mk_spawn_cpu_of(u32 apic_id)
{
	unsigned int cpu;

	for_each_present_cpu(cpu)
		if (cpu_physical_id(cpu) == apic_id)
			return cpu;
	return -ENOENT;
}

/*
 * Make a spare present, with a CPU device: its number, or an error.  The
 * topology code has the calls for this only with ACPI CPU hotplug.
 */
static int mk_spawn_cpu_plug(u32 apic_id)
{
	int cpu, ret;

	if (!IS_ENABLED(CONFIG_ACPI_HOTPLUG_CPU))
		return -EOPNOTSUPP;
	cpu_maps_update_begin();
	cpus_write_lock();
	cpu = topology_hotplug_apic(apic_id, CPU_ACPIID_INVALID);
	if (cpu >= 0 && !get_cpu_device(cpu)) {
		ret = arch_register_cpu(cpu);
		if (ret) {
			topology_hotunplug_apic(cpu);
			cpu = ret;
		}
	}
	/*
	 * A CPU of an earlier add that failed may have taken the trampoline's
	 * lock before the host's INIT stopped it; no CPU is being started now.
	 */
	if (cpu >= 0)
		WRITE_ONCE(*trampoline_lock, 0);
	cpus_write_unlock();
	cpu_maps_update_done();
	return cpu;
}

/* Forget an offline CPU: no device, not present. */
static void mk_spawn_cpu_unplug(unsigned int cpu)
{
	cpu_maps_update_begin();
	cpus_write_lock();
	if (get_cpu_device(cpu))
		arch_unregister_cpu(cpu);
	topology_hotunplug_apic(cpu);
	cpus_write_unlock();
	cpu_maps_update_done();
}

/**
 * multikernel_arch_spawn_add_cpu() - bring up a CPU the host handed over
 * @apic_id: its APIC ID, one of the boot record's spare CPUs
 * @why: set to the reason when it fails
 * @len: room at @why
 *
 * Return: 0, also when the CPU runs already; -ENODEV if it is no spare;
 * -ENOSPC if it got no CPU number at boot; -EOPNOTSUPP without
 * CONFIG_ACPI_HOTPLUG_CPU; the CPU hotplug core's errors, such as -EIO
 * when the CPU did not come up.
 */
int multikernel_arch_spawn_add_cpu(u32 apic_id, char *why, size_t len)
{
	struct device *dev;
	int cpu, ret = 0;

	lock_device_hotplug();
	cpu = mk_spawn_cpu_of(apic_id);
	if (cpu < 0)
		cpu = mk_spawn_cpu_plug(apic_id);
	if (cpu < 0) {
		ret = cpu;
		snprintf(why, len, "APIC ID %u has no CPU slot here (%d)",
			 apic_id, ret);
		goto out;
	}
	dev = get_cpu_device(cpu);
	ret = dev ? device_online(dev) : -ENODEV;
	if (ret > 0)
		ret = 0;
	if (ret) {
		snprintf(why, len, "CPU %d did not come up (%d)", cpu, ret);
		mk_spawn_cpu_unplug(cpu);
	}
out:
	unlock_device_hotplug();
	return ret;
}

/**
 * multikernel_arch_spawn_remove_cpu() - take a CPU down for the host
 * @apic_id: its APIC ID
 * @why: set to the reason when it fails
 * @len: room at @why
 *
 * Return: 0, also when the spawn does not have the CPU; -EBUSY for its last
 * online CPU; -EOPNOTSUPP without CONFIG_ACPI_HOTPLUG_CPU; the CPU hotplug
 * core's errors, such as -EBUSY when the CPU cannot go (deadline
 * bandwidth, nohz_full timekeeping).
 */
int multikernel_arch_spawn_remove_cpu(u32 apic_id, char *why, size_t len)
{
	struct device *dev;
	int cpu, ret = 0;

	/* A CPU it cannot forget, its user space could start again. */
	if (!IS_ENABLED(CONFIG_ACPI_HOTPLUG_CPU)) {
		snprintf(why, len, "this kernel cannot forget a CPU");
		return -EOPNOTSUPP;
	}
	lock_device_hotplug();
	cpu = mk_spawn_cpu_of(apic_id);
	if (cpu < 0)
		goto out;
	if (cpu_online(cpu) && num_online_cpus() == 1) {
		ret = -EBUSY;
		snprintf(why, len, "CPU %d is the last one online", cpu);
		goto out;
	}
	dev = get_cpu_device(cpu);
	if (dev) {
		dev->offline_disabled = false;
		ret = device_offline(dev);
	}
	if (ret > 0)
		ret = 0;
	if (ret) {
		snprintf(why, len, "CPU %d cannot go offline (%d)", cpu, ret);
		goto out;
	}
	mk_spawn_cpu_unplug(cpu);
out:
	unlock_device_hotplug();
	return ret;
}
