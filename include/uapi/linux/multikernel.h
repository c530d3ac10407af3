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

/*
 * The boot record (setup_data type SETUP_MULTIKERNEL) and its compatibility
 * rule.  One version number covers the whole boot contract: the record and
 * what each side may do with it.
 *
 * - A record only grows at the end.  Version N adds fields after those of
 *   version N - 1 and never moves or redefines one; @size is at least the
 *   size version N implies (MULTIKERNEL_BOOT_SIZE_V1 for version 1).
 * - A reader accepts every version from MULTIKERNEL_BOOT_VERSION_MIN up,
 *   including versions newer than its own: it uses the fields it knows,
 *   reads fields the record's version does not have as zero and ignores
 *   anything after them.  It refuses an older version, a record shorter
 *   than its version implies, and a setup_data entry shorter than @size.
 * - A spawn that finds a record it refuses must not run: it reports the
 *   reason in the communication region, if it can find one, and halts.
 * - A bzImage states the contract it speaks with an "MKSP" chunk in
 *   kernel_info: magic, chunk length, then struct multikernel_spawn_chunk.
 *   A host starts only images whose oldest accepted record version is not
 *   newer than the one it writes, and whose own version it still speaks.
 */
#define MULTIKERNEL_BOOT_VERSION	3	/* the version this tree writes */
#define MULTIKERNEL_BOOT_VERSION_MIN	1	/* the oldest it reads */
#define MULTIKERNEL_BOOT_SIZE_V1	392	/* record bytes in version 1 */
#define MULTIKERNEL_BOOT_SIZE_V2	664	/* record bytes in version 2 */
#define MULTIKERNEL_BOOT_SIZE_V3	1056	/* record bytes in version 3 */
#define MULTIKERNEL_BOOT_SIZE_MIN	MULTIKERNEL_BOOT_SIZE_V1
#define MULTIKERNEL_NAME_LEN		40
#define MULTIKERNEL_MAX_CPUS		64
#define MULTIKERNEL_MAX_ID		64	/* instance ids are 1..64 */
#define MULTIKERNEL_MAX_PRESERVED	8	/* preserved regions per instance */
#define MULTIKERNEL_PRESERVED_NAME_LEN	32

/* kernel_info chunk magic, and the length of the version 1 chunk. */
#define MULTIKERNEL_SPAWN_CHUNK_MAGIC	"MKSP"
#define MULTIKERNEL_SPAWN_CHUNK_LEN	16

/**
 * struct multikernel_spawn_chunk - fields of the "MKSP" kernel_info chunk
 * @version: MULTIKERNEL_BOOT_VERSION of the image: the contract it speaks
 * @version_min: MULTIKERNEL_BOOT_VERSION_MIN of the image: the oldest
 *	record version it accepts; it accepts every newer one
 *
 * The chunk is the 4-byte magic, a __u32 chunk length, then these fields.
 * A 12-byte chunk (only @version) comes from images that accept a record
 * of exactly @version.
 */
struct multikernel_spawn_chunk {
	__u32 version;
	__u32 version_min;
};

/**
 * struct multikernel_preserved - a preserved region of an instance
 * @name: its name, NUL terminated
 * @phys: physical start, page aligned; never RAM of the spawn's e820
 * @size: bytes, page aligned, non-zero
 *
 * Memory that outlives the instance's kernels: the host never clears it
 * while the region exists, so what one kernel writes the next one reads.
 */
struct multikernel_preserved {
	char name[MULTIKERNEL_PRESERVED_NAME_LEN];
	__u64 phys;
	__u64 size;
};

/**
 * struct multikernel_boot_info - what the host tells a spawn at boot
 * @version: MULTIKERNEL_BOOT_VERSION of the writer: which fields exist
 * @size: bytes of this record, at least what @version implies; the
 *	setup_data entry holds at least @size bytes
 * @id: instance id (1..MULTIKERNEL_MAX_ID)
 * @name: instance name, NUL terminated
 * @host_apic_id: APIC ID of the host CPU that receives the spawn's signals
 * @host_bsp_apic_id: APIC ID of the host's boot CPU, which the spawn must
 *	never try to start
 * @nr_cpus: entries in @apic_ids (1..MULTIKERNEL_MAX_CPUS); the first is
 *	the CPU the spawn starts on
 * @tsc_khz: TSC frequency measured by the host
 * @cpu_khz: CPU frequency measured by the host
 * @lapic_timer_hz: local APIC timer ticks per second, 0 if unknown
 * @loops_per_sec: delay loop calibration, loops_per_jiffy * HZ
 * @wall_sec: host wall clock, seconds, when @wall_tsc was read
 * @wall_nsec: host wall clock, nanoseconds part
 * @wall_tsc: TSC value at @wall_sec/@wall_nsec
 * @comm_phys: physical address of the communication region, page aligned;
 *	its offset is fixed for all versions, so that a spawn can report a
 *	record it refuses
 * @comm_size: size of the communication region in bytes, page aligned,
 *	at least MULTIKERNEL_COMM_MIN_SIZE
 * @apic_ids: APIC IDs of the instance's CPUs
 * @mem_block_size: version 2: the memory block size the spawn must use, a
 *	power of two; memory added while it runs comes in such blocks,
 *	aligned to their size; 0: no memory is added while it runs
 * @nr_spare_cpus: version 2: entries in @spare_apic_ids; @nr_cpus plus
 *	@nr_spare_cpus is at most MULTIKERNEL_MAX_CPUS
 * @reserved: zero
 * @nr_preserved: version 3: entries in @preserved, at most
 *	MULTIKERNEL_MAX_PRESERVED
 * @flags: version 3: MULTIKERNEL_BOOT_F_* bits; unknown bits are zero
 * @preserved: version 3: the instance's preserved regions, with distinct
 *	names, disjoint from each other and from the spawn's memory
 * @spare_apic_ids: version 2: APIC IDs of CPUs the host may add while the
 *	spawn runs; the spawn reserves a CPU number for each, so that it can
 *	bring the CPU up when the host hands it over (MULTIKERNEL_MSG_CPU_ADD)
 *
 * Version 1 ends after @apic_ids (MULTIKERNEL_BOOT_SIZE_V1 bytes), version
 * 2 after @reserved (MULTIKERNEL_BOOT_SIZE_V2 bytes), version 3 after
 * @preserved (MULTIKERNEL_BOOT_SIZE_V3 bytes).  The spawn's
 * CPUs are numbered by their place in the record, @apic_ids first, then
 * @spare_apic_ids: that "slot" is what bit N of spawn_nmi_cpus means.
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
	__u64 mem_block_size;
	__u32 nr_spare_cpus;
	__u32 spare_apic_ids[MULTIKERNEL_MAX_CPUS];
	__u32 reserved;
	__u32 nr_preserved;
	__u32 flags;
	struct multikernel_preserved preserved[MULTIKERNEL_MAX_PRESERVED];
};

/*
 * The spawn is an upgrade's successor: the instance's old kernel still
 * serves.  Until the host writes MULTIKERNEL_REQ_ACTIVATE, the host reads
 * only the lifecycle words of the spawn's communication region (its
 * messages wait in the ring), and the spawn keeps its preserved regions
 * closed: the old kernel may still write them.
 */
#define MULTIKERNEL_BOOT_F_SUCCESSOR	0x1

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
	MULTIKERNEL_SPAWN_STOPPING,	/* saw host_request, shutting down */
	MULTIKERNEL_SPAWN_STANDBY,	/* successor: init is ready to take over */
	MULTIKERNEL_SPAWN_HANDED_OVER,	/* init acknowledged a handover */
};

/* Values of multikernel_comm.host_request, written by the host. */
enum multikernel_host_request {
	MULTIKERNEL_REQ_NONE = 0,
	MULTIKERNEL_REQ_POWEROFF,	/* shut down cleanly */
	MULTIKERNEL_REQ_HANDOVER,	/* a successor takes over: flush, ack */
	MULTIKERNEL_REQ_ACTIVATE,	/* successor: the instance is yours now */
};

/*
 * Value of multikernel_comm.host_stop that asks every CPU of the spawn to
 * park on the next NMI: leave VMX/SVM operation, count itself in
 * spawn_parked and halt with interrupts off until the host's INIT.
 */
#define MULTIKERNEL_STOP_PARK		0x4b524150	/* "PARK" */

/**
 * struct multikernel_comm - header at the start of the communication region
 * @magic: MULTIKERNEL_COMM_MAGIC, written by the host
 * @host_request: enum multikernel_host_request, written by the host; the
 *	spawn reads it with each heartbeat
 * @host_stop: MULTIKERNEL_STOP_PARK once the host takes the CPUs back,
 *	written by the host before it sends the stop NMI
 * @spawn_state: enum multikernel_spawn_state, written by the spawn
 * @spawn_parked: CPUs of the spawn that parked on the stop NMI, written by
 *	the spawn; it only shortens the host's wait and proves nothing
 * @heartbeat: incremented by the spawn every 100 ms while it runs, from
 *	a timer of its own; the host's watchdog reads it
 * @panic_msg: reason of a panic, NUL terminated, written by the spawn
 * @spawn_nmi_cpus: the CPUs of the spawn that handle the stop NMI, bit N
 *	for the CPU in slot N of the boot record, written by the spawn:
 *	a CPU's bit is set once it runs with the spawn's IDT and handler, and
 *	cleared before the spawn takes it offline.  The host sends the stop
 *	NMI only to these CPUs; an NMI on a CPU still in its start-up code
 *	(no IDT yet) would shut the machine down with a triple fault.  The
 *	others are taken back with INIT only.  (A spawn of the first contract
 *	version wrote 1 here, which now means its first CPU only.)
 *
 * The lifecycle travels in these words, not in the message rings, so
 * that it reaches the other side whatever the rings hold: @spawn_state
 * says the spawn runs, panicked, stopped or took up a stop request,
 * @heartbeat that it lives, @host_request what the host asks.  The READY
 * and PANIC messages only prompt the host to look at once.
 *
 * Each side writes only its own fields; every value the spawn writes is
 * untrusted input to the host.  The layout is fixed: @host_request at 8,
 * @host_stop at 12,
 * @spawn_state at 64, @heartbeat at 72, @panic_msg at 80, @spawn_nmi_cpus
 * at 208, 216 bytes in all.
 */
struct multikernel_comm {
	__u64 magic;
	__u32 host_request;
	__u32 host_stop;
	__u32 pad0[12];
	__u32 spawn_state;
	__u32 spawn_parked;
	__u64 heartbeat;
	char panic_msg[128];
	__u64 spawn_nmi_cpus;
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

/*
 * Message rings, one per direction, after the console rings: a control
 * page each, then the data.  Messages need a region of at least
 * MULTIKERNEL_COMM_MSG_END bytes.
 */
#define MULTIKERNEL_COMM_MSG_H2S	0x22000	/* host to spawn, control */
#define MULTIKERNEL_COMM_MSG_S2H	0x23000	/* spawn to host, control */
#define MULTIKERNEL_COMM_MSG_H2S_DATA	0x40000
#define MULTIKERNEL_COMM_MSG_S2H_DATA	0xc0000
#define MULTIKERNEL_COMM_MSG_DATA_SIZE	0x80000
#define MULTIKERNEL_COMM_MSG_END	0x140000
/*
 * From there to the end of the region's first 2 MiB: the page table the
 * spawn's first CPU enters its kernel on, built by the host before the
 * start and unused afterwards.
 */
#define MULTIKERNEL_COMM_BOOT_PGT	MULTIKERNEL_COMM_MSG_END
#define MULTIKERNEL_COMM_BOOT_PGT_END	0x200000

/**
 * struct multikernel_msg_ring - control block of one message ring
 * @prod: bytes ever published, written by the producer
 * @prod_waiting: non-zero while the producer waits for room; the consumer
 *	clears it and rings the producer's doorbell once it freed some
 * @cons: bytes ever consumed, written by the consumer
 * @cons_idle: non-zero while the consumer waits for data; the producer
 *	clears it and rings the consumer's doorbell after publishing
 *
 * Producer and consumer fields sit on separate cache lines.  A record is a
 * struct multikernel_msg followed by its payload, padded to
 * MULTIKERNEL_MSG_ALIGN; records never wrap: a MULTIKERNEL_MSG_PAD record
 * fills the end of the data area instead.
 */
struct multikernel_msg_ring {
	__u64 prod;
	__u32 prod_waiting;
	__u32 pad0[13];
	__u64 cons;
	__u32 cons_idle;
	__u32 pad1[13];
};

/* vsock: the host is CID 2, instance N is CID MULTIKERNEL_VSOCK_CID_BASE + N */
#define MULTIKERNEL_VSOCK_CID_BASE	1000

#define MULTIKERNEL_MSG_ALIGN		32
/* Largest payload: a 64 KiB vsock packet and its header, with room. */
#define MULTIKERNEL_MSG_MAX_PAYLOAD	(0x10000 + 0x100)

/**
 * struct multikernel_msg - header of one message
 * @len: payload bytes after the header
 * @type: enum multikernel_msg_type
 * @flags: MULTIKERNEL_MSG_F_*
 * @src: sending kernel: 0 for the host, else the instance id
 * @dst: receiving kernel, same numbering
 * @id: request id, echoed in the response
 * @status: in a response, 0 or a negative errno from the responder
 * @reserved: zero
 * @nr_preserved: version 3: entries in @preserved, at most
 *	MULTIKERNEL_MAX_PRESERVED
 * @flags: version 3: MULTIKERNEL_BOOT_F_* bits; unknown bits are zero
 * @preserved: version 3: the instance's preserved regions, with distinct
 *	names, disjoint from each other and from the spawn's memory
 */
struct multikernel_msg {
	__u32 len;
	__u16 type;
	__u16 flags;
	__u32 src;
	__u32 dst;
	__u64 id;
	__s32 status;
	__u32 reserved;
};

/**
 * struct multikernel_vsock_reset - payload of MULTIKERNEL_MSG_VSOCK_RESET
 * @remote_cid: the CID of the connection's other end; a spawn may only
 *	name its own, the receiver puts it there whatever was sent
 * @local_port: the port of the connection at the receiver
 * @remote_port: the port at the other end
 *
 * Sent when a packet of the connection could not be delivered, to each
 * end that is not the sender: the receiver resets that socket
 * (ECONNRESET), so that no stream goes on with a hole in it.
 */
struct multikernel_vsock_reset {
	__u64 remote_cid;
	__u32 local_port;
	__u32 remote_port;
};

/**
 * struct multikernel_resize - payload of the resize requests and responses
 * @phys: memory requests: start of the block, aligned to its size
 * @size: memory requests: bytes, a multiple of mem_block_size
 * @apic_id: CPU requests: the APIC ID of the CPU
 * @reserved: zero
 * @nr_preserved: version 3: entries in @preserved, at most
 *	MULTIKERNEL_MAX_PRESERVED
 * @flags: version 3: MULTIKERNEL_BOOT_F_* bits; unknown bits are zero
 * @preserved: version 3: the instance's preserved regions, with distinct
 *	names, disjoint from each other and from the spawn's memory
 *
 * MULTIKERNEL_MSG_CPU_ADD, _CPU_REMOVE, _MEM_ADD and _MEM_REMOVE are
 * requests from the host to a spawn, never routed.  The response echoes
 * the request's struct and may follow it with text, up to
 * MULTIKERNEL_RESIZE_REASON_LEN bytes, saying why the spawn refused; the
 * host checks the echo and treats the text as untrusted.  A request for
 * what is already done (adding a CPU the spawn runs, removing one it does
 * not have) succeeds.
 *
 * CPU_ADD: the host has taken the CPU offline and sent it INIT; the spawn
 * brings it up with its own CPU hotplug, into its own trampoline.
 * CPU_REMOVE: the spawn takes the CPU down with its own CPU hotplug and
 * forgets it; once it answered 0 the host sends INIT and brings the CPU
 * up itself.  MEM_ADD: the host gives the spawn a block of zeroed pool
 * memory, which it adds with memory hotplug and onlines movable.
 * MEM_REMOVE: the spawn offlines and removes a block it was given, which
 * migrates what it holds; once it answered 0 it no longer maps the block
 * and the host clears it.  A request the spawn does not answer in time
 * crashes it.
 */
struct multikernel_resize {
	__u64 phys;
	__u64 size;
	__u32 apic_id;
	__u32 reserved;
};

#define MULTIKERNEL_RESIZE_REASON_LEN	96

#define MULTIKERNEL_MSG_F_REQUEST	0x1	/* a response is expected */
#define MULTIKERNEL_MSG_F_RESPONSE	0x2	/* answers request @id */

/* Message types; numbers are ABI. */
enum multikernel_msg_type {
	MULTIKERNEL_MSG_PAD = 0,	/* ring filler, never delivered */
	MULTIKERNEL_MSG_READY,		/* spawn: look at spawn_state now */
	MULTIKERNEL_MSG_SHUTDOWN,	/* retired: host_request; never sent */
	MULTIKERNEL_MSG_PANIC,		/* spawn: panicked; payload: reason */
	MULTIKERNEL_MSG_HEARTBEAT,	/* retired: heartbeat; never sent */
	MULTIKERNEL_MSG_ECHO,		/* request: answered with its payload */
	MULTIKERNEL_MSG_VSOCK,		/* payload: virtio_vsock_hdr + data */
	MULTIKERNEL_MSG_PEER_GONE,	/* host: payload: __u32 instance id */
	MULTIKERNEL_MSG_TEST,		/* test traffic, see msg_test.c */
	MULTIKERNEL_MSG_TEST_CTL,	/* test control request */
	MULTIKERNEL_MSG_VSOCK_RESET,	/* reset one connection; payload:
					 * struct multikernel_vsock_reset
					 */
	MULTIKERNEL_MSG_CPU_ADD,	/* request: struct multikernel_resize */
	MULTIKERNEL_MSG_CPU_REMOVE,	/* request: struct multikernel_resize */
	MULTIKERNEL_MSG_MEM_ADD,	/* request: struct multikernel_resize */
	MULTIKERNEL_MSG_MEM_REMOVE,	/* request: struct multikernel_resize */
	MULTIKERNEL_MSG_HOST_REQUEST,	/* host: look at host_request now */
	MULTIKERNEL_MSG_NR_TYPES,
};

#endif /* _UAPI_LINUX_MULTIKERNEL_H */
