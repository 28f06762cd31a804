/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stub-harness.h - running the echo stub device (tests/stub) under a test
 * and driving it with libvuf: start/stop, sessions, echo requests.
 */
#ifndef STUB_HARNESS_H
#define STUB_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "vuf.h"

#define HARNESS_GPA	0x100000ull	/* guest physical base of test RAM */
#define HARNESS_RAM	(4u << 20)

/**
 * struct harness - where the stub runs
 * @stub:	Stub binary (VU_STUB)
 * @dir:	Temporary directory
 * @socket:	Socket path in @dir
 */
struct harness {
	const char *stub;
	char *dir;
	char *socket;
};

bool harness_init(struct harness *h);
void harness_fini(struct harness *h);
GPid harness_start(const struct harness *h, int delay_us);
void harness_stop(GPid pid, int sig);
struct vuf_session *harness_session(const struct harness *h,
				    struct vuf_mem *m, uint64_t features,
				    uint64_t protocol);
int harness_post(struct vuf_vq *vq, uint64_t seq, bool indirect);
void harness_check_echo(struct vuf_vq *vq, const struct vuf_used *u,
			uint64_t seq);
void harness_drain(struct vuf_vq *vq, const uint64_t *seq, unsigned int *seen,
		   unsigned int want);

#endif /* STUB_HARNESS_H */
