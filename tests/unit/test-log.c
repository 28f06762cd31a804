// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-log.c - unit tests of the dirty page log (vu-log.c): mapping the
 * region from SET_LOG_BASE and the bits set for guest writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "vu-log.h"

#define LOG_BYTES	64		/* 512 pages */
#define LOG_OFFSET	100		/* not page aligned on purpose */
#define PAGE		VU_LOG_PAGE

/**
 * struct fixture - a log region as the front-end would share it
 * @fd:		memfd holding the region
 * @ram:	Test's own mapping of the whole memfd
 * @bits:	Where the bitmap starts in @ram
 * @log:	The back-end's view
 */
struct fixture {
	int fd;
	uint8_t *ram;
	uint8_t *bits;
	struct vu_log log;
};

/**
 * fixture_init() - Create a region and hand a dup of it to vu_log_set()
 * @f:		Fixture
 * @bytes:	Bitmap bytes
 * @offset:	Offset of the bitmap in the fd
 */
static void fixture_init(struct fixture *f, uint64_t bytes, uint64_t offset)
{
	memset(f, 0, sizeof(*f));
	f->fd = memfd_create("log", MFD_CLOEXEC);
	g_assert_cmpint(f->fd, >=, 0);
	g_assert_cmpint(ftruncate(f->fd, (off_t)(bytes + offset)), ==, 0);
	f->ram = mmap(NULL, bytes + offset, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f->fd, 0);
	g_assert(f->ram != MAP_FAILED);
	f->bits = f->ram + offset;
	g_assert_cmpint(vu_log_set(&f->log, dup(f->fd), bytes, offset), ==, 0);
	f->log.enabled = true;
}

/**
 * fixture_fini() - Release a fixture
 * @f:		Fixture
 * @bytes:	Bitmap bytes
 * @offset:	Offset of the bitmap in the fd
 */
static void fixture_fini(struct fixture *f, uint64_t bytes, uint64_t offset)
{
	vu_log_clear(&f->log);
	munmap(f->ram, bytes + offset);
	close(f->fd);
}

/**
 * bit() - Read one page's dirty bit through the test's own mapping
 * @f:		Fixture
 * @page:	Page number
 *
 * Return: true if set
 */
static bool bit(const struct fixture *f, uint64_t page)
{
	return f->bits[page / 8] & (1u << (page % 8));
}

/**
 * count_bits() - Count the set bits of the bitmap, and the bytes around it
 * @f:		Fixture
 * @bytes:	Bitmap bytes
 * @offset:	Offset of the bitmap (bytes before it are counted too)
 *
 * Return: number of set bits in the whole fd
 */
static unsigned int count_bits(const struct fixture *f, uint64_t bytes,
			       uint64_t offset)
{
	unsigned int n = 0;
	uint64_t i;

	for (i = 0; i < bytes + offset; i++)
		n += (unsigned int)__builtin_popcount(f->ram[i]);
	return n;
}

/**
 * test_single_page() - A write inside one page sets exactly its bit
 */
static void test_single_page(void)
{
	struct fixture f;

	fixture_init(&f, LOG_BYTES, 0);
	vu_log_write(&f.log, 5 * PAGE + 17, 1);
	g_assert_true(bit(&f, 5));
	g_assert_cmpuint(f.bits[0], ==, 1u << 5);
	vu_log_write(&f.log, 13 * PAGE, PAGE);	/* a whole page, aligned */
	g_assert_true(bit(&f, 13));
	g_assert_false(bit(&f, 12));
	g_assert_false(bit(&f, 14));
	g_assert_cmpuint(count_bits(&f, LOG_BYTES, 0), ==, 2);
	fixture_fini(&f, LOG_BYTES, 0);
}

/**
 * test_crossing() - A write across a page boundary sets both pages
 */
static void test_crossing(void)
{
	struct fixture f;

	fixture_init(&f, LOG_BYTES, 0);
	vu_log_write(&f.log, 2 * PAGE - 0x10, 0x20);
	g_assert_true(bit(&f, 1));
	g_assert_true(bit(&f, 2));
	g_assert_cmpuint(count_bits(&f, LOG_BYTES, 0), ==, 2);
	fixture_fini(&f, LOG_BYTES, 0);
}

/**
 * test_unaligned_span() - An unaligned multi-page write sets every page it
 *			   touches, and no other
 */
static void test_unaligned_span(void)
{
	struct fixture f;
	uint64_t p;

	fixture_init(&f, LOG_BYTES, 0);
	/* 0x3001 .. 0x6000 inclusive: pages 3 to 6 */
	vu_log_write(&f.log, 3 * PAGE + 1, 3 * PAGE);
	for (p = 3; p <= 6; p++)
		g_assert_true(bit(&f, p));
	g_assert_cmpuint(count_bits(&f, LOG_BYTES, 0), ==, 4);
	/* Ending on the last byte of a page does not spill over */
	vu_log_write(&f.log, 20 * PAGE + 1, PAGE - 1);
	g_assert_true(bit(&f, 20));
	g_assert_false(bit(&f, 21));
	/* A span over a whole byte of the bitmap and into the next */
	vu_log_write(&f.log, 32 * PAGE - 1, 10 * PAGE);
	for (p = 31; p <= 41; p++)
		g_assert_true(bit(&f, p));
	g_assert_false(bit(&f, 42));
	g_assert_cmpuint(count_bits(&f, LOG_BYTES, 0), ==, 4 + 1 + 11);
	fixture_fini(&f, LOG_BYTES, 0);
}

/**
 * test_len_zero() - A zero-length write logs nothing
 */
static void test_len_zero(void)
{
	struct fixture f;

	fixture_init(&f, LOG_BYTES, 0);
	vu_log_write(&f.log, 7 * PAGE, 0);
	g_assert_cmpuint(count_bits(&f, LOG_BYTES, 0), ==, 0);
	fixture_fini(&f, LOG_BYTES, 0);
}

/**
 * test_beyond_end() - Pages past the log are ignored, those inside kept;
 *		       ranges that wrap the address space do not crash
 */
static void test_beyond_end(void)
{
	const uint64_t pages = 2 * 8;	/* a 2-byte log */
	struct fixture f;

	fixture_init(&f, 2, 0);
	vu_log_write(&f.log, 20 * PAGE, 8);
	g_assert_cmpuint(count_bits(&f, 2, 0), ==, 0);
	vu_log_write(&f.log, (pages - 2) * PAGE, 4 * PAGE);
	g_assert_true(bit(&f, pages - 2));
	g_assert_true(bit(&f, pages - 1));
	g_assert_cmpuint(count_bits(&f, 2, 0), ==, 2);
	vu_log_write(&f.log, UINT64_MAX - 10, 100);
	vu_log_write(&f.log, 0, UINT64_MAX);	/* stops at the log end */
	g_assert_cmpuint(count_bits(&f, 2, 0), ==, 16);
	fixture_fini(&f, 2, 0);
}

/**
 * test_not_enabled() - Without VHOST_F_LOG_ALL, or without a log, nothing
 *			is written
 */
static void test_not_enabled(void)
{
	struct vu_log none = { .enabled = true };
	struct fixture f;

	fixture_init(&f, LOG_BYTES, 0);
	f.log.enabled = false;
	vu_log_write(&f.log, 3 * PAGE, 10);
	g_assert_cmpuint(count_bits(&f, LOG_BYTES, 0), ==, 0);
	vu_log_write(&none, 3 * PAGE, 10);	/* no mapping: must not crash */
	f.log.enabled = true;
	vu_log_clear(&f.log);
	g_assert_null(f.log.base);
	vu_log_write(&f.log, 3 * PAGE, 10);
	g_assert_cmpuint(count_bits(&f, LOG_BYTES, 0), ==, 0);
	fixture_fini(&f, LOG_BYTES, 0);
}

/**
 * test_offset() - The bitmap starts at the offset in the fd, not at 0
 */
static void test_offset(void)
{
	struct fixture f;

	fixture_init(&f, LOG_BYTES, LOG_OFFSET);
	g_assert_cmpuint(f.log.size, ==, LOG_BYTES);
	vu_log_write(&f.log, 0, 1);
	vu_log_write(&f.log, 9 * PAGE, 1);
	g_assert_cmpuint(f.ram[LOG_OFFSET], ==, 1);
	g_assert_cmpuint(f.ram[LOG_OFFSET + 1], ==, 2);
	g_assert_cmpuint(count_bits(&f, LOG_BYTES, LOG_OFFSET), ==, 2);
	/* The last page the log covers lands on the fd's last byte */
	vu_log_write(&f.log, (LOG_BYTES * 8 - 1) * PAGE, 1);
	g_assert_cmpuint(f.ram[LOG_OFFSET + LOG_BYTES - 1], ==, 0x80);
	fixture_fini(&f, LOG_BYTES, LOG_OFFSET);
}

/**
 * fd_is_open() - Check whether a file descriptor is open
 * @fd:		File descriptor
 *
 * Return: true if open
 */
static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/**
 * test_set_errors() - Bad sizes and unmappable fds are refused, the fd is
 *		       always closed, and a failure keeps the previous log
 */
static void test_set_errors(void)
{
	struct fixture f;
	int fds[2], fd;

	fixture_init(&f, LOG_BYTES, 0);
	fd = dup(f.fd);
	g_assert_cmpint(vu_log_set(&f.log, fd, 0, 0), ==, -EINVAL);
	g_assert_false(fd_is_open(fd));
	fd = dup(f.fd);
	g_assert_cmpint(vu_log_set(&f.log, fd, 16, UINT64_MAX - 8), ==,
			-EINVAL);
	g_assert_false(fd_is_open(fd));
	g_assert_cmpint(pipe(fds), ==, 0);
	g_assert_cmpint(vu_log_set(&f.log, fds[0], 16, 0), <, 0);
	g_assert_false(fd_is_open(fds[0]));
	close(fds[1]);
	g_assert_cmpint(vu_log_set(&f.log, -1, 16, 0), <, 0);
	/* The earlier mapping still works */
	vu_log_write(&f.log, 4 * PAGE, 1);
	g_assert_true(bit(&f, 4));
	fixture_fini(&f, LOG_BYTES, 0);
}

/**
 * test_replace() - A second SET_LOG_BASE replaces the first mapping
 */
static void test_replace(void)
{
	struct fixture a, b;

	fixture_init(&a, LOG_BYTES, 0);
	fixture_init(&b, LOG_BYTES, LOG_OFFSET);
	g_assert_cmpint(vu_log_set(&a.log, dup(b.fd), LOG_BYTES, LOG_OFFSET),
			==, 0);
	vu_log_write(&a.log, 2 * PAGE, 1);
	g_assert_cmpuint(count_bits(&a, LOG_BYTES, 0), ==, 0);
	g_assert_true(bit(&b, 2));
	fixture_fini(&a, LOG_BYTES, 0);
	fixture_fini(&b, LOG_BYTES, LOG_OFFSET);
}

/**
 * main() - Register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/log/single-page", test_single_page);
	g_test_add_func("/log/crossing", test_crossing);
	g_test_add_func("/log/unaligned-span", test_unaligned_span);
	g_test_add_func("/log/len-zero", test_len_zero);
	g_test_add_func("/log/beyond-end", test_beyond_end);
	g_test_add_func("/log/not-enabled", test_not_enabled);
	g_test_add_func("/log/offset", test_offset);
	g_test_add_func("/log/set-errors", test_set_errors);
	g_test_add_func("/log/replace", test_replace);
	return g_test_run();
}
