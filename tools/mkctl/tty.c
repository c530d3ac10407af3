// SPDX-License-Identifier: GPL-2.0
/*
 * Raw mode for console: keys go to the spawn as they are typed, Ctrl-C
 * included.  Output processing stays as it was, so that mkctl's own lines
 * end in "\r\n" on the screen; the spawn's output already does.
 */
#include <errno.h>
#include <stdbool.h>
#include <termios.h>
#include <unistd.h>

#include "mkctl.h"

static struct termios saved;
static int saved_fd = -1;

/**
 * mk_tty_raw() - put a terminal in raw mode until mk_tty_restore()
 * @fd: the terminal
 *
 * Return: 0, or -errno.
 */
int mk_tty_raw(int fd)
{
	struct termios raw;

	if (tcgetattr(fd, &saved))
		return -errno;
	raw = saved;
	cfmakeraw(&raw);
	raw.c_oflag |= saved.c_oflag & OPOST;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSAFLUSH, &raw))
		return -errno;
	saved_fd = fd;
	return 0;
}

/**
 * mk_tty_restore() - put the terminal back as mk_tty_raw() found it
 *
 * Does nothing if mk_tty_raw() did not change a terminal.
 */
void mk_tty_restore(void)
{
	if (saved_fd < 0)
		return;
	tcsetattr(saved_fd, TCSADRAIN, &saved);
	saved_fd = -1;
}
