// SPDX-License-Identifier: GPL-2.0
/*
 * mk_unpriv PROG ARGS...: run PROG as uid and gid 65534 with no
 * supplementary groups, so without any capability.
 */
#include <grp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mk_unpriv PROG ARGS...\n");
		return 2;
	}
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		perror("mk_unpriv");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
