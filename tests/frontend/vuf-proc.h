/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vuf-proc.h - the back-end process of a test: started so that it dies with
 * the test, stopped and reaped with its exit checked.
 */
#ifndef VUF_PROC_H
#define VUF_PROC_H

#include <stdbool.h>

#include <glib.h>

bool vuf_spawn(char **argv, GSpawnFlags extra, GPid *pid, GError **err);
void vuf_reap(GPid *pid, int sig);
char **vuf_argv(const char *daemon, const char *sock, const char *extra,
		 const char *opts);

#endif /* VUF_PROC_H */
