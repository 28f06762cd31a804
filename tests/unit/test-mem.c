// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-mem.c - unit tests of the guest memory table (common/vu-mem.c):
 * insertion and removal, rejection of bad regions, translations at edges.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "vu-mem.h"

/**
 * make_fd() - Create a memfd filled with a byte pattern
 * @size:	Bytes
 * @seed:	Pattern seed: byte i holds (seed + i) & 0xff
 *
 * Return: the fd
 */
static int make_fd(size_t size, uint8_t seed)
{
	int fd = memfd_create("test-mem", MFD_CLOEXEC);
	uint8_t *p;
	size_t i;

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	g_assert(p != MAP_FAILED);
	for (i = 0; i < size; i++)
		p[i] = (uint8_t)(seed + i);
	munmap(p, size);
	return fd;
}

/**
 * fd_closed() - Check that an fd number is no longer open
 * @fd:		fd number
 *
 * Return: true if closed
 */
static bool fd_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

/**
 * add() - Add a region backed by a fresh patterned memfd
 * @mem:	Table
 * @gpa:	Guest physical address
 * @size:	Region size
 * @uva:	User address
 * @off:	mmap_offset (the fd is @off + @size bytes)
 *
 * Return: vu_mem_add()'s result; the fd is checked to be closed either way
 */
static int add(struct vu_mem *mem, uint64_t gpa, uint64_t size, uint64_t uva,
	       uint64_t off)
{
	struct vu_mem_region r = {
		.guest_addr = gpa, .size = size, .user_addr = uva,
		.mmap_offset = off,
	};
	int fd = make_fd(4096 * 4, 0);
	int ret = vu_mem_add(mem, &r, fd);

	g_assert_true(fd_closed(fd));
	return ret;
}

/**
 * test_add_remove() - Regions stay sorted; remove matches all three fields
 */
static void test_add_remove(void)
{
	struct vu_mem mem;
	struct vu_mem_region r = {
		.guest_addr = 0x10000, .size = 4096, .user_addr = 0xa0000,
	};

	vu_mem_init(&mem);
	g_assert_cmpint(add(&mem, 0x10000, 4096, 0xa0000, 0), ==, 0);
	g_assert_cmpint(add(&mem, 0x0, 4096, 0xb0000, 0), ==, 0);
	g_assert_cmpint(add(&mem, 0x20000, 8192, 0xc0000, 0), ==, 0);
	g_assert_cmpuint(mem.n, ==, 3);
	g_assert_cmpuint(mem.regions[0].gpa, ==, 0x0);
	g_assert_cmpuint(mem.regions[1].gpa, ==, 0x10000);
	g_assert_cmpuint(mem.regions[2].gpa, ==, 0x20000);

	r.user_addr = 0xa1000;
	g_assert_cmpint(vu_mem_remove(&mem, &r), ==, -ENOENT);
	r.user_addr = 0xa0000;
	r.size = 8192;
	g_assert_cmpint(vu_mem_remove(&mem, &r), ==, -ENOENT);
	r.size = 4096;
	g_assert_cmpint(vu_mem_remove(&mem, &r), ==, 0);
	g_assert_cmpuint(mem.n, ==, 2);
	g_assert_cmpuint(mem.regions[1].gpa, ==, 0x20000);
	g_assert_null(vu_mem_gpa_range(&mem, 0x10000, 1));
	g_assert_cmpint(vu_mem_remove(&mem, &r), ==, -ENOENT);

	vu_mem_clear(&mem);
	g_assert_cmpuint(mem.n, ==, 0);
	g_assert_null(vu_mem_gpa_range(&mem, 0, 1));
}

/**
 * test_reject() - Overlaps, empty regions and overflows are refused
 */
static void test_reject(void)
{
	struct vu_mem mem;

	vu_mem_init(&mem);
	g_assert_cmpint(add(&mem, 0x10000, 0x2000, 0, 0), ==, 0);
	/* overlap at either end, inside, and around */
	g_assert_cmpint(add(&mem, 0xf000, 0x1001, 0, 0), ==, -EINVAL);
	g_assert_cmpint(add(&mem, 0x11fff, 0x1000, 0, 0), ==, -EINVAL);
	g_assert_cmpint(add(&mem, 0x11000, 0x10, 0, 0), ==, -EINVAL);
	g_assert_cmpint(add(&mem, 0x0, 0x100000, 0, 0), ==, -EINVAL);
	g_assert_cmpint(add(&mem, 0x10000, 0x2000, 0, 0), ==, -EINVAL);
	/* adjacent on both sides is fine */
	g_assert_cmpint(add(&mem, 0xf000, 0x1000, 0, 0), ==, 0);
	g_assert_cmpint(add(&mem, 0x12000, 0x1000, 0, 0), ==, 0);
	/* empty, and overflows of each end address */
	g_assert_cmpint(add(&mem, 0x40000, 0, 0, 0), ==, -EINVAL);
	g_assert_cmpint(add(&mem, UINT64_MAX - 0xfff, 0x1000, 0, 0), ==,
			-EINVAL);
	g_assert_cmpint(add(&mem, 0x40000, 0x1000, UINT64_MAX - 0x10, 0), ==,
			-EINVAL);
	g_assert_cmpint(add(&mem, 0x40000, 0x1000, 0, UINT64_MAX - 0x10), ==,
			-EINVAL);
	g_assert_cmpuint(mem.n, ==, 3);
	/* mmap failure (offset beyond what mmap accepts) still closes fd */
	g_assert_cmpint(add(&mem, 0x40000, 0x1000, 0, 1ULL << 62), <, 0);
	g_assert_cmpuint(mem.n, ==, 3);
	vu_mem_clear(&mem);
}

/**
 * test_offset() - A non-page-aligned mmap_offset selects the right bytes
 */
static void test_offset(void)
{
	struct vu_mem mem;
	uint64_t len = 100;
	uint8_t *p;

	vu_mem_init(&mem);
	g_assert_cmpint(add(&mem, 0x1000, 0x2000, 0x500000, 0x123), ==, 0);
	p = vu_mem_gpa(&mem, 0x1000, &len);
	g_assert_nonnull(p);
	g_assert_cmpuint(len, ==, 100);
	g_assert_cmpuint(p[0], ==, 0x23);
	g_assert_cmpuint(p[1], ==, 0x24);
	p = vu_mem_uva_range(&mem, 0x500001, 4);
	g_assert_nonnull(p);
	g_assert_cmpuint(p[0], ==, 0x24);
	/* last byte readable */
	p = vu_mem_gpa_range(&mem, 0x2fff, 1);
	g_assert_nonnull(p);
	g_assert_cmpuint(p[0], ==, (0x123 + 0x1fff) & 0xff);
	vu_mem_clear(&mem);
}

/**
 * test_edges() - Translation at and beyond region boundaries
 */
static void test_edges(void)
{
	struct vu_mem mem;
	uint64_t len;

	vu_mem_init(&mem);
	g_assert_cmpint(add(&mem, 0x10000, 0x1000, 0x800000, 0), ==, 0);

	len = 0x10;
	g_assert_null(vu_mem_gpa(&mem, 0xffff, &len));
	g_assert_null(vu_mem_gpa(&mem, 0x11000, &len));
	len = 0x10;
	g_assert_nonnull(vu_mem_gpa(&mem, 0x10ff8, &len));
	g_assert_cmpuint(len, ==, 8);
	len = 4;
	g_assert_nonnull(vu_mem_gpa(&mem, 0x10000, &len));
	g_assert_cmpuint(len, ==, 4);

	g_assert_nonnull(vu_mem_gpa_range(&mem, 0x10000, 0x1000));
	g_assert_null(vu_mem_gpa_range(&mem, 0x10000, 0x1001));
	g_assert_null(vu_mem_gpa_range(&mem, 0x10001, UINT64_MAX));
	g_assert_nonnull(vu_mem_gpa_range(&mem, 0x10fff, 0));
	g_assert_null(vu_mem_gpa_range(&mem, 0x11000, 0));

	g_assert_nonnull(vu_mem_uva_range(&mem, 0x800000, 0x1000));
	g_assert_null(vu_mem_uva_range(&mem, 0x800000, 0x1001));
	g_assert_null(vu_mem_uva_range(&mem, 0x7fffff, 1));
	g_assert_null(vu_mem_uva_range(&mem, 0x801000, 0));
	g_assert_null(vu_mem_uva_range(&mem, 0x800010, UINT64_MAX));
	g_assert_nonnull(vu_mem_uva_range(&mem, 0x800fff, 0));
	vu_mem_clear(&mem);
}

/**
 * test_two_regions() - Contiguous guest memory in two separate mappings
 */
static void test_two_regions(void)
{
	struct vu_mem mem;
	struct vu_mem_region r = {
		.guest_addr = 0x10000, .size = 0x1000, .user_addr = 0x800000,
	};
	uint8_t *a, *b;
	uint64_t len = 0x20;

	vu_mem_init(&mem);
	g_assert_cmpint(vu_mem_add(&mem, &r, make_fd(0x1000, 1)), ==, 0);
	r.guest_addr = 0x11000;
	r.user_addr = 0x900000;
	g_assert_cmpint(vu_mem_add(&mem, &r, make_fd(0x1000, 2)), ==, 0);

	a = vu_mem_gpa(&mem, 0x10ff0, &len);
	g_assert_cmpuint(len, ==, 0x10);
	g_assert_cmpuint(a[0], ==, (1 + 0xff0) & 0xff);
	len = 0x10;
	b = vu_mem_gpa(&mem, 0x11000, &len);
	g_assert_cmpuint(b[0], ==, 2);
	g_assert_true(b != a + 0x10);
	/* A range crossing the boundary is in no single region */
	g_assert_null(vu_mem_gpa_range(&mem, 0x10ff0, 0x20));
	g_assert_nonnull(vu_mem_gpa_range(&mem, 0x11000, 0x1000));
	/* User addresses are not contiguous across them */
	g_assert_null(vu_mem_uva_range(&mem, 0x800ff0, 0x20));
	g_assert_true(vu_mem_uva_range(&mem, 0x900000, 1) == b);
	vu_mem_clear(&mem);
}

/**
 * test_va_to_gpa() - Our pointers map back to guest physical addresses
 */
static void test_va_to_gpa(void)
{
	struct vu_mem mem;
	uint64_t gpa = 0, len;
	uint8_t *p, local = 0;

	vu_mem_init(&mem);
	g_assert_cmpint(add(&mem, 0x10000, 0x1000, 0x800000, 0x10), ==, 0);
	g_assert_cmpint(add(&mem, 0x40000, 0x2000, 0x900000, 0), ==, 0);
	p = vu_mem_gpa_range(&mem, 0x40100, 1);
	len = 0x10000;
	g_assert_true(vu_mem_va_to_gpa(&mem, p, &gpa, &len));
	g_assert_cmpuint(gpa, ==, 0x40100);
	g_assert_cmpuint(len, ==, 0x2000 - 0x100);
	p = vu_mem_gpa_range(&mem, 0x10ffe, 1);
	len = 1;
	g_assert_true(vu_mem_va_to_gpa(&mem, p, &gpa, &len));
	g_assert_cmpuint(gpa, ==, 0x10ffe);
	g_assert_cmpuint(len, ==, 1);
	len = 1;
	g_assert_false(vu_mem_va_to_gpa(&mem, p + 2, &gpa, &len));
	g_assert_false(vu_mem_va_to_gpa(&mem, &local, &gpa, &len));
	/* The mmap_offset bytes before the region are not guest memory */
	g_assert_false(vu_mem_va_to_gpa(&mem, mem.regions[0].mmap_addr, &gpa,
					&len));
	vu_mem_clear(&mem);
}

/**
 * test_many() - All VU_MEM_MAX_SLOTS slots, then one more is refused
 */
static void test_many(void)
{
	struct vu_mem *mem = g_new(struct vu_mem, 1);
	uint64_t len;
	unsigned int i;

	vu_mem_init(mem);
	/* Insert in descending order to exercise the sorted insertion */
	for (i = VU_MEM_MAX_SLOTS; i-- > 0;)
		g_assert_cmpint(add(mem, (uint64_t)i * 0x10000, 0x1000,
				    (uint64_t)i * 0x10000, 0), ==, 0);
	g_assert_cmpuint(mem->n, ==, VU_MEM_MAX_SLOTS);
	g_assert_cmpint(add(mem, 0x10000000, 0x1000, 0, 0), ==, -ENOSPC);
	for (i = 0; i < VU_MEM_MAX_SLOTS; i++) {
		g_assert_cmpuint(mem->regions[i].gpa, ==,
				 (uint64_t)i * 0x10000);
		len = 0x2000;
		g_assert_nonnull(vu_mem_gpa(mem, (uint64_t)i * 0x10000 + 0x800,
					    &len));
		g_assert_cmpuint(len, ==, 0x800);
		g_assert_null(vu_mem_gpa(mem, (uint64_t)i * 0x10000 + 0x1000,
					 &len));
	}
	vu_mem_clear(mem);
	g_assert_cmpuint(mem->n, ==, 0);
	g_free(mem);
}

/**
 * main() - Register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: GTest's result
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mem/add-remove", test_add_remove);
	g_test_add_func("/mem/reject", test_reject);
	g_test_add_func("/mem/offset", test_offset);
	g_test_add_func("/mem/edges", test_edges);
	g_test_add_func("/mem/two-regions", test_two_regions);
	g_test_add_func("/mem/va-to-gpa", test_va_to_gpa);
	g_test_add_func("/mem/many", test_many);
	return g_test_run();
}
