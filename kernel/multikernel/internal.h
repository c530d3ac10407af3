/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel internal interfaces shared by the files of kernel/multikernel/.
 */
#ifndef _KERNEL_MULTIKERNEL_INTERNAL_H
#define _KERNEL_MULTIKERNEL_INTERNAL_H

#include <linux/atomic.h>
#include <linux/configfs.h>
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/sprintf.h>
#include <linux/sysfs.h>
#include <linux/types.h>
#include <linux/workqueue.h>

/* Allocation unit and alignment of instance memory: one 2 MiB page. */
#define MK_GRANULE_ORDER	21
#define MK_GRANULE		BIT_ULL(MK_GRANULE_ORDER)
/* Smallest memory an instance accepts: enough for a small kernel + initrd. */
#define MK_MIN_MEMORY		SZ_64M
/* Instance ids run from 1 to MK_MAX_INSTANCES; 0 names the host. */
#define MK_MAX_INSTANCES	64
/* Longest instance name, without the terminating NUL. */
#define MK_NAME_MAX		32
/*
 * Longest command line an admin may give, without the NUL: what the x86
 * boot protocol carries (2047 bytes), less the 30 bytes kexec's loader
 * keeps for itself and the suffix the host appends.
 */
#define MK_CMDLINE_MAX		(2047 - 30 - sizeof(MULTIKERNEL_CMDLINE_SUFFIX))
/* The first granule of an instance's memory is its communication region. */
#define MK_COMM_SIZE		MK_GRANULE
/* Default time a spawn has to reach init, and to stop cleanly. */
#define MK_BOOT_TIMEOUT_MS	30000
#define MK_STOP_TIMEOUT_MS	10000
/* Default time without a heartbeat after which a spawn counts as hung. */
#define MK_HEARTBEAT_TIMEOUT_MS	5000
/*
 * A spawn beats every 100 ms and the watchdog looks every 100 ms: a
 * silence longer than this is at least two beats missed, and traced.
 */
#define MK_HEARTBEAT_MISS_MS	250
/* Longest BPF policy name, with the terminating NUL. */
#define MK_POLICY_NAME_LEN	16
/* Default and largest restart_limit: policy restarts after a crash. */
#define MK_RESTART_LIMIT	3
#define MK_RESTART_LIMIT_MAX	100
/* Bounds on the delay of such a restart. */
#define MK_RESTART_MIN_DELAY_MS	100
#define MK_RESTART_MAX_DELAY_MS	3600000
/* Bounds on the grace a policy gives a silent spawn, and how often. */
#define MK_HEARTBEAT_GRACE_MAX_MS	60000
#define MK_HEARTBEAT_MAX_GRANTS	3
#define MK_REASON_LEN		128

/**
 * struct mk_extent - memory added to a running instance (resize_mem.c)
 * @node: entry in the instance's @extents, newest first
 * @phys: start, aligned to @size
 * @size: bytes, MK_RESIZE_GRANULE
 */
struct mk_extent {
	struct list_head node;
	phys_addr_t phys;
	u64 size;
};

/**
 * enum mk_state - lifecycle state of an instance
 * @MK_STOPPED: holds no CPU and no memory; configuration may change
 * @MK_STARTING: CPUs and memory taken, the spawned kernel is booting
 * @MK_RUNNING: the spawned kernel has started its init
 * @MK_STOPPING: a clean shutdown was asked for
 * @MK_CRASHED: the spawned kernel panicked, hung or missed its boot deadline;
 *	everything it had is back in the host
 * @MK_QUARANTINED: a CPU could not be proven back in the host: the CPUs
 *	not proven back stay lent and offline, the memory stays allocated and
 *	uncleared; only kill (which retries) leaves this state
 */
enum mk_state {
	MK_STOPPED,
	MK_STARTING,
	MK_RUNNING,
	MK_STOPPING,
	MK_CRASHED,
	MK_QUARANTINED,
};

/**
 * enum mk_state_cmd - what a write to the state attribute asks for
 * @MK_CMD_START: boot the instance
 * @MK_CMD_STOP: shut the instance down cleanly
 * @MK_CMD_KILL: take the instance's CPUs back at once
 * @MK_CMD_UPGRADE: replace the running kernel with the one in upgrade/
 */
enum mk_state_cmd {
	MK_CMD_START,
	MK_CMD_STOP,
	MK_CMD_KILL,
	MK_CMD_UPGRADE,
};

/**
 * struct mk_instance - one instance and its configuration
 * @group: the configfs group; its name is the instance name
 * @preserved: its preserved/ group, which holds the regions
 * @regions: its preserved regions, struct mk_region (preserved.c)
 * @node: entry in the list of instances
 * @id: small integer unique among existing instances (1..MK_MAX_INSTANCES)
 * @state: lifecycle state
 * @cpus: host logical CPUs lent to the instance
 * @memory: bytes of pool memory the instance receives, 0 when unset
 * @kernel: absolute path of the kernel image, or NULL
 * @initrd: absolute path of the initramfs, or NULL
 * @cmdline: command line of the spawned kernel, or NULL
 * @boot_timeout_ms: how long the spawn may take to reach init
 * @stop_timeout_ms: how long a clean stop may take before it is forced
 * @heartbeat_timeout_ms: how long a running spawn may stay silent
 * @restart_limit: restarts a policy may ask for since the admin's start
 * @smt_split: the instance may get some threads of a core, not all
 * @resize_lock: serialises the resizes of a running instance (resize.c);
 *	nests outside @run_lock
 * @resize_reason: why the last resize was refused, empty if it was not
 * @run_lock: serialises start, stop, kill and the watchdog (lifecycle.c)
 * @active: CPUs and memory are lent; the watchdog runs
 * @gen: starts so far; a resize that waited for the spawn compares it
 * @host_online: CPUs the host had online before it lent them
 * @unproven: lent CPUs not proven back in the host yet: while the
 *	instance runs, the CPUs it holds, those in transit included
 * @slots: host CPU numbers of the spawn's CPU slots, in boot record order
 * @nr_boot_slots: entries of @slots the instance started with
 * @nr_slots: entries of @slots
 * @doorbell_cpu: the CPU of the instance the host's doorbells go to
 * @mem_phys: the memory the instance started with, 0 when none
 * @mem_boot: its size
 * @extents: memory added since it started, struct mk_extent, newest first
 * @low_phys: its conventional-memory slice, 0 when none
 * @watch: the watchdog: console drain and state changes
 * @started: when the last start began
 * @deadline: when the boot or the clean stop must be over
 * @boot_ms: start to running of the last boot, 0 until it is running
 * @reason: why the instance crashed
 * @console: host copy of the spawn's console, kept across stop and crash
 * @kobj: /sys/kernel/multikernel/instances/NAME
 * @console_attrs: its console files
 * @chan: the message channel while started (msg_host.c)
 * @last_beat: the spawn's heartbeat word when the watchdog last read it
 * @last_heartbeat: ktime_get_ns() when that word last changed, or of ready
 * @shutdown_acked: the spawn took up a stop request (spawn_state said so)
 * @hb_grants: grace periods a policy granted in the current silence
 * @hb_grace_ms: silence allowed past heartbeat_timeout_ms by those grants
 * @restart: a restart a policy asked for after a crash (restart.c)
 * @restarts: such restarts since the admin's last start
 * @msg_lock: protects the four fields below it; IRQ-safe, since a
 *	channel's ->failed() takes it under the channel's tx_lock
 * @msg_event: @msg_reason holds the first panic or protocol error
 * @spawn_panicked: the spawn sent a panic notice
 * @msg_broken: the spawn broke the message protocol
 * @msg_reason: the reason to report for either
 * @upgrade: its upgrade/ group, which holds the successor's settings
 * @next_kernel: upgrade/kernel, or NULL
 * @next_initrd: upgrade/initrd, or NULL: the instance's
 * @next_cmdline: upgrade/cmdline, or NULL: the instance's
 * @next_cpus: upgrade/cpus, empty until set
 * @handover_timeout_ms: how long the old kernel may take to hand over
 * @upgrading: an upgrade is under way: no start, no second upgrade
 * @upgrades: upgrades done since the instance was made
 * @upgraded_at: wall clock seconds of the last one, 0 for none
 * @upgrade_reason: why the last upgrade failed, empty if it did not
 * @successor: the struct the successor boots in, during an upgrade
 * @retired: an old kernel whose CPUs were not all proven back, kept in
 *	quarantine; kill retries it
 * @origin: in the struct of a successor or a retired kernel: the
 *	instance; such a struct has no configfs item, sysfs directory or
 *	regions of its own, and is on no list
 * @dark: its channel is not published (a successor not yet activated)
 *
 * The configuration, @regions, @state, @resize_reason and the upgrade
 * fields from @next_kernel to @upgrade_reason are protected by
 * mk_instances_lock; @successor and @retired by @resize_lock, which an
 * upgrade holds throughout; the run-time fields from @active to @restarts
 * by @run_lock: the watchdog keeps @last_beat, @last_heartbeat and
 * @shutdown_acked from the communication region's words.  A running
 * instance's @cpus and @memory are what it holds, what is being added
 * included; @resize_lock serialises changes to them.
 */
struct mk_instance {
	struct config_group group;
	struct config_group preserved;
	struct list_head regions;
	struct list_head node;
	int id;
	enum mk_state state;
	cpumask_var_t cpus;
	u64 memory;
	char *kernel;
	char *initrd;
	char *cmdline;
	unsigned int boot_timeout_ms;
	unsigned int stop_timeout_ms;
	unsigned int heartbeat_timeout_ms;
	unsigned int restart_limit;
	bool smt_split;

	struct mutex resize_lock;	/* see resize.c */
	char resize_reason[MK_REASON_LEN];
	struct mutex run_lock;	/* see lifecycle.c */
	bool active;
	u64 gen;
	cpumask_var_t host_online;
	cpumask_var_t unproven;
	unsigned int slots[MULTIKERNEL_MAX_CPUS];
	unsigned int nr_boot_slots;
	unsigned int nr_slots;
	unsigned int doorbell_cpu;
	phys_addr_t mem_phys;
	u64 mem_boot;
	struct list_head extents;
	phys_addr_t low_phys;
	struct delayed_work watch;
	ktime_t started;
	ktime_t deadline;
	u64 boot_ms;
	char reason[MK_REASON_LEN];
	struct mk_console *console;
	struct kobject *kobj;
	struct bin_attribute *console_attrs;

	struct mk_chan *chan;
	u64 last_beat;
	u64 last_heartbeat;
	bool shutdown_acked;
	unsigned int hb_grants;
	u64 hb_grace_ms;
	struct delayed_work restart;
	unsigned int restarts;
	spinlock_t msg_lock;	/* see above */
	bool msg_event;
	bool spawn_panicked;
	bool msg_broken;
	char msg_reason[MK_REASON_LEN];

	struct config_group upgrade;
	char *next_kernel;
	char *next_initrd;
	char *next_cmdline;
	cpumask_var_t next_cpus;
	unsigned int handover_timeout_ms;
	bool upgrading;
	unsigned int upgrades;
	u64 upgraded_at;
	char upgrade_reason[MK_REASON_LEN];
	struct mk_instance *successor;
	struct mk_instance *retired;
	struct mk_instance *origin;
	bool dark;
};

/**
 * enum mk_msg_event - what a spawn reported over its channel
 * @MK_EV_NONE: nothing that ends it
 * @MK_EV_PANIC: a panic notice
 * @MK_EV_BROKEN: it broke the message protocol
 */
enum mk_msg_event {
	MK_EV_NONE,
	MK_EV_PANIC,
	MK_EV_BROKEN,
};

/* pool.c */
bool mk_pool_present(void);
bool mk_pool_overlaps(phys_addr_t start, phys_addr_t end);
u64 mk_pool_size(void);
u64 mk_pool_free(void);
u64 mk_pool_largest_free(void);
/* Called by mk_pool_walk_free() on each free extent. */
typedef void (*mk_pool_extent_fn)(phys_addr_t start, u64 size, void *data);
void mk_pool_walk_free(mk_pool_extent_fn fn, void *data);
const char *mk_pool_backing(void);
u64 mk_pool_host_usable(void);
int mk_pool_alloc(u64 size, phys_addr_t *addr);
int mk_pool_alloc_aligned(u64 size, phys_addr_t *addr);
void mk_pool_free_range(phys_addr_t addr, u64 size);
void mk_pool_give_back(phys_addr_t addr, u64 size, u8 giver);
void mk_pool_forget_giver(u8 giver);
bool mk_pool_granule_clean(phys_addr_t addr);

/* pool_cma.c: the CMA backing; callers hold the pool's mutex */
#ifdef CONFIG_CMA
int __init mk_pool_cma_declare(phys_addr_t base, u64 size);
bool mk_pool_cma_active(void);
u64 mk_pool_cma_align(void);
int mk_pool_cma_take(phys_addr_t addr, u64 size);
void mk_pool_cma_give(phys_addr_t addr, u64 size);
#else
static inline int mk_pool_cma_declare(phys_addr_t base, u64 size)
{
	return -EOPNOTSUPP;
}

static inline bool mk_pool_cma_active(void)
{
	return false;
}

static inline u64 mk_pool_cma_align(void)
{
	return MK_GRANULE;
}

static inline int mk_pool_cma_take(phys_addr_t addr, u64 size)
{
	return -EOPNOTSUPP;
}

static inline void mk_pool_cma_give(phys_addr_t addr, u64 size)
{
}
#endif

/* validate.c: pure parsing and checking, no locks, no global state */
int mk_check_name(const char *name);
int mk_parse_memory(const char *buf, u64 *bytes);
int mk_check_memory(u64 bytes, u64 pool_size);
int mk_format_memory(char *buf, size_t len, u64 bytes);
int mk_parse_cpulist(const char *buf, struct cpumask *mask);
int mk_check_cpus(const struct cpumask *req, const struct cpumask *present,
		  const struct cpumask *online, const struct cpumask *taken,
		  const char **why);
int mk_check_path(const char *path);
int mk_check_cmdline(const char *cmdline);
int mk_parse_state_cmd(const char *buf);
const char *mk_state_name(enum mk_state state);
size_t mk_copy_spawn_text(char *dst, size_t size, const char *src, size_t len);
int mk_copy_policy_name(char *dst, const char *src);

/* instance.c */
extern struct mutex mk_instances_lock;
int mk_reject(const char *name, const char *attr, const char *val,
	      const char *why, int err);
int mk_check_stopped(struct mk_instance *inst, const char *attr,
		     const char *val);
struct mk_instance *mk_instance_create(const char *name,
				       const struct config_item_type *type);
void mk_instance_destroy(struct mk_instance *inst);
void mk_instance_free(struct mk_instance *inst);
const char *mk_instance_name(const struct mk_instance *inst);
int mk_instance_set_cpus(struct mk_instance *inst, const char *buf);
int mk_instance_set_memory(struct mk_instance *inst, const char *buf);
int mk_instance_set_path(struct mk_instance *inst, char **field,
			 const char *attr, const char *buf);
int mk_instance_set_cmdline(struct mk_instance *inst, const char *buf);
int mk_instance_set_restart_limit(struct mk_instance *inst, const char *buf);
int mk_instance_set_timeout(struct mk_instance *inst, unsigned int *field,
			    const char *attr, const char *buf);
int mk_instance_set_smt_split(struct mk_instance *inst, const char *buf);
int mk_check_image(const char *name, const char *attr, const char *path);
int mk_set_string(char **field, const char *val);
void mk_cpus_taken(const struct mk_instance *self, struct cpumask *taken);
int mk_check_cores(struct mk_instance *inst, const struct cpumask *req,
		   bool split, const char *buf);
int mk_instance_request(struct mk_instance *inst, const char *buf);
int mk_instance_reserve_cpus(struct mk_instance *inst,
			     const struct cpumask *req, struct cpumask *add,
			     const char *buf);
void mk_instance_set_held_cpus(struct mk_instance *inst,
			       const struct cpumask *cpus);
int mk_resize_refused(struct mk_instance *inst, int err, const char *fmt, ...)
	__printf(3, 4);
void mk_resize_reason_clear(struct mk_instance *inst);
bool mk_instance_running(struct mk_instance *inst);
int mk_instances_holding(char *names, size_t len);
int mk_instances_get_holding(struct mk_instance **insts);

/* lifecycle.c */
extern struct workqueue_struct *mk_wq;
int mk_lifecycle_init(void);
void mk_set_state(struct mk_instance *inst, enum mk_state state);
void mk_trace_memory(struct mk_instance *inst, u64 phys, u64 size, bool lent);
struct multikernel_comm *mk_comm(struct mk_instance *inst);
void mk_host_request(struct mk_instance *inst, u32 req);
int mk_may_boot(struct mk_instance *inst);
int mk_boot(struct mk_instance *inst);
bool mk_halt_cpus(struct mk_instance *inst);
int mk_retire(struct mk_instance *inst);
int mk_instance_start(struct mk_instance *inst);
int mk_instance_restart(struct mk_instance *inst);
int mk_instance_stop(struct mk_instance *inst, bool force);
void mk_instance_run_init(struct mk_instance *inst);
int mk_take_cpu(struct mk_instance *inst, unsigned int cpu);
int mk_prove_cpu(struct mk_instance *inst, unsigned int cpu);
void mk_crash(struct mk_instance *inst, const char *why);

/* spawn_memory.c: a spawn adds and removes memory only with hotremove */
#ifdef CONFIG_MEMORY_HOTREMOVE
int mk_spawn_mem_add(u64 phys, u64 size, char *why, size_t len);
int mk_spawn_mem_remove(u64 phys, u64 size, char *why, size_t len);
#else
static inline int mk_spawn_mem_add(u64 phys, u64 size, char *why, size_t len)
{
	snprintf(why, len, "this kernel cannot add and remove memory");
	return -EOPNOTSUPP;
}

static inline int mk_spawn_mem_remove(u64 phys, u64 size, char *why,
				      size_t len)
{
	return 0;	/* it was never given any */
}
#endif

/* resize.c */
/* Step of memory changes of a running instance: the spawn's memory block. */
#define MK_RESIZE_GRANULE	SZ_128M
/* Longest a spawn may take to add or remove a CPU. */
#define MK_RESIZE_TIMEOUT_MS	30000
int mk_resize_cpus(struct mk_instance *inst, const struct cpumask *req,
		   const char *buf);
int mk_resize_ask(struct mk_instance *inst, u16 type,
		  const struct multikernel_resize *rq, const char *what,
		  char *why, size_t len);

/* resize_mem.c */
int mk_resize_memory(struct mk_instance *inst, u64 bytes);

/* upgrade.c */
/* Default time the old kernel has to hand over. */
#define MK_HANDOVER_TIMEOUT_MS	5000
extern const struct config_item_type mk_upgrade_type;
int mk_instance_upgrade(struct mk_instance *inst);
void mk_upgrade_init(struct mk_instance *inst);
void mk_upgrade_free(struct mk_instance *inst);
int mk_upgrade_kill_retired(struct mk_instance *inst);

/* host_ops.c */
int mk_host_ops_init(void);

/* console.c */
struct mk_console *mk_console_alloc(void);
void mk_console_free(struct mk_console *con);
void mk_console_reset(struct mk_console *con);
void mk_console_continue(struct mk_console *con, struct mk_console *from);
bool mk_console_drain(struct mk_console *con, void *comm);
ssize_t mk_console_read(struct mk_console *con, char *buf, loff_t pos,
			size_t count);
ssize_t mk_console_input(void *comm, const char *buf, size_t count);
void mk_console_last_line(struct mk_console *con, char *line, size_t len);

/* msg_host.c, vsock.c */
int mk_msg_host_init(void);
int mk_msg_host_open(struct mk_instance *inst);
void mk_msg_host_close(struct mk_instance *inst);
int mk_msg_host_go_live(struct mk_instance *inst, struct mk_instance *from);
void mk_msg_host_doorbell_to(struct mk_instance *inst, unsigned int cpu);
enum mk_msg_event mk_msg_host_event(struct mk_instance *inst, char *why,
				    size_t len);
#ifdef CONFIG_MULTIKERNEL_VSOCK
void mk_vsock_peer_gone(u32 id);
void mk_vsock_reset_routed(u32 from, u32 to, const void *pkt, u32 len);
void mk_vsock_refuse_routed(u32 from, u32 to, const void *pkt, u32 len);
#else
static inline void mk_vsock_peer_gone(u32 id) { }
static inline void mk_vsock_reset_routed(u32 from, u32 to, const void *pkt,
					 u32 len) { }
static inline void mk_vsock_refuse_routed(u32 from, u32 to, const void *pkt,
					  u32 len) { }
#endif

/* msg_test.c: fault injection, test configurations only */
#define MK_TEST_RESIZE_REFUSE	1	/* refuse the next resize request */
#define MK_TEST_RESIZE_SILENT	2	/* never answer it */
#define MK_TEST_RESIZE_SCRIBBLE	3	/* write to memory after giving it back */
#ifdef CONFIG_MULTIKERNEL_MSG_TEST
bool mk_test_fail_reclaim(unsigned int cpu);
int mk_test_resize_fault(void);
#else
static inline bool mk_test_fail_reclaim(unsigned int cpu)
{
	return false;
}

static inline int mk_test_resize_fault(void)
{
	return 0;
}
#endif

/**
 * struct mk_region - a preserved region of an instance (preserved.c)
 * @item: its configfs item in the instance's preserved/ group
 * @node: entry in the instance's @regions
 * @inst: the instance
 * @size: bytes, a multiple of MK_GRANULE; 0 until set
 * @phys: its pool memory, 0 until the instance's first start with it
 * @fresh: @phys was taken by the start under way
 * @pinned: its item is pinned in configfs while the instance is started
 */
struct mk_region {
	struct config_item item;
	struct list_head node;
	struct mk_instance *inst;
	u64 size;
	phys_addr_t phys;
	bool fresh;
	bool pinned;
};

/* preserved.c */
extern const struct config_item_type mk_preserved_type;
int mk_preserved_take(struct mk_instance *inst);
void mk_preserved_started(struct mk_instance *inst, bool ok);
unsigned int mk_preserved_list(struct mk_instance *inst,
			       struct multikernel_preserved *out);

/* preserved_spawn.c, handover_spawn.c, msg_spawn.c: inside a spawn */
int mk_preserved_spawn_init(struct kobject *self);
int mk_preserved_spawn_open(void);
int mk_handover_spawn_init(struct kobject *self);
void mk_handover_spawn_request(u32 req);
void mk_spawn_report(u32 state);

/* restart.c: restarts a policy asks for after a crash */
void mk_restart_init(struct mk_instance *inst);
void mk_restart_after_crash(struct mk_instance *inst);
void mk_restart_block(struct mk_instance *inst);
void mk_restart_unblock(struct mk_instance *inst);

/* policy.c, policy_kfuncs.c: BPF policies; without them, the defaults */
#ifdef CONFIG_MULTIKERNEL_BPF
int mk_policy_init(void);
int mk_policy_kfuncs_init(void);
int mk_policy_admit(struct mk_instance *inst);
int mk_policy_crashed(struct mk_instance *inst);
unsigned int mk_policy_heartbeat_lost(struct mk_instance *inst, u64 silent_ms);
int mk_policy_msg_filter(u32 src, const struct multikernel_msg *msg,
			 const void *payload);
void mk_held_state(s32 id, enum mk_state state);
void mk_held_forget(s32 id);
void mk_held_cpu(s32 id, unsigned int cpu, bool lent);
void mk_held_memory(s32 id, u64 size, bool lent);
#else
static inline int mk_policy_init(void)
{
	return 0;
}

static inline int mk_policy_admit(struct mk_instance *inst)
{
	return 0;
}

static inline int mk_policy_crashed(struct mk_instance *inst)
{
	return -1;
}

static inline unsigned int mk_policy_heartbeat_lost(struct mk_instance *inst,
						    u64 silent_ms)
{
	return 0;
}

static inline int mk_policy_msg_filter(u32 src,
				       const struct multikernel_msg *msg,
				       const void *payload)
{
	return 0;
}

static inline void mk_held_state(s32 id, enum mk_state state)
{
}

static inline void mk_held_forget(s32 id)
{
}

static inline void mk_held_cpu(s32 id, unsigned int cpu, bool lent)
{
}

static inline void mk_held_memory(s32 id, u64 size, bool lent)
{
}
#endif

/* configfs.c, sysfs.c */
int mk_configfs_init(void);
ssize_t mk_store_value(struct mk_instance *inst, const char *page,
		       size_t count,
		       int (*set)(struct mk_instance *inst, const char *val));
int mk_configfs_hold(struct mk_instance *inst);
void mk_configfs_release(struct mk_instance *inst);
int mk_configfs_pin(struct mk_instance *inst);
void mk_configfs_unpin(struct mk_instance *inst);
int mk_sysfs_init(void);
int mk_sysfs_add_instance(struct mk_instance *inst);
void mk_sysfs_del_instance(struct mk_instance *inst);
void mk_sysfs_console_changed(struct mk_instance *inst);
int mk_sysfs_add_group(const struct attribute_group *grp);

#endif /* _KERNEL_MULTIKERNEL_INTERNAL_H */
