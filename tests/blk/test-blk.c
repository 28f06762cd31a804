// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-blk.c - the vhost-user-blk back-end driven by libvuf over a real
 * socket: every request type checked against the backing file, config
 * space and features, read-only mode, bounds and malformed chains, with
 * both I/O engines.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "blk-harness.h"

#define MIB		(1u << 20)
#define CAPACITY	(BLKT_IMG_SIZE / VBLK_SECTOR)

/**
 * start() - A back-end on a fresh 16 MiB file, one ring started
 * @t:		Harness to fill
 * @engine:	--io value
 * @extra:	More options, or NULL
 * @nq:		Rings to start
 *
 * Return: false to skip (no back-end binary)
 */
static bool start(struct blkt *t, const char *engine, const char *extra,
		  unsigned int nq)
{
	char *opts;

	if (!blkt_init(t, BLKT_IMG_SIZE)) {
		g_test_skip("VU_BLK is not set");
		return false;
	}
	opts = g_strdup_printf("--io=%s %s", engine, extra ? extra : "");
	blkt_start(t, opts, nq);
	g_free(opts);
	return true;
}

/**
 * test_rw() - Writes reach the file, reads return the file, in one buffer
 * or split across several and through an indirect table
 * @data:	Engine name
 */
static void test_rw(const void *data)
{
	uint8_t *a = g_malloc(128 << 10), *b = g_malloc(128 << 10);
	struct blkt t;

	if (!start(&t, data, NULL, 1))
		goto out;
	blkt_fill(a, 4096, 1);
	g_assert_cmpuint(blkq_write(&t.q[0], 8, a, 4096), ==, VBLK_S_OK);
	blkt_file_check(&t, 8 * VBLK_SECTOR, a, 4096);
	g_assert_cmpuint(blkq_read(&t.q[0], 8, b, 4096), ==, VBLK_S_OK);
	g_assert_cmpmem(a, 4096, b, 4096);

	blkt_fill(a, 128 << 10, 2);
	g_assert_cmpuint(blkq_write(&t.q[0], 1001, a, 128 << 10), ==,
			 VBLK_S_OK);
	blkt_file_check(&t, 1001 * VBLK_SECTOR, a, 128 << 10);

	blkt_fill(a, 64 << 10, 3);
	blkt_file_write(&t, 5 * MIB, a, 64 << 10);
	g_assert_cmpuint(blkq_read(&t.q[0], 5 * MIB / VBLK_SECTOR, b, 64 << 10),
			 ==, VBLK_S_OK);
	g_assert_cmpmem(a, 64 << 10, b, 64 << 10);
	/* the last sector of the device */
	g_assert_cmpuint(blkq_write(&t.q[0], CAPACITY - 1, a, 512), ==,
			 VBLK_S_OK);
	blkt_file_check(&t, BLKT_IMG_SIZE - 512, a, 512);
	blkt_stop(&t);
	blkt_fini(&t);
out:
	g_free(a);
	g_free(b);
}

/**
 * post_segments() - A read or write whose data is split in uneven buffers
 * @t:		Harness
 * @type:	VBLK_T_IN or VBLK_T_OUT
 * @sector:	Sector
 * @data:	OUT: the bytes to write; IN: unused
 * @nseg:	Data buffers (at most 200), of 512 * (1 + i % 3) bytes each
 * @indirect:	Through an indirect table
 * @gpa:	Set to the guest address of the (contiguous) data
 *
 * Return: the completion
 */
static struct blkt_done post_segments(struct blkt *t, uint32_t type,
				      uint64_t sector, const uint8_t *data,
				      unsigned int nseg, bool indirect,
				      uint64_t *gpa)
{
	struct vuf_desc d[202];
	uint8_t hdr[VBLK_HDR_SIZE];
	uint32_t off = 0, len;
	uint64_t st;
	unsigned int i;

	blkt_hdr(hdr, type, sector);
	d[0] = (struct vuf_desc){ blkt_scratch(t, hdr, sizeof(hdr)),
				  sizeof(hdr), false };
	for (i = 0, len = 0; i < nseg; i++)
		len += 512 * (1 + i % 3);
	*gpa = blkt_scratch(t, type == VBLK_T_OUT ? data : NULL, len);
	for (i = 0; i < nseg; i++) {
		d[i + 1] = (struct vuf_desc){ *gpa + off, 512 * (1 + i % 3),
					      type == VBLK_T_IN };
		off += d[i + 1].len;
	}
	st = blkt_scratch(t, (uint8_t[]){ VBLK_S_NONE }, 1);
	d[nseg + 1] = (struct vuf_desc){ st, 1, true };
	return blkq_run(&t->q[0], blkq_post_descs(&t->q[0], d, nseg + 2, st,
						  indirect));
}

/**
 * segment_bytes() - Data bytes of post_segments() with @nseg buffers
 * @nseg:	Buffers
 *
 * Return: bytes
 */
static uint32_t segment_bytes(unsigned int nseg)
{
	uint32_t len = 0;
	unsigned int i;

	for (i = 0; i < nseg; i++)
		len += 512 * (1 + i % 3);
	return len;
}

/**
 * test_segments() - Data in many uneven buffers, direct and indirect
 * @data:	Engine name
 */
static void test_segments(const void *data)
{
	uint32_t len = segment_bytes(40);
	uint8_t *a = g_malloc(len);
	struct blkt_done d;
	struct blkt t;
	uint64_t gpa;

	if (!start(&t, data, NULL, 1))
		goto out;
	blkt_fill(a, len, 4);
	d = post_segments(&t, VBLK_T_OUT, 64, a, 40, false, &gpa);
	g_assert_cmpuint(d.status, ==, VBLK_S_OK);
	blkt_file_check(&t, 64 * VBLK_SECTOR, a, len);
	d = post_segments(&t, VBLK_T_IN, 64, NULL, 40, true, &gpa);
	g_assert_cmpuint(d.status, ==, VBLK_S_OK);
	g_assert_cmpuint(d.len, ==, len + 1);
	g_assert_cmpmem(vuf_mem_ptr(t.mem, gpa, len), len, a, len);
	blkt_stop(&t);
	blkt_fini(&t);
out:
	g_free(a);
}

/**
 * test_flush() - FLUSH succeeds, after writes and on its own
 * @data:	Engine name
 */
static void test_flush(const void *data)
{
	uint8_t a[4096];
	struct blkt_done d;
	struct blkt t;

	if (!start(&t, data, NULL, 1))
		return;
	g_assert_true(t.features & VUF_BIT(VBLK_F_FLUSH));
	blkt_fill(a, sizeof(a), 5);
	g_assert_cmpuint(blkq_write(&t.q[0], 0, a, sizeof(a)), ==, VBLK_S_OK);
	d = blkq_run(&t.q[0], blkq_post(&t.q[0], VBLK_T_FLUSH, 0, NULL, 0, 0));
	g_assert_cmpuint(d.status, ==, VBLK_S_OK);
	g_assert_cmpuint(d.len, ==, 1);
	blkt_file_check(&t, 0, a, sizeof(a));
	g_assert_cmpuint(blkq_simple(&t.q[0], VBLK_T_FLUSH, 0), ==, VBLK_S_OK);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * get_id() - GET_ID into a 20-byte buffer
 * @t:		Harness
 * @id:		The 20 bytes written
 *
 * Return: status byte
 */
static uint8_t get_id(struct blkt *t, uint8_t *id)
{
	int i = blkq_post(&t->q[0], VBLK_T_GET_ID, 0, NULL, 0, VBLK_ID_BYTES);
	struct blkt_done d = blkq_run(&t->q[0], i);

	memcpy(id, blkq_data(&t->q[0], (uint16_t)i, VBLK_ID_BYTES),
	       VBLK_ID_BYTES);
	if (d.status == VBLK_S_OK)
		g_assert_cmpuint(d.len, ==, VBLK_ID_BYTES + 1);
	return d.status;
}

/**
 * test_get_id() - GET_ID returns --serial, NUL padded to 20 bytes, or its
 * first 20 bytes
 */
static void test_get_id(void)
{
	uint8_t id[VBLK_ID_BYTES], want[VBLK_ID_BYTES] = "vu-serial-42";
	struct blkt t;

	if (!start(&t, "io_uring", "--serial=vu-serial-42", 1))
		return;
	g_assert_cmpuint(get_id(&t, id), ==, VBLK_S_OK);
	g_assert_cmpmem(id, sizeof(id), want, sizeof(want));
	blkt_stop(&t);
	blkt_spawn(&t, "--serial=0123456789abcdefghijKLMNOP");
	blkt_connect(&t, 1, 0);
	g_assert_cmpuint(get_id(&t, id), ==, VBLK_S_OK);
	g_assert_cmpmem(id, sizeof(id), "0123456789abcdefghij", 20);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * write_mib() - Fill whole MiBs of the device with data through the ring
 * @t:		Harness
 * @first:	First MiB
 * @n:		MiBs
 * @seed:	Pattern seed
 */
static void write_mib(struct blkt *t, unsigned int first, unsigned int n,
		      uint32_t seed)
{
	uint8_t *a = g_malloc(128 << 10);
	unsigned int i;

	for (i = 0; i < n * 8; i++) {
		blkt_fill(a, 128 << 10, seed + i);
		g_assert_cmpuint(blkq_write(&t->q[0], (uint64_t)first * 2048 +
					    i * 256, a, 128 << 10), ==,
				 VBLK_S_OK);
	}
	g_assert_cmpuint(blkq_simple(&t->q[0], VBLK_T_FLUSH, 0), ==, VBLK_S_OK);
	g_assert_true(blkt_file_allocated(t, (uint64_t)first * MIB,
					  (uint64_t)n * MIB));
	g_free(a);
}

/**
 * test_discard() - DISCARD punches holes in the file, leaves the rest, and
 * refuses the unmap flag and unknown flags (UNSUPP)
 * @data:	Engine name
 */
static void test_discard(const void *data)
{
	struct virtio_blk_dwz seg[2];
	uint64_t blocks;
	struct blkt t;

	if (!start(&t, data, NULL, 1))
		return;
	g_assert_true(t.features & VUF_BIT(VBLK_F_DISCARD));
	write_mib(&t, 2, 4, 10);
	blocks = blkt_file_blocks(&t);
	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_DISCARD, 2 * 2048, 2048, 0),
			 ==, VBLK_S_OK);
	g_assert_true(blkt_file_hole(&t, 2 * MIB, MIB));
	g_assert_true(blkt_file_allocated(&t, 3 * MIB, 3 * MIB));
	g_assert_cmpuint(blkt_file_blocks(&t), <=, blocks - 2048);
	blkt_file_check_zero(&t, 2 * MIB, MIB);
	/* two segments in one request, when the device takes two */
	if (blkt_cfg_u32(&t, VBLK_CFG_MAX_DISCARD_SEG) >= 2) {
		seg[0] = (struct virtio_blk_dwz){ GUINT64_TO_LE(4 * 2048),
						  GUINT32_TO_LE(1024), 0 };
		seg[1] = (struct virtio_blk_dwz){ GUINT64_TO_LE(5 * 2048 + 1024),
						  GUINT32_TO_LE(1024), 0 };
		g_assert_cmpuint(blkq_run(&t.q[0], blkq_post(&t.q[0],
				 VBLK_T_DISCARD, 0, seg, sizeof(seg), 0)).status,
				 ==, VBLK_S_OK);
		g_assert_true(blkt_file_hole(&t, 4 * MIB, MIB / 2));
		g_assert_true(blkt_file_allocated(&t, 4 * MIB + MIB / 2,
						  MIB));
		g_assert_true(blkt_file_hole(&t, 5 * MIB + MIB / 2, MIB / 2));
	}
	blocks = blkt_file_blocks(&t);
	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_DISCARD, 3 * 2048, 2048,
				  VBLK_WZ_UNMAP), ==, VBLK_S_UNSUPP);
	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_DISCARD, 3 * 2048, 2048, 2),
			 ==, VBLK_S_UNSUPP);
	g_assert_cmpuint(blkt_file_blocks(&t), ==, blocks);
	g_assert_true(blkt_file_allocated(&t, 3 * MIB, MIB));
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * test_write_zeroes() - WRITE_ZEROES zeroes the range; without UNMAP the
 * blocks stay allocated, with it they are freed
 * @data:	Engine name
 */
static void test_write_zeroes(const void *data)
{
	uint8_t *a = g_malloc(MIB);
	uint64_t blocks;
	struct blkt t;

	if (!start(&t, data, NULL, 1))
		goto out;
	g_assert_true(t.features & VUF_BIT(VBLK_F_WRITE_ZEROES));
	write_mib(&t, 4, 3, 20);
	blocks = blkt_file_blocks(&t);
	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_WRITE_ZEROES, 4 * 2048, 2048,
				  0), ==, VBLK_S_OK);
	blkt_file_check_zero(&t, 4 * MIB, MIB);
	g_assert_cmpuint(blkt_file_blocks(&t), >=, blocks);

	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_WRITE_ZEROES, 5 * 2048, 2048,
				  VBLK_WZ_UNMAP), ==, VBLK_S_OK);
	blkt_file_check_zero(&t, 5 * MIB, MIB);
	g_assert_true(blkt_file_hole(&t, 5 * MIB, MIB));
	g_assert_cmpuint(blkt_file_blocks(&t), <=, blocks - 2048);
	/* the MiB after them is untouched */
	g_assert_true(blkt_file_allocated(&t, 6 * MIB, MIB));
	g_assert_cmpuint(blkq_read(&t.q[0], 6 * 2048, a, 4096), ==, VBLK_S_OK);
	blkt_file_check(&t, 6 * MIB, a, 4096);
	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_WRITE_ZEROES, 6 * 2048, 8,
				  4), ==, VBLK_S_UNSUPP);
	blkt_file_check(&t, 6 * MIB, a, 4096);
	blkt_stop(&t);
	blkt_fini(&t);
out:
	g_free(a);
}

/**
 * test_unsupported() - Unknown request types are answered UNSUPP
 * @data:	Engine name
 */
static void test_unsupported(const void *data)
{
	static const uint32_t types[] = { 2, 3, 5, 99, 0x7fffffffu };
	struct blkt_done d;
	struct blkt t;
	unsigned int i;

	if (!start(&t, data, NULL, 1))
		return;
	for (i = 0; i < G_N_ELEMENTS(types); i++) {
		d = blkq_run(&t.q[0], blkq_post(&t.q[0], types[i], 0, NULL, 0,
						0));
		g_assert_cmpuint(d.status, ==, VBLK_S_UNSUPP);
		g_assert_cmpuint(d.len, ==, 1);
	}
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * test_config() - Config space and features of a writable device with
 * two queues and 4096-byte logical blocks
 */
static void test_config(void)
{
	uint64_t want = VUF_BIT(VBLK_F_SEG_MAX) | VUF_BIT(VBLK_F_BLK_SIZE) |
			VUF_BIT(VBLK_F_FLUSH) | VUF_BIT(VBLK_F_CONFIG_WCE) |
			VUF_BIT(VBLK_F_MQ) | VUF_BIT(VBLK_F_DISCARD) |
			VUF_BIT(VBLK_F_WRITE_ZEROES);
	uint32_t seg_max, align;
	uint64_t qnum;
	struct blkt t;

	if (!start(&t, "io_uring", "--num-queues=2 --logical-block-size=4096",
		   1))
		return;
	g_assert_cmphex(t.features & want, ==, want);
	g_assert_false(t.features & VUF_BIT(VBLK_F_RO));
	g_assert_cmpint(vuf_get_queue_num(blkt_conn(&t), &qnum), ==, 0);
	g_assert_cmpuint(qnum, ==, 2);
	g_assert_cmpuint(blkt_cfg_u64(&t, VBLK_CFG_CAPACITY), ==, CAPACITY);
	g_assert_cmpuint(blkt_cfg_u32(&t, VBLK_CFG_BLK_SIZE), ==, 4096);
	g_assert_cmpuint(blkt_cfg_u16(&t, VBLK_CFG_NUM_QUEUES), ==, 2);
	seg_max = blkt_cfg_u32(&t, VBLK_CFG_SEG_MAX);
	g_assert_cmpuint(seg_max, >=, 1);
	g_assert_cmpuint(seg_max, <=, 1024);
	if (t.features & VUF_BIT(VBLK_F_SIZE_MAX))
		g_assert_cmpuint(blkt_cfg_u32(&t, VBLK_CFG_SIZE_MAX), >=, 4096);
	g_assert_cmpuint(blkt_cfg_u32(&t, VBLK_CFG_MAX_DISCARD_SECTORS), >=, 8);
	g_assert_cmpuint(blkt_cfg_u32(&t, VBLK_CFG_MAX_DISCARD_SEG), >=, 1);
	align = blkt_cfg_u32(&t, VBLK_CFG_DISCARD_ALIGN);
	g_assert_cmpuint(align, >=, 1);
	g_assert_cmpuint(align % 8, ==, 0);	/* whole 4096-byte blocks */
	g_assert_cmpuint(blkt_cfg_u32(&t, VBLK_CFG_MAX_WZ_SECTORS), >=, 8);
	g_assert_cmpuint(blkt_cfg_u32(&t, VBLK_CFG_MAX_WZ_SEG), >=, 1);
	g_assert_cmpuint(blkt_cfg_u8(&t, VBLK_CFG_WZ_MAY_UNMAP), ==, 1);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * test_seg_max() - A request with seg_max data buffers is served
 */
static void test_seg_max(void)
{
	uint8_t *a;
	struct blkt_done d;
	uint32_t seg_max, len;
	struct blkt t;
	uint64_t gpa;

	if (!start(&t, "io_uring", NULL, 1))
		return;
	seg_max = MIN(blkt_cfg_u32(&t, VBLK_CFG_SEG_MAX), 200u);
	len = segment_bytes(seg_max);
	a = g_malloc(len);
	blkt_fill(a, len, 6);
	blkt_file_write(&t, 0, a, len);
	d = post_segments(&t, VBLK_T_IN, 0, NULL, seg_max, true, &gpa);
	g_assert_cmpuint(d.status, ==, VBLK_S_OK);
	g_assert_cmpmem(vuf_mem_ptr(t.mem, gpa, len), len, a, len);
	g_free(a);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * refused() - A modifying request on a read-only device fails
 * @t:		Harness
 * @status:	Status it got
 * @feature:	The feature the request type needs
 */
static void refused(const struct blkt *t, uint8_t status, unsigned int feature)
{
	/* without the feature, UNSUPP is as good an answer */
	if (!(t->features & VUF_BIT(feature)) && status == VBLK_S_UNSUPP)
		return;
	g_assert_cmpuint(status, ==, VBLK_S_IOERR);
}

/**
 * test_read_only() - With --read-only, RO is offered, OUT, DISCARD and
 * WRITE_ZEROES fail and the file stays as it was; IN works
 */
static void test_read_only(void)
{
	uint8_t *a = g_malloc(MIB), b[4096];
	uint64_t blocks;
	struct stat st;
	struct blkt t;

	if (!blkt_init(&t, BLKT_IMG_SIZE)) {
		g_test_skip("VU_BLK is not set");
		goto out;
	}
	blkt_fill(a, MIB, 30);
	blkt_file_write(&t, MIB, a, MIB);
	g_assert_cmpint(chmod(t.img, 0444), ==, 0);
	blkt_start(&t, "--read-only", 1);
	blocks = blkt_file_blocks(&t);
	g_assert_true(t.features & VUF_BIT(VBLK_F_RO));
	g_assert_cmpuint(blkq_read(&t.q[0], 2048, b, sizeof(b)), ==, VBLK_S_OK);
	g_assert_cmpmem(a, sizeof(b), b, sizeof(b));
	g_assert_cmpuint(blkq_write(&t.q[0], 2048, b + 1, 512), ==,
			 VBLK_S_IOERR);
	refused(&t, blkq_dwz(&t.q[0], VBLK_T_DISCARD, 2048, 2048, 0),
		VBLK_F_DISCARD);
	refused(&t, blkq_dwz(&t.q[0], VBLK_T_WRITE_ZEROES, 2048, 2048, 0),
		VBLK_F_WRITE_ZEROES);
	refused(&t, blkq_dwz(&t.q[0], VBLK_T_WRITE_ZEROES, 2048, 2048,
			     VBLK_WZ_UNMAP), VBLK_F_WRITE_ZEROES);
	blkt_file_check(&t, MIB, a, MIB);
	g_assert_cmpuint(blkt_file_blocks(&t), ==, blocks);
	g_assert_cmpint(stat(t.img, &st), ==, 0);
	g_assert_cmpuint(st.st_size, ==, BLKT_IMG_SIZE);
	blkt_stop(&t);
	g_assert_cmpint(chmod(t.img, 0600), ==, 0);
	blkt_fini(&t);
out:
	g_free(a);
}

/**
 * test_bounds() - Requests past the end or of partial sectors fail with
 * IOERR and change nothing
 * @data:	Engine name
 */
static void test_bounds(const void *data)
{
	uint8_t a[2048], b[2048];
	struct blkt t;
	struct stat st;

	if (!start(&t, data, NULL, 1))
		return;
	blkt_fill(a, sizeof(a), 40);
	blkt_file_write(&t, BLKT_IMG_SIZE - 1024, a, 1024);
	g_assert_cmpuint(blkq_read(&t.q[0], CAPACITY, b, 512), ==,
			 VBLK_S_IOERR);
	g_assert_cmpuint(blkq_read(&t.q[0], CAPACITY - 1, b, 1024), ==,
			 VBLK_S_IOERR);
	g_assert_cmpuint(blkq_write(&t.q[0], CAPACITY, b, 512), ==,
			 VBLK_S_IOERR);
	g_assert_cmpuint(blkq_write(&t.q[0], CAPACITY - 2, b, 2048), ==,
			 VBLK_S_IOERR);
	g_assert_cmpuint(blkq_write(&t.q[0], UINT64_MAX / 256, b, 512), ==,
			 VBLK_S_IOERR);
	g_assert_cmpuint(blkq_read(&t.q[0], UINT64_MAX, b, 512), ==,
			 VBLK_S_IOERR);
	g_assert_cmpuint(blkq_read(&t.q[0], 0, b, 700), ==, VBLK_S_IOERR);
	g_assert_cmpuint(blkq_write(&t.q[0], 0, b, 100), ==, VBLK_S_IOERR);
	g_assert_cmpuint(blkq_write(&t.q[0], 0, b, 1536 + 1), ==,
			 VBLK_S_IOERR);
	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_DISCARD, CAPACITY - 8, 16, 0),
			 ==, VBLK_S_IOERR);
	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_WRITE_ZEROES, CAPACITY, 8, 0),
			 ==, VBLK_S_IOERR);
	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_WRITE_ZEROES, UINT64_MAX - 3,
				  8, 0), ==, VBLK_S_IOERR);
	blkt_file_check(&t, BLKT_IMG_SIZE - 1024, a, 1024);
	blkt_file_check_zero(&t, 0, 4096);
	g_assert_cmpint(stat(t.img, &st), ==, 0);
	g_assert_cmpuint(st.st_size, ==, BLKT_IMG_SIZE);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * desc() - Shorthand for one buffer
 * @gpa:	Guest address
 * @len:	Bytes
 * @write:	Device-writable
 *
 * Return: the buffer
 */
static struct vuf_desc desc(uint64_t gpa, uint32_t len, bool write)
{
	return (struct vuf_desc){ gpa, len, write };
}

/**
 * odd_chains_that_work() - Virtio 1.x lets a driver frame a request as it
 * likes: a split header, the status inside the data buffer, the header and
 * the data in one buffer
 * @t:		Harness
 * @a:		512 bytes already at sector 4 of the file
 */
static void odd_chains_that_work(struct blkt *t, const uint8_t *a)
{
	uint8_t hdr[VBLK_HDR_SIZE + 512];
	struct vuf_desc d[4];
	struct blkq *q = &t->q[0];
	uint64_t h, buf;

	g_test_message("split header");
	blkt_hdr(hdr, VBLK_T_IN, 4);
	h = blkt_scratch(t, hdr, VBLK_HDR_SIZE);
	buf = blkt_scratch(t, NULL, 513);
	d[0] = desc(h, 8, false);
	d[1] = desc(h + 8, 8, false);
	d[2] = desc(buf, 512, true);
	d[3] = desc(buf + 512, 1, true);
	g_assert_cmpuint(blkq_run(q, blkq_post_descs(q, d, 4, buf + 512,
						     false)).status, ==, 0);
	g_assert_cmpmem(vuf_mem_ptr(t->mem, buf, 512), 512, a, 512);

	g_test_message("status at the end of the data buffer");
	buf = blkt_scratch(t, NULL, 513);
	d[0] = desc(h, VBLK_HDR_SIZE, false);
	d[1] = desc(buf, 513, true);
	g_assert_cmpuint(blkq_run(q, blkq_post_descs(q, d, 2, buf + 512,
						     false)).status, ==, 0);
	g_assert_cmpmem(vuf_mem_ptr(t->mem, buf, 512), 512, a, 512);

	g_test_message("header and data in one buffer");
	blkt_hdr(hdr, VBLK_T_OUT, 9);
	memcpy(hdr + VBLK_HDR_SIZE, a, 512);
	d[0] = desc(blkt_scratch(t, hdr, sizeof(hdr)), sizeof(hdr), false);
	d[1] = desc(blkt_scratch(t, (uint8_t[]){ VBLK_S_NONE }, 1), 1, true);
	g_assert_cmpuint(blkq_run(q, blkq_post_descs(q, d, 2, d[1].gpa,
						     false)).status, ==, 0);
	blkt_file_check(t, 9 * VBLK_SECTOR, a, 512);
}

/**
 * bad_chains() - Chains without a status byte, with a short header, or
 * asking the device to write into a buffer it may only read
 * @t:		Harness
 */
static void bad_chains(struct blkt *t)
{
	uint8_t hdr[VBLK_HDR_SIZE], junk[512];
	struct blkq *q = &t->q[0];
	struct vuf_desc d[3];
	struct blkt_done r;
	uint64_t st, buf;

	memset(junk, 0xee, sizeof(junk));
	g_test_message("no status byte");
	blkt_hdr(hdr, VBLK_T_OUT, 20);
	d[0] = desc(blkt_scratch(t, hdr, sizeof(hdr)), sizeof(hdr), false);
	d[1] = desc(blkt_scratch(t, junk, 512), 512, false);
	r = blkq_run(q, blkq_post_descs(q, d, 2, 0, false));
	g_assert_cmpuint(r.len, ==, 0);
	blkt_hdr(hdr, VBLK_T_IN, 20);
	d[0] = desc(blkt_scratch(t, hdr, sizeof(hdr)), sizeof(hdr), false);
	g_assert_cmpuint(blkq_run(q, blkq_post_descs(q, d, 1, 0,
						     false)).len, ==, 0);

	g_test_message("short header");
	st = blkt_scratch(t, (uint8_t[]){ VBLK_S_NONE }, 1);
	d[0] = desc(blkt_scratch(t, hdr, 8), 8, false);
	d[1] = desc(st, 1, true);
	r = blkq_run(q, blkq_post_descs(q, d, 2, st, false));
	g_assert_cmpuint(r.status, !=, VBLK_S_OK);
	if (r.status == VBLK_S_NONE)
		g_assert_cmpuint(r.len, ==, 0);

	g_test_message("IN into a device-readable buffer");
	buf = blkt_scratch(t, junk, 512);
	d[0] = desc(blkt_scratch(t, hdr, sizeof(hdr)), sizeof(hdr), false);
	d[1] = desc(buf, 512, false);
	d[2] = desc(st, 1, true);
	r = blkq_run(q, blkq_post_descs(q, d, 3, st, false));
	g_assert_cmpuint(r.status, ==, VBLK_S_IOERR);
	g_assert_cmpmem(vuf_mem_ptr(t->mem, buf, 512), 512, junk, 512);
}

/**
 * test_malformed() - Odd but valid chains work; malformed ones fail that
 * request only, and the device carries on
 * @data:	Engine name
 */
static void test_malformed(const void *data)
{
	uint8_t a[512], b[512];
	struct blkt t;

	if (!start(&t, data, NULL, 1))
		return;
	blkt_fill(a, sizeof(a), 50);
	blkt_file_write(&t, 4 * VBLK_SECTOR, a, sizeof(a));
	odd_chains_that_work(&t, a);
	bad_chains(&t);
	blkt_file_check_zero(&t, 20 * VBLK_SECTOR, 512);
	g_assert_cmpuint(blkq_read(&t.q[0], 4, b, sizeof(b)), ==, VBLK_S_OK);
	g_assert_cmpmem(a, sizeof(a), b, sizeof(b));
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * test_mq() - Four rings, requests in flight on all of them at once
 * @data:	Engine name
 */
static void test_mq(const void *data)
{
	struct blkt_done d[8];
	uint8_t a[4][8][4096], b[4096];
	unsigned int i, j;
	uint64_t qnum;
	struct blkt t;

	if (!start(&t, data, "--num-queues=4", 4))
		return;
	g_assert_cmpint(vuf_get_queue_num(blkt_conn(&t), &qnum), ==, 0);
	g_assert_cmpuint(qnum, ==, 4);
	g_assert_cmpuint(blkt_cfg_u16(&t, VBLK_CFG_NUM_QUEUES), ==, 4);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++) {
			blkt_fill(a[i][j], 4096, i * 8 + j + 60);
			blkq_post(&t.q[i], VBLK_T_OUT, (i * 8 + j) * 8,
				  a[i][j], 4096, 0);
		}
	for (i = 0; i < 4; i++) {
		blkq_wait(&t.q[i], d, 8);
		for (j = 0; j < 8; j++)
			g_assert_cmpuint(d[j].status, ==, VBLK_S_OK);
	}
	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++) {
			blkt_file_check(&t, (i * 8 + j) * 4096, a[i][j], 4096);
			g_assert_cmpuint(blkq_read(&t.q[(i + 1) % 4],
						   (i * 8 + j) * 8, b, 4096),
					 ==, VBLK_S_OK);
			g_assert_cmpmem(b, 4096, a[i][j], 4096);
		}
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * test_wce() - The writeback byte follows SET_CONFIG; read-only fields
 * cannot be changed
 */
static void test_wce(void)
{
	uint64_t cap = GUINT64_TO_LE(1);
	uint8_t v, a[4096];
	struct vuf_conn *c;
	struct blkt t;

	if (!start(&t, "io_uring", NULL, 1))
		return;
	c = blkt_conn(&t);
	g_assert_true(t.features & VUF_BIT(VBLK_F_CONFIG_WCE));
	for (v = 0; v < 4; v++) {
		uint8_t wce = v & 1;

		g_assert_cmpint(vuf_set_config(c, VBLK_CFG_WRITEBACK, &wce, 1,
					       0), ==, 0);
		g_assert_cmpuint(blkt_cfg_u8(&t, VBLK_CFG_WRITEBACK), ==, wce);
		blkt_fill(a, sizeof(a), v);
		g_assert_cmpuint(blkq_write(&t.q[0], 8, a, sizeof(a)), ==, 0);
		blkt_file_check(&t, 4096, a, sizeof(a));
	}
	/* refused or ignored, but never applied */
	vuf_set_config(c, VBLK_CFG_CAPACITY, &cap, sizeof(cap), 0);
	g_assert_cmpuint(blkt_cfg_u64(&t, VBLK_CFG_CAPACITY), ==, CAPACITY);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * test_packed() - Reads, writes, flush and discard over a packed ring
 */
static void test_packed(void)
{
	uint8_t a[8192], b[8192];
	struct blkt t;

	if (!blkt_init(&t, BLKT_IMG_SIZE)) {
		g_test_skip("VU_BLK is not set");
		return;
	}
	t.want_extra = VUF_BIT(VUF_F_RING_PACKED);
	blkt_start(&t, NULL, 1);
	g_assert_true(t.features & VUF_BIT(VUF_F_RING_PACKED));
	blkt_fill(a, sizeof(a), 80);
	g_assert_cmpuint(blkq_write(&t.q[0], 2048, a, sizeof(a)), ==, 0);
	g_assert_cmpuint(blkq_simple(&t.q[0], VBLK_T_FLUSH, 0), ==, 0);
	blkt_file_check(&t, MIB, a, sizeof(a));
	g_assert_cmpuint(blkq_read(&t.q[0], 2048, b, sizeof(b)), ==, 0);
	g_assert_cmpmem(a, sizeof(a), b, sizeof(b));
	g_assert_cmpuint(blkq_dwz(&t.q[0], VBLK_T_DISCARD, 2048, 16, 0), ==, 0);
	blkt_file_check_zero(&t, MIB, sizeof(a));
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * main() - Register the tests, each with the engines it runs under
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status of the test run
 */
int main(int argc, char **argv)
{
	static const char *const engines[] = { "io_uring", "threads" };
	unsigned int i;
	char *p;

	g_test_init(&argc, &argv, NULL);
	for (i = 0; i < G_N_ELEMENTS(engines); i++) {
#define ADD(name, fn) do { \
		p = g_strdup_printf("/blk/%s/" name, engines[i]); \
		g_test_add_data_func(p, engines[i], fn); \
		g_free(p); } while (0)
		ADD("rw", test_rw);
		ADD("segments", test_segments);
		ADD("flush", test_flush);
		ADD("discard", test_discard);
		ADD("write-zeroes", test_write_zeroes);
		ADD("unsupported", test_unsupported);
		ADD("bounds", test_bounds);
		ADD("malformed", test_malformed);
		ADD("mq", test_mq);
#undef ADD
	}
	g_test_add_func("/blk/get-id", test_get_id);
	g_test_add_func("/blk/config", test_config);
	g_test_add_func("/blk/seg-max", test_seg_max);
	g_test_add_func("/blk/read-only", test_read_only);
	g_test_add_func("/blk/wce", test_wce);
	g_test_add_func("/blk/packed", test_packed);
	return g_test_run();
}
