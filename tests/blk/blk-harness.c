// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk-harness.c - running a vhost-user-blk back-end on a temporary backing
 * file and posting virtio-blk requests to it (see blk-harness.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "blk-harness.h"
#include "vuf-proc.h"

#define BLKT_SCRATCH	(1u << 20)	/* bytes of guest memory for tests */

/**
 * blkt_init() - Find the back-end, make a socket directory and a sparse
 * backing file
 * @t:		Harness to fill
 * @img_size:	Bytes of the backing file
 *
 * The file goes in VU_BLK_TMPDIR (the build directory under meson), else
 * /var/tmp: tmpfs would refuse O_DIRECT and has no real block allocation.
 *
 * Return: false if VU_BLK does not name an executable (skip the tests)
 */
bool blkt_init(struct blkt *t, uint64_t img_size)
{
	const char *tmp = g_getenv("VU_BLK_TMPDIR");
	char *tmpl;

	memset(t, 0, sizeof(*t));
	t->daemon = g_getenv("VU_BLK");
	if (!t->daemon || access(t->daemon, X_OK))
		return false;
	t->dir = g_dir_make_tmp("vu-blk-XXXXXX", NULL);
	g_assert_nonnull(t->dir);
	t->sock = g_build_filename(t->dir, "blk.sock", NULL);
	tmpl = g_build_filename(tmp ? tmp : "/var/tmp", "vu-blk-img-XXXXXX",
				NULL);
	t->img_fd = g_mkstemp(tmpl);
	g_assert_cmpint(t->img_fd, >=, 0);
	t->img = tmpl;
	g_assert_cmpint(ftruncate(t->img_fd, (off_t)img_size), ==, 0);
	return true;
}

/**
 * blkt_fini() - Stop what runs, remove the socket directory and the file
 * @t:		Harness
 */
void blkt_fini(struct blkt *t)
{
	blkt_stop(t);
	close(t->img_fd);
	g_unlink(t->img);
	g_unlink(t->sock);
	g_rmdir(t->dir);
	g_free(t->img);
	g_free(t->sock);
	g_free(t->dir);
	g_strfreev(t->args);
}

/**
 * blkt_spawn() - Start the back-end on the harness socket and file
 * @t:		Harness
 * @opts:	Further options, separated by spaces (may be NULL)
 */
void blkt_spawn(struct blkt *t, const char *opts)
{
	g_strfreev(t->args);
	t->args = g_strsplit(opts ? opts : "", " ", -1);
	blkt_respawn(t);
}

/**
 * blkt_respawn() - Start the back-end again with the same options
 * @t:		Harness (no back-end running)
 */
void blkt_respawn(struct blkt *t)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	char **a;

	g_assert_cmpint(t->pid, ==, 0);
	g_ptr_array_add(argv, g_strdup(t->daemon));
	g_ptr_array_add(argv, g_strdup_printf("--socket-path=%s", t->sock));
	g_ptr_array_add(argv, g_strdup_printf("--blk-file=%s", t->img));
	for (a = t->args; *a; a++)
		if (**a)
			g_ptr_array_add(argv, g_strdup(*a));
	g_ptr_array_add(argv, NULL);
	g_assert_true(vuf_spawn((char **)argv->pdata, 0, &t->pid, &err));
	g_ptr_array_free(argv, TRUE);
}

/**
 * blkt_kill() - Signal the back-end and reap it
 * @t:		Harness
 * @sig:	Signal; with SIGTERM the back-end must exit with status 0,
 *		which also shows it survived everything the test sent
 */
void blkt_kill(struct blkt *t, int sig)
{
	vuf_reap(&t->pid, sig);
}

/**
 * want_features() - Every virtio-blk feature plus the ring features we test
 *
 * Return: feature bits to ask for
 */
static uint64_t want_features(void)
{
	static const unsigned int bits[] = {
		VBLK_F_SIZE_MAX, VBLK_F_SEG_MAX, VBLK_F_RO, VBLK_F_BLK_SIZE,
		VBLK_F_FLUSH, VBLK_F_TOPOLOGY, VBLK_F_CONFIG_WCE, VBLK_F_MQ,
		VBLK_F_DISCARD, VBLK_F_WRITE_ZEROES, VUF_F_EVENT_IDX,
		VUF_F_INDIRECT_DESC, VUF_F_VERSION_1,
	};
	uint64_t f = 0;
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(bits); i++)
		f |= VUF_BIT(bits[i]);
	return f;
}

/**
 * add_queue() - Create ring @i, its buffer pool, and start it
 * @t:		Harness (connected)
 * @i:		Ring index
 */
static void add_queue(struct blkt *t, unsigned int i)
{
	struct blkq *q = &t->q[i];

	memset(q, 0, sizeof(*q));
	q->mem = t->mem;
	q->vq = vuf_session_add_vq(t->s, (uint16_t)i, BLKT_QSIZE, 4096);
	g_assert_nonnull(q->vq);
	q->pool_gpa = vuf_mem_alloc(t->mem, (uint64_t)BLKT_QSIZE * BLKT_SLOT,
				    4096);
	g_assert_cmpuint(q->pool_gpa, !=, VUF_GPA_INVALID);
	g_assert_cmpint(vuf_session_start_vq(t->s, q->vq), ==, 0);
}

/**
 * blkt_connect() - Connect to the running back-end and set the device up
 * @t:		Harness
 * @nqueues:	Rings to start (0 to BLKT_MAX_QUEUES)
 * @protocol:	Protocol features wanted on top of MQ, REPLY_ACK, CONFIG and
 *		STATUS (INFLIGHT_SHMFD also sets up an inflight region)
 *
 * Negotiates every virtio-blk feature offered (and @t->want_extra), then
 * as QEMU does:
 * status, inflight region, memory table, rings, DRIVER_OK.
 */
void blkt_connect(struct blkt *t, unsigned int nqueues, uint64_t protocol)
{
	uint8_t st = VUF_S_ACKNOWLEDGE | VUF_S_DRIVER | VUF_S_FEATURES_OK;
	struct vuf_conn *c;
	unsigned int i;

	g_assert_cmpuint(nqueues, <=, BLKT_MAX_QUEUES);
	if (!t->mem) {
		t->mem = vuf_mem_new();
		g_assert_cmpint(vuf_mem_add_region(t->mem, BLKT_GPA, BLKT_RAM,
						   0), ==, 0);
	}
	g_assert_cmpint(vuf_conn_connect(t->sock, 5000, &c), ==, 0);
	t->s = vuf_session_new(c, t->mem);
	protocol |= VUF_BIT(VUF_PF_MQ) | VUF_BIT(VUF_PF_REPLY_ACK) |
		    VUF_BIT(VUF_PF_CONFIG) | VUF_BIT(VUF_PF_STATUS);
	g_assert_cmpint(vuf_session_negotiate(t->s, want_features() |
					      t->want_extra, protocol), ==, 0);
	t->features = vuf_conn_features(c);
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st), ==, 0);
	if (vuf_conn_has_pf(c, VUF_PF_INFLIGHT_SHMFD))
		g_assert_cmpint(vuf_session_get_inflight(t->s, (uint16_t)
				MAX(nqueues, 1), BLKT_QSIZE), ==, 0);
	g_assert_cmpint(vuf_session_set_mem_table(t->s), ==, 0);
	for (i = 0; i < nqueues; i++)
		add_queue(t, i);
	t->nq = nqueues;
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st |
				VUF_S_DRIVER_OK), ==, 0);
}

/**
 * blkt_start() - Start the back-end and connect with @nqueues rings
 * @t:		Harness
 * @opts:	Back-end options (see blkt_spawn())
 * @nqueues:	Rings to start
 */
void blkt_start(struct blkt *t, const char *opts, unsigned int nqueues)
{
	blkt_spawn(t, opts);
	blkt_connect(t, nqueues, 0);
}

/**
 * blkt_stop() - Close the session and free guest memory, then SIGTERM the
 * back-end, which must exit cleanly
 * @t:		Harness
 */
void blkt_stop(struct blkt *t)
{
	vuf_session_free(t->s);
	t->s = NULL;
	t->nq = 0;
	vuf_mem_free(t->mem);
	t->mem = NULL;
	blkt_kill(t, SIGTERM);
}

/**
 * blkt_conn() - The current connection
 * @t:		Harness
 *
 * Return: connection
 */
struct vuf_conn *blkt_conn(const struct blkt *t)
{
	return vuf_session_conn(t->s);
}

/**
 * blkt_hdr() - Write a virtio-blk request header
 * @buf:	16 bytes
 * @type:	Request type
 * @sector:	Sector
 */
void blkt_hdr(void *buf, uint32_t type, uint64_t sector)
{
	uint32_t w[2] = { GUINT32_TO_LE(type), 0 };
	uint64_t s = GUINT64_TO_LE(sector);

	memcpy(buf, w, sizeof(w));
	memcpy((uint8_t *)buf + 8, &s, sizeof(s));
}

/**
 * blkt_scratch() - Place bytes in guest memory outside any ring's pool
 * @t:		Harness (connected)
 * @bytes:	Data to copy, or NULL to fill with 0xee
 * @len:	Bytes
 *
 * Return: guest physical address
 */
uint64_t blkt_scratch(struct blkt *t, const void *bytes, uint32_t len)
{
	uint64_t gpa = vuf_mem_alloc(t->mem, len ? len : 1, 64);
	void *p;

	g_assert_cmpuint(gpa, !=, VUF_GPA_INVALID);
	p = vuf_mem_ptr(t->mem, gpa, len);
	if (bytes)
		memcpy(p, bytes, len);
	else
		memset(p, 0xee, len);
	return gpa;
}

/**
 * take_slot() - Reserve a free buffer slot of a ring
 * @q:		Ring
 *
 * Return: slot number
 */
static unsigned int take_slot(struct blkq *q)
{
	unsigned int s;

	for (s = 0; s < BLKT_QSIZE; s++)
		if (!(q->busy & (1ull << s)))
			break;
	g_assert_cmpuint(s, <, BLKT_QSIZE);
	q->busy |= 1ull << s;
	return s;
}

/**
 * blkq_post() - Post a well-formed request from the ring's buffer pool
 * @q:		Ring
 * @type:	Request type
 * @sector:	Sector
 * @out:	Data the device reads (OUT, DISCARD segments...), or NULL
 * @out_len:	Bytes of @out (0: no out data buffer)
 * @in_len:	Bytes of data the device writes (0: none), filled with 0xaa
 *
 * The chain is: header, out data, in data, status (set to VBLK_S_NONE),
 * direct or indirect as @q->indirect says.
 *
 * Return: chain id
 */
int blkq_post(struct blkq *q, uint32_t type, uint64_t sector,
	      const void *out, uint32_t out_len, uint32_t in_len)
{
	unsigned int slot = take_slot(q);
	uint64_t gpa = q->pool_gpa + (uint64_t)slot * BLKT_SLOT;
	uint8_t *p = vuf_mem_ptr(q->mem, gpa, BLKT_SLOT);
	struct vuf_desc d[4];
	unsigned int n = 0;
	uint32_t off = 64;
	int id;

	g_assert_cmpuint(out_len + in_len + 128, <=, BLKT_SLOT);
	blkt_hdr(p, type, sector);
	d[n++] = (struct vuf_desc){ gpa, VBLK_HDR_SIZE, false };
	if (out_len) {
		memcpy(p + off, out, out_len);
		d[n++] = (struct vuf_desc){ gpa + off, out_len, false };
		off += (out_len + 63) & ~63u;
	}
	if (in_len) {
		memset(p + off, 0xaa, in_len);
		d[n++] = (struct vuf_desc){ gpa + off, in_len, true };
		off += (in_len + 63) & ~63u;
	}
	p[off] = VBLK_S_NONE;
	d[n++] = (struct vuf_desc){ gpa + off, 1, true };
	id = blkq_post_descs(q, d, n, gpa + off, q->indirect);
	q->slot[id] = (uint16_t)slot;
	q->data_gpa[id] = in_len ? d[n - 2].gpa : 0;
	return id;
}

/**
 * blkq_post_descs() - Post a chain of caller-placed (maybe hostile) buffers
 * @q:		Ring
 * @d:		Buffers
 * @n:		Number of buffers
 * @status_gpa:	Where the status byte is expected (0: nowhere)
 * @indirect:	As one indirect descriptor
 *
 * Kicks the ring (only if the device asks for it when @q->notify).
 *
 * Return: chain id
 */
int blkq_post_descs(struct blkq *q, const struct vuf_desc *d, unsigned int n,
		    uint64_t status_gpa, bool indirect)
{
	int id = vuf_vq_post_descs(q->vq, d, n, indirect);

	g_assert_cmpint(id, >=, 0);
	g_assert_cmpint(id, <, (int)BLKT_QSIZE);
	q->slot[id] = UINT16_MAX;
	q->status_gpa[id] = status_gpa;
	q->data_gpa[id] = 0;
	if (q->notify)
		g_assert_cmpint(vuf_vq_notify(q->vq), >=, 0);
	else
		g_assert_cmpint(vuf_vq_kick(q->vq), ==, 0);
	return id;
}

/**
 * blkq_data() - The in data buffer of a request posted with blkq_post()
 * @q:		Ring
 * @id:		Chain id (completed or not; valid until the next post)
 * @len:	Bytes wanted
 *
 * Return: pointer into guest memory
 */
void *blkq_data(const struct blkq *q, uint16_t id, uint32_t len)
{
	g_assert_cmpuint(q->data_gpa[id], !=, 0);
	return vuf_mem_ptr(q->mem, q->data_gpa[id], len);
}

/**
 * finish() - Record one completion and release its slot
 * @q:		Ring
 * @u:		Completion
 * @d:		Outcome to fill
 */
static void finish(struct blkq *q, const struct vuf_used *u,
		   struct blkt_done *d)
{
	uint8_t *st = NULL;

	d->id = u->id;
	d->len = u->len;
	if (q->status_gpa[u->id])
		st = vuf_mem_ptr(q->mem, q->status_gpa[u->id], 1);
	d->status = st ? *st : VBLK_S_NONE;
	if (q->slot[u->id] != UINT16_MAX)
		q->busy &= ~(1ull << q->slot[u->id]);
}

/**
 * blkq_poll() - Collect the completions already there, without waiting
 * @q:		Ring
 * @d:		Outcomes, in completion order
 * @max:	Size of @d
 *
 * Return: completions collected
 */
unsigned int blkq_poll(struct blkq *q, struct blkt_done *d, unsigned int max)
{
	struct vuf_used u[BLKT_QSIZE];
	unsigned int got = 0;
	int r, i;

	do {
		r = vuf_vq_collect(q->vq, u, MIN(max - got, BLKT_QSIZE));
		g_assert_cmpint(r, >=, 0);
		for (i = 0; i < r; i++)
			finish(q, &u[i], &d[got + (unsigned int)i]);
		got += (unsigned int)r;
	} while (r && got < max);
	return got;
}

/**
 * blkq_wait() - Collect @n completions (5 s at most between two)
 * @q:		Ring
 * @d:		Outcomes, in completion order
 * @n:		Completions to wait for
 */
void blkq_wait(struct blkq *q, struct blkt_done *d, unsigned int n)
{
	struct vuf_used u[BLKT_QSIZE];
	unsigned int got = 0;
	int r, i;

	while (got < n) {
		r = vuf_vq_collect(q->vq, u, MIN(n - got, BLKT_QSIZE));
		g_assert_cmpint(r, >=, 0);
		for (i = 0; i < r; i++)
			finish(q, &u[i], &d[got + (unsigned int)i]);
		got += (unsigned int)r;
		if (!r && vuf_vq_wait_call(q->vq, 5000))
			g_error("ring %u: %u of %u completions: %s",
				vuf_vq_index(q->vq), got, n,
				vuf_vq_error(q->vq));
	}
}

/**
 * blkq_run() - Wait for the one request in flight
 * @q:		Ring
 * @id:		Its chain id
 *
 * Return: its outcome
 */
struct blkt_done blkq_run(struct blkq *q, int id)
{
	struct blkt_done d;

	blkq_wait(q, &d, 1);
	g_assert_cmpint(d.id, ==, id);
	return d;
}

/**
 * blkq_write() - Write sectors and wait
 * @q:		Ring
 * @sector:	First sector
 * @buf:	Data
 * @len:	Bytes
 *
 * Return: status byte (the used length of a success must be 1)
 */
uint8_t blkq_write(struct blkq *q, uint64_t sector, const void *buf,
		   uint32_t len)
{
	struct blkt_done d = blkq_run(q, blkq_post(q, VBLK_T_OUT, sector, buf,
						   len, 0));

	if (d.status == VBLK_S_OK)
		g_assert_cmpuint(d.len, ==, 1);
	return d.status;
}

/**
 * blkq_read() - Read sectors and wait
 * @q:		Ring
 * @sector:	First sector
 * @buf:	Filled with what the device wrote (or 0xaa where it did not)
 * @len:	Bytes
 *
 * Return: status byte (the used length of a success must be @len + 1)
 */
uint8_t blkq_read(struct blkq *q, uint64_t sector, void *buf, uint32_t len)
{
	int id = blkq_post(q, VBLK_T_IN, sector, NULL, 0, len);
	struct blkt_done d = blkq_run(q, id);

	if (d.status == VBLK_S_OK)
		g_assert_cmpuint(d.len, ==, len + 1);
	memcpy(buf, blkq_data(q, (uint16_t)id, len), len);
	return d.status;
}

/**
 * blkq_simple() - A request of header and status only (FLUSH, ...)
 * @q:		Ring
 * @type:	Request type
 * @sector:	Sector field
 *
 * Return: status byte
 */
uint8_t blkq_simple(struct blkq *q, uint32_t type, uint64_t sector)
{
	return blkq_run(q, blkq_post(q, type, sector, NULL, 0, 0)).status;
}

/**
 * blkq_dwz() - One DISCARD or WRITE_ZEROES segment, and wait
 * @q:		Ring
 * @type:	VBLK_T_DISCARD or VBLK_T_WRITE_ZEROES
 * @sector:	First sector
 * @sectors:	Sectors
 * @flags:	Segment flags
 *
 * Return: status byte
 */
uint8_t blkq_dwz(struct blkq *q, uint32_t type, uint64_t sector,
		 uint32_t sectors, uint32_t flags)
{
	struct virtio_blk_dwz seg = { GUINT64_TO_LE(sector),
				      GUINT32_TO_LE(sectors),
				      GUINT32_TO_LE(flags) };

	return blkq_run(q, blkq_post(q, type, 0, &seg, sizeof(seg),
				     0)).status;
}

/**
 * blkt_fill() - Fill a buffer with bytes that depend on @seed and position
 * @buf:	Buffer
 * @len:	Bytes
 * @seed:	Seed (different seeds give different bytes)
 */
void blkt_fill(void *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/**
 * blkt_file_write() - Write the backing file directly
 * @t:		Harness
 * @off:	Offset
 * @buf:	Data
 * @len:	Bytes
 */
void blkt_file_write(const struct blkt *t, uint64_t off, const void *buf,
		     size_t len)
{
	g_assert_cmpint(pwrite(t->img_fd, buf, len, (off_t)off), ==,
			(ssize_t)len);
	g_assert_cmpint(fsync(t->img_fd), ==, 0);
}

/**
 * blkt_file_check() - The backing file holds @buf at @off
 * @t:		Harness
 * @off:	Offset
 * @buf:	Expected bytes
 * @len:	Bytes
 */
void blkt_file_check(const struct blkt *t, uint64_t off, const void *buf,
		     size_t len)
{
	uint8_t *got = g_malloc(len);

	g_assert_cmpint(pread(t->img_fd, got, len, (off_t)off), ==,
			(ssize_t)len);
	g_assert_cmpmem(got, len, buf, len);
	g_free(got);
}

/**
 * blkt_file_check_zero() - The backing file reads as zeroes over a range
 * @t:		Harness
 * @off:	Offset
 * @len:	Bytes
 */
void blkt_file_check_zero(const struct blkt *t, uint64_t off, size_t len)
{
	uint8_t *zero = g_malloc0(len);

	blkt_file_check(t, off, zero, len);
	g_free(zero);
}

/**
 * blkt_file_blocks() - 512-byte blocks the backing file occupies
 * @t:		Harness
 *
 * Return: st_blocks
 */
uint64_t blkt_file_blocks(const struct blkt *t)
{
	struct stat st;

	g_assert_cmpint(fstat(t->img_fd, &st), ==, 0);
	return (uint64_t)st.st_blocks;
}

/**
 * blkt_file_allocated() - No hole anywhere in a range of the backing file
 * @t:		Harness
 * @off:	Offset
 * @len:	Bytes
 *
 * Return: true if SEEK_HOLE from @off lands at or after @off + @len
 */
bool blkt_file_allocated(const struct blkt *t, uint64_t off, uint64_t len)
{
	off_t h = lseek(t->img_fd, (off_t)off, SEEK_HOLE);

	g_assert_cmpint(h, >=, 0);
	return (uint64_t)h >= off + len;
}

/**
 * blkt_file_hole() - A range of the backing file is all hole
 * @t:		Harness
 * @off:	Offset
 * @len:	Bytes
 *
 * Return: true if SEEK_DATA from @off finds nothing before @off + @len
 */
bool blkt_file_hole(const struct blkt *t, uint64_t off, uint64_t len)
{
	off_t d = lseek(t->img_fd, (off_t)off, SEEK_DATA);

	if (d < 0)
		return errno == ENXIO;
	return (uint64_t)d >= off + len;
}

/**
 * blkt_file_resize() - Change the size of the backing file
 * @t:		Harness
 * @size:	New size in bytes
 */
void blkt_file_resize(const struct blkt *t, uint64_t size)
{
	g_assert_cmpint(ftruncate(t->img_fd, (off_t)size), ==, 0);
}

/**
 * cfg_read() - A config field, read as QEMU reads config space: the whole
 * of it from offset 0 (some back-ends ignore the offset)
 * @t:		Harness (connected)
 * @off:	Offset of the field
 * @buf:	Destination
 * @len:	Bytes of the field
 */
static void cfg_read(struct blkt *t, uint32_t off, void *buf, uint32_t len)
{
	struct vuf_conn *c = blkt_conn(t);
	uint8_t cfg[VBLK_CFG_SIZE];

	g_assert_cmpuint(off + len, <=, sizeof(cfg));
	if (vuf_get_config(c, 0, cfg, sizeof(cfg)))
		g_error("GET_CONFIG: %s", vuf_conn_error(c));
	memcpy(buf, cfg + off, len);
}

/**
 * blkt_cfg_u64() - A little-endian 64-bit config field
 * @t:		Harness
 * @off:	Offset
 *
 * Return: value
 */
uint64_t blkt_cfg_u64(struct blkt *t, uint32_t off)
{
	uint64_t v;

	cfg_read(t, off, &v, sizeof(v));
	return GUINT64_FROM_LE(v);
}

/**
 * blkt_cfg_u32() - A little-endian 32-bit config field
 * @t:		Harness
 * @off:	Offset
 *
 * Return: value
 */
uint32_t blkt_cfg_u32(struct blkt *t, uint32_t off)
{
	uint32_t v;

	cfg_read(t, off, &v, sizeof(v));
	return GUINT32_FROM_LE(v);
}

/**
 * blkt_cfg_u16() - A little-endian 16-bit config field
 * @t:		Harness
 * @off:	Offset
 *
 * Return: value
 */
uint16_t blkt_cfg_u16(struct blkt *t, uint32_t off)
{
	uint16_t v;

	cfg_read(t, off, &v, sizeof(v));
	return GUINT16_FROM_LE(v);
}

/**
 * blkt_cfg_u8() - A config byte
 * @t:		Harness
 * @off:	Offset
 *
 * Return: value
 */
uint8_t blkt_cfg_u8(struct blkt *t, uint32_t off)
{
	uint8_t v;

	cfg_read(t, off, &v, sizeof(v));
	return v;
}
