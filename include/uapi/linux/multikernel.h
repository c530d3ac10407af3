/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Multikernel boot contract and communication region layout.
 *
 * These structures are shared between a host kernel and the kernels it
 * spawns, which may be built from different trees: they only grow at the
 * end, and a reader checks the version and size before using a field.
 */
#ifndef _UAPI_LINUX_MULTIKERNEL_H
#define _UAPI_LINUX_MULTIKERNEL_H

#include <linux/types.h>

#define MULTIKERNEL_BOOT_VERSION	1
#define MULTIKERNEL_NAME_LEN		40
#define MULTIKERNEL_MAX_CPUS		64

/**
 * struct multikernel_boot_info - what the host tells a spawn at boot
 * @version: MULTIKERNEL_BOOT_VERSION of the writer
 * @size: bytes of this record, including @apic_ids
 * @id: instance id (1..64)
 * @name: instance name, NUL terminated
 * @host_apic_id: APIC ID of the host CPU that receives the spawn's signals
 * @host_bsp_apic_id: APIC ID of the host's boot CPU, which the spawn must
 *	never try to start
 * @nr_cpus: entries in @apic_ids; the first is the CPU the spawn starts on
 * @tsc_khz: TSC frequency measured by the host
 * @cpu_khz: CPU frequency measured by the host
 * @lapic_timer_hz: local APIC timer ticks per second, 0 if unknown
 * @loops_per_sec: delay loop calibration, loops_per_jiffy * HZ
 * @wall_sec: host wall clock, seconds, when @wall_tsc was read
 * @wall_nsec: host wall clock, nanoseconds part
 * @wall_tsc: TSC value at @wall_sec/@wall_nsec
 * @comm_phys: physical address of the communication region
 * @comm_size: size of the communication region in bytes
 * @apic_ids: APIC IDs of the instance's CPUs
 */
struct multikernel_boot_info {
	__u32 version;
	__u32 size;
	__u32 id;
	char name[MULTIKERNEL_NAME_LEN];
	__u32 host_apic_id;
	__u32 host_bsp_apic_id;
	__u32 nr_cpus;
	__u64 tsc_khz;
	__u64 cpu_khz;
	__u64 lapic_timer_hz;
	__u64 loops_per_sec;
	__u64 wall_sec;
	__u64 wall_nsec;
	__u64 wall_tsc;
	__u64 comm_phys;
	__u64 comm_size;
	__u32 apic_ids[MULTIKERNEL_MAX_CPUS];
};

/* Communication region: a header page, then the console rings. */
#define MULTIKERNEL_COMM_MAGIC		0x314d4d434b4d554dULL	/* "MUMKCMM1" */
#define MULTIKERNEL_COMM_CONS_OUT	0x1000
#define MULTIKERNEL_COMM_CONS_OUT_SIZE	0x20000
#define MULTIKERNEL_COMM_CONS_IN	0x21000
#define MULTIKERNEL_COMM_CONS_IN_SIZE	0x1000
#define MULTIKERNEL_COMM_MIN_SIZE	0x22000

/* Values of multikernel_comm.spawn_state, written by the spawn. */
enum multikernel_spawn_state {
	MULTIKERNEL_SPAWN_NONE = 0,	/* not started yet */
	MULTIKERNEL_SPAWN_EARLY,	/* platform code runs */
	MULTIKERNEL_SPAWN_RUNNING,	/* about to start init */
	MULTIKERNEL_SPAWN_HALTED,	/* powered off or halted */
	MULTIKERNEL_SPAWN_REBOOT,	/* asked to be restarted */
	MULTIKERNEL_SPAWN_PANIC,	/* panicked; see panic_msg */
};

/* Values of multikernel_comm.host_request, written by the host. */
enum multikernel_host_request {
	MULTIKERNEL_REQ_NONE = 0,
	MULTIKERNEL_REQ_POWEROFF,	/* shut down cleanly */
};

/**
 * struct multikernel_comm - header at the start of the communication region
 * @magic: MULTIKERNEL_COMM_MAGIC, written by the host
 * @host_request: enum multikernel_host_request, written by the host
 * @spawn_state: enum multikernel_spawn_state, written by the spawn
 * @heartbeat: incremented by the spawn while it runs
 * @panic_msg: reason of a panic, NUL terminated, written by the spawn
 *
 * Each side writes only its own fields; every value the spawn writes is
 * untrusted input to the host.
 */
struct multikernel_comm {
	__u64 magic;
	__u32 host_request;
	__u32 pad0[13];
	__u32 spawn_state;
	__u32 pad1;
	__u64 heartbeat;
	char panic_msg[128];
};

/**
 * struct multikernel_ring - a byte ring with free-running indices
 * @head: bytes ever written, by the producer
 * @tail: bytes ever consumed, by the consumer (console input only)
 *
 * The data follows the 64-byte header; its size is a power of two fixed by
 * the layout above, never read from the ring.
 */
struct multikernel_ring {
	__u64 head;
	__u64 pad0[7];
	__u64 tail;
	__u64 pad1[7];
};

#endif /* _UAPI_LINUX_MULTIKERNEL_H */
