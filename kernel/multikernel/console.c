// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel host side of a spawn's console.
 *
 * The spawn appends its console output to a byte ring in the communication
 * region and never waits for the host.  The watchdog drains the ring into a
 * host-owned buffer that outlives the instance's memory, so the log of a
 * stopped or crashed instance stays readable until its next start.
 * Positions are free-running byte counts; what the spawn overwrote before
 * the host read it is lost, and counted as such by the positions.
 *
 * The ring's head is written by the spawn and is untrusted: it is only
 * used after bounding it against what the ring can hold.
 */

#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "internal.h"

#define MK_LOG_SIZE	SZ_256K
#define MK_OUT_DATA	(MULTIKERNEL_COMM_CONS_OUT_SIZE - sizeof(struct multikernel_ring))
#define MK_IN_DATA	(MULTIKERNEL_COMM_CONS_IN_SIZE - sizeof(struct multikernel_ring))

/**
 * struct mk_console - host copy of a spawn's console output
 * @lock: protects @buf, @head and @cursor
 * @buf: the last MK_LOG_SIZE bytes
 * @head: bytes ever appended to @buf
 * @cursor: bytes of the spawn's ring consumed so far
 */
struct mk_console {
	spinlock_t lock;	/* the watchdog appends while readers read */
	char *buf;
	u64 head;
	u64 cursor;
};

/**
 * mk_console_alloc() - allocate an empty console copy
 *
 * Return: the console, or NULL without memory.
 */
struct mk_console *mk_console_alloc(void)
{
	struct mk_console *con = kzalloc(sizeof(*con), GFP_KERNEL);

	if (!con)
		return NULL;
	con->buf = vmalloc(MK_LOG_SIZE);
	if (!con->buf) {
		kfree(con);
		return NULL;
	}
	spin_lock_init(&con->lock);
	return con;
}

/**
 * mk_console_free() - free a console copy
 * @con: the console, or NULL
 */
void mk_console_free(struct mk_console *con)
{
	if (!con)
		return;
	vfree(con->buf);
	kfree(con);
}

/**
 * mk_console_reset() - forget the previous boot's output
 * @con: the console
 */
void mk_console_reset(struct mk_console *con)
{
	spin_lock(&con->lock);
	con->head = 0;
	con->cursor = 0;
	spin_unlock(&con->lock);
}

static void mk_log_append(struct mk_console *con, const char *src, size_t n)
{
	size_t off, chunk;

	while (n) {
		off = con->head % MK_LOG_SIZE;
		chunk = min(n, MK_LOG_SIZE - off);
		memcpy(con->buf + off, src, chunk);
		con->head += chunk;
		src += chunk;
		n -= chunk;
	}
}

/**
 * mk_console_drain() - copy new output from the spawn's ring
 * @con: the console
 * @comm: the instance's communication region, mapped
 *
 * Return: true if new bytes arrived.
 */
bool mk_console_drain(struct mk_console *con, void *comm)
{
	struct multikernel_ring *ring = comm + MULTIKERNEL_COMM_CONS_OUT;
	const char *data = (const char *)(ring + 1);
	u64 head = READ_ONCE(ring->head);
	u64 from, off, n;

	smp_rmb();	/* head before data */
	spin_lock(&con->lock);
	if (head == con->cursor) {
		spin_unlock(&con->lock);
		return false;
	}
	/* A head that went backwards or jumped ahead: resynchronise. */
	from = con->cursor;
	if (head < from || head - from > MK_OUT_DATA)
		from = head > MK_OUT_DATA ? head - MK_OUT_DATA : 0;
	while (from < head) {
		off = from % MK_OUT_DATA;
		n = min(head - from, MK_OUT_DATA - off);
		mk_log_append(con, data + off, n);
		from += n;
	}
	con->cursor = head;
	spin_unlock(&con->lock);
	return true;
}

/**
 * mk_console_continue() - go on with another kernel's console output
 * @con: the instance's console
 * @from: the console its upgrade's successor wrote while it booted
 *
 * Appends what @from holds and continues from @from's place in the
 * successor's ring, so that the instance's log runs on from the old
 * kernel's last line to the successor's boot and beyond.
 */
void mk_console_continue(struct mk_console *con, struct mk_console *from)
{
	u64 start, n, off, chunk;

	spin_lock(&con->lock);
	spin_lock_nested(&from->lock, SINGLE_DEPTH_NESTING);
	n = min_t(u64, from->head, MK_LOG_SIZE);
	start = from->head - n;
	while (n) {
		off = start % MK_LOG_SIZE;
		chunk = min_t(u64, n, MK_LOG_SIZE - off);
		mk_log_append(con, from->buf + off, chunk);
		start += chunk;
		n -= chunk;
	}
	con->cursor = from->cursor;
	spin_unlock(&from->lock);
	spin_unlock(&con->lock);
}

/**
 * mk_console_read() - read the console copy at a stream position
 * @con: the console
 * @buf: destination
 * @pos: position in the output stream since the instance's last start
 * @count: bytes wanted
 *
 * Bytes older than the last MK_LOG_SIZE are gone; a read from there starts
 * at the oldest byte kept.
 *
 * Return: bytes copied, 0 at the end of what arrived so far.
 */
ssize_t mk_console_read(struct mk_console *con, char *buf, loff_t pos,
			size_t count)
{
	u64 oldest, off, n, done = 0;

	spin_lock(&con->lock);
	oldest = con->head > MK_LOG_SIZE ? con->head - MK_LOG_SIZE : 0;
	if (pos < oldest)
		pos = oldest;
	while (done < count && pos < con->head) {
		off = pos % MK_LOG_SIZE;
		n = min3((u64)(count - done), con->head - pos, MK_LOG_SIZE - off);
		memcpy(buf + done, con->buf + off, n);
		done += n;
		pos += n;
	}
	spin_unlock(&con->lock);
	return done;
}

/**
 * mk_console_input() - queue bytes for the spawn's console input
 * @comm: the instance's communication region, mapped
 * @buf: the bytes
 * @count: how many
 *
 * Return: bytes queued, which may be fewer than @count when the spawn has
 * not read earlier input yet.
 */
ssize_t mk_console_input(void *comm, const char *buf, size_t count)
{
	struct multikernel_ring *ring = comm + MULTIKERNEL_COMM_CONS_IN;
	char *data = (char *)(ring + 1);
	u64 head = READ_ONCE(ring->head);
	u64 tail = READ_ONCE(ring->tail);
	size_t n = 0;

	/* A tail the spawn moved past head or too far back frees nothing. */
	if (tail > head || head - tail > MK_IN_DATA)
		tail = head - min_t(u64, head, MK_IN_DATA);
	smp_mb();	/* tail read before slots are reused */
	while (n < count && head - tail < MK_IN_DATA)
		data[head++ % MK_IN_DATA] = buf[n++];
	smp_wmb();	/* data before head */
	WRITE_ONCE(ring->head, head);
	return n;
}

/**
 * mk_console_last_line() - the last line the spawn printed, for the log
 * @con: the console copy
 * @line: buffer for the line, passed through mk_copy_spawn_text()
 * @len: its size, at least 1
 */
void mk_console_last_line(struct mk_console *con, char *line, size_t len)
{
	char tail[MK_REASON_LEN];
	size_t n, start, end, i;

	spin_lock(&con->lock);
	n = min_t(u64, con->head, sizeof(tail));
	for (i = 0; i < n; i++)
		tail[i] = con->buf[(con->head - n + i) % MK_LOG_SIZE];
	spin_unlock(&con->lock);

	for (end = n; end && (tail[end - 1] == '\n' || tail[end - 1] == '\r');)
		end--;
	for (start = end; start && tail[start - 1] != '\n' &&
	     tail[start - 1] != '\r';)
		start--;
	mk_copy_spawn_text(line, len, tail + start, end - start);
}
