/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VMSAv8-64 translation tables, 4 KiB granule (Arm ARM D8). The walker is written
 * recursively over levels; a level resolves 9 VA bits, so va_bits 40..48 start at L0
 * and va_bits 39 starts at L1 (Arm ARM D8.2, initial lookup level for the 4 KiB
 * granule). L1 and L2 may hold block descriptors (1 GiB, 2 MiB); L3 holds pages.
 *
 * Live-table rules (the caller's job, this file cannot know which tables are live):
 *  - TLB maintenance: after pt_unmap() the caller invalidates the TLB for the range
 *    (TLBI, DSB ISH, ISB) before the old PAs or the freed table pages are reused. The
 *    'free' callback must not hand a table page out again before that invalidation,
 *    since walk caches may still hold it.
 *  - Break-before-make: pt_unmap() of part of a block replaces the block descriptor
 *    with a table of equivalent smaller entries. The Arm ARM (D8, break-before-make
 *    rules for a change of block size) requires a BBM sequence for that on a live
 *    mapping, so the caller must not split a block that a PE may be using through
 *    these tables without first making the range unused. pt_map() only fills invalid
 *    entries, so it needs no BBM.
 *
 * No locking here: the owner of a struct pt serialises calls on it.
 */
#include <asm/mm.h>
#include <asm/pt.h>
#include <hv/bug.h>
#include <hv/errno.h>
#include <hv/lib.h>

/* Arm ARM D8.2: 4 KiB granule, 512 eight-byte entries per table, 9 bits per level. */
#define PT_ENTRIES 512u
#define PT_IDX_BITS 9u
#define PT_LAST_LEVEL 3u
/* va_bits 39 is the smallest 3-level size we accept, 48 the largest without FEAT_LPA2. */
#define PT_MIN_VA_BITS 39u
#define PT_MAX_VA_BITS 48u
/* Output addresses are 48 bits (no FEAT_LPA/LPA2; Arm ARM D8.3, OA[47:12]). */
#define PT_PA_LIMIT (1ull << 48)

/* Descriptor bits[1:0] (Arm ARM D8.3.1): 0b11 table at L0-L2 or page at L3, 0b01 block. */
#define DESC_VALID (1ull << 0)
#define DESC_TYPE_MASK 0x3ull
#define DESC_TYPE_TABLE 0x3ull
#define DESC_TYPE_PAGE 0x3ull
#define DESC_TYPE_BLOCK 0x1ull
/* Next-level table address / output address, bits[47:12] (Arm ARM D8.3.1, D8.3.2). */
#define DESC_OA_MASK 0x0000FFFFFFFFF000ull

/* Stage-1 leaf attributes (Arm ARM D8.3.2 lower/upper attributes, D8.4 permissions). */
#define DESC_ATTRIDX_SHIFT 2 /* AttrIndx[2:0] at bits[4:2]: MAIR_EL2 byte index */
#define DESC_ATTRIDX_MASK (0x7ull << DESC_ATTRIDX_SHIFT)
#define DESC_AP1 (1ull << 6)	    /* AP[1]: RES1 in the single-range EL2 regime */
#define DESC_AP2_RO (1ull << 7)	    /* AP[2]: 1 = read-only */
#define DESC_SH_INNER (0x3ull << 8) /* SH[1:0] at bits[9:8]: 0b11 Inner Shareable */
#define DESC_AF (1ull << 10)	    /* Access flag; set so no Access flag fault is taken */
#define DESC_XN (1ull << 54)	    /* XN for the single-range EL2 regime */
#define DESC_SW0 (1ull << 55)	    /* reserved for software use (stage 1 and 2): PT_SW0 */

/* Stage-2 leaf attributes (Arm ARM D8.3.2, D8.5.5 stage 2 memory type, D8.4.2 S2AP). */
#define DESC_S2_MEMATTR_SHIFT 2 /* MemAttr[3:0] at bits[5:2] */
#define DESC_S2_MEMATTR_MASK (0xfull << DESC_S2_MEMATTR_SHIFT)
#define S2_MEMATTR_NORMAL_WB 0xfull /* Normal, Outer and Inner Write-Back */
#define S2_MEMATTR_NORMAL_NC 0x5ull /* Normal, Outer and Inner Non-cacheable */
#define S2_MEMATTR_DEVICE 0x1ull    /* Device-nGnRE */
#define DESC_S2AP_R (1ull << 6)	    /* S2AP[0]: reads allowed */
#define DESC_S2AP_W (1ull << 7)	    /* S2AP[1]: writes allowed */

/* Flags pt_map() accepts. */
#define PT_FLAGS_VALID (PT_MEM_MASK | PT_RO | PT_EXEC | PT_NO_BLOCK | PT_SW0)

/** Level the walk starts at: one table resolves 9 bits above the 30 of L1..L3. */
static unsigned int pt_start_level(const struct pt *pt)
{
	return pt->va_bits > PT_MIN_VA_BITS ? 0 : 1;
}

/** Lowest VA bit a descriptor at 'level' resolves. */
static unsigned int level_shift(unsigned int level)
{
	return PAGE_SHIFT + PT_IDX_BITS * (PT_LAST_LEVEL - level);
}

/** Bytes one descriptor at 'level' covers (512 GiB, 1 GiB, 2 MiB or 4 KiB). */
static u64 level_size(unsigned int level)
{
	return 1ull << level_shift(level);
}

/** Index of the descriptor for va in a table at 'level'. */
static unsigned int level_index(vaddr_t va, unsigned int level)
{
	return (unsigned int)(va >> level_shift(level)) & (PT_ENTRIES - 1);
}

/** The descriptors of the table page at 'pa'. */
static u64 *table_of(paddr_t pa)
{
	return phys_to_virt(pa);
}

/** Reads a descriptor with one 64-bit load (the walker may write AF/DBM later). */
static u64 desc_read(const u64 *slot)
{
	return __atomic_load_n(slot, __ATOMIC_RELAXED);
}

/** Writes a descriptor with one 64-bit store, so the walker never sees a torn entry. */
static void desc_write(u64 *slot, u64 desc)
{
	__atomic_store_n(slot, desc, __ATOMIC_RELAXED);
}

/** True if desc points to a next-level table (only L0-L2 have table descriptors). */
static bool desc_is_table(u64 desc, unsigned int level)
{
	return level < PT_LAST_LEVEL && (desc & DESC_TYPE_MASK) == DESC_TYPE_TABLE;
}

/** True if desc is a block (L1, L2) or page (L3) descriptor. */
static bool desc_is_leaf(u64 desc, unsigned int level)
{
	if (level == PT_LAST_LEVEL) {
		return (desc & DESC_TYPE_MASK) == DESC_TYPE_PAGE;
	}
	return (desc & DESC_TYPE_MASK) == DESC_TYPE_BLOCK;
}

/** Next-level table or output address held in desc. */
static paddr_t desc_addr(u64 desc)
{
	return desc & DESC_OA_MASK;
}

/** End of the descriptor's span that contains va, clipped to end. */
static vaddr_t span_end(vaddr_t va, vaddr_t end, unsigned int level)
{
	vaddr_t next = ROUND_DOWN(va, level_size(level)) + level_size(level);

	return MIN(next, end);
}

/**
 * Encodes a stage-1 EL2 leaf for 'pa' with the attributes in 'flags' (PT_NO_BLOCK is
 * ignored). level 3 gives a page descriptor, level 1 or 2 a block; pa must be aligned
 * to the level's size. nG stays 0: EL2 mappings are global.
 */
u64 pt_s1_leaf(paddr_t pa, unsigned int flags, unsigned int level)
{
	u64 desc = (pa & DESC_OA_MASK) | DESC_AP1 | DESC_AF;
	u64 idx;

	ASSERT(level >= 1 && level <= PT_LAST_LEVEL);
	desc |= level == PT_LAST_LEVEL ? DESC_TYPE_PAGE : DESC_TYPE_BLOCK;

	switch (flags & PT_MEM_MASK) {
	case PT_MEM_NORMAL:
		idx = MAIR_IDX_NORMAL;
		desc |= DESC_SH_INNER;
		break;
	case PT_MEM_NC:
		idx = MAIR_IDX_NC;
		desc |= DESC_SH_INNER;
		break;
	case PT_MEM_DEVICE:
	default:
		/* pt_map() rejects the reserved type; Device is the safe reading of it. */
		idx = MAIR_IDX_DEVICE;
		break;
	}
	desc |= idx << DESC_ATTRIDX_SHIFT;
	if (flags & PT_RO) {
		desc |= DESC_AP2_RO;
	}
	if (!(flags & PT_EXEC)) {
		desc |= DESC_XN;
	}
	if (flags & PT_SW0) {
		desc |= DESC_SW0;
	}
	return desc;
}

/**
 * Encodes a stage-2 leaf: memory type in MemAttr (no MAIR at stage 2), S2AP read and
 * (unless PT_RO) write, XN (bit 54, execute-never at EL1/EL0) unless PT_EXEC.
 */
u64 pt_s2_leaf(paddr_t pa, unsigned int flags, unsigned int level)
{
	u64 desc = (pa & DESC_OA_MASK) | DESC_AF | DESC_S2AP_R;
	u64 attr;

	ASSERT(level >= 1 && level <= PT_LAST_LEVEL);
	desc |= level == PT_LAST_LEVEL ? DESC_TYPE_PAGE : DESC_TYPE_BLOCK;
	switch (flags & PT_MEM_MASK) {
	case PT_MEM_NORMAL:
		attr = S2_MEMATTR_NORMAL_WB;
		desc |= DESC_SH_INNER;
		break;
	case PT_MEM_NC:
		attr = S2_MEMATTR_NORMAL_NC;
		desc |= DESC_SH_INNER;
		break;
	case PT_MEM_DEVICE:
	default:
		attr = S2_MEMATTR_DEVICE;
		break;
	}
	desc |= attr << DESC_S2_MEMATTR_SHIFT;
	if (!(flags & PT_RO)) {
		desc |= DESC_S2AP_W;
	}
	if (!(flags & PT_EXEC)) {
		desc |= DESC_XN;
	}
	if (flags & PT_SW0) {
		desc |= DESC_SW0;
	}
	return desc;
}

static unsigned int leaf_flags_s2(u64 desc)
{
	unsigned int flags;

	switch ((desc & DESC_S2_MEMATTR_MASK) >> DESC_S2_MEMATTR_SHIFT) {
	case S2_MEMATTR_NORMAL_WB:
		flags = PT_MEM_NORMAL;
		break;
	case S2_MEMATTR_NORMAL_NC:
		flags = PT_MEM_NC;
		break;
	default:
		flags = PT_MEM_DEVICE;
		break;
	}
	if (!(desc & DESC_S2AP_W)) {
		flags |= PT_RO;
	}
	if (!(desc & DESC_XN)) {
		flags |= PT_EXEC;
	}
	if (desc & DESC_SW0) {
		flags |= PT_SW0;
	}
	return flags;
}

/** Decodes the pt_map() flags of a leaf made by pt_s1_leaf() (never PT_NO_BLOCK). */
static unsigned int leaf_flags(u64 desc)
{
	unsigned int flags;

	switch ((desc & DESC_ATTRIDX_MASK) >> DESC_ATTRIDX_SHIFT) {
	case MAIR_IDX_NORMAL:
		flags = PT_MEM_NORMAL;
		break;
	case MAIR_IDX_NC:
		flags = PT_MEM_NC;
		break;
	case MAIR_IDX_DEVICE:
	default:
		flags = PT_MEM_DEVICE;
		break;
	}
	if (desc & DESC_AP2_RO) {
		flags |= PT_RO;
	}
	if (!(desc & DESC_XN)) {
		flags |= PT_EXEC;
	}
	if (desc & DESC_SW0) {
		flags |= PT_SW0;
	}
	return flags;
}

/** True if no descriptor of the table at 'table' is valid. */
static bool table_is_empty(paddr_t table)
{
	const u64 *t = table_of(table);
	unsigned int i;

	for (i = 0; i < PT_ENTRIES; i++) {
		if (desc_read(&t[i]) & DESC_VALID) {
			return false;
		}
	}
	return true;
}

/** Frees the table at 'table' (at 'level') and every table below it. */
static void free_tree(struct pt *pt, paddr_t table, unsigned int level)
{
	const u64 *t = table_of(table);
	unsigned int i;

	for (i = 0; i < PT_ENTRIES; i++) {
		u64 desc = desc_read(&t[i]);

		if (desc_is_table(desc, level)) {
			free_tree(pt, desc_addr(desc), level + 1);
		}
	}
	pt->free(pt->ctx, table);
}

/** True if no page of [va, end) is mapped below the table at 'table' ('level'). */
static bool range_is_unmapped(paddr_t table, unsigned int level, vaddr_t va, vaddr_t end)
{
	const u64 *t = table_of(table);

	while (va < end) {
		vaddr_t next = span_end(va, end, level);
		u64 desc = desc_read(&t[level_index(va, level)]);

		if (desc_is_table(desc, level)) {
			if (!range_is_unmapped(desc_addr(desc), level + 1, va, next)) {
				return false;
			}
		} else if (desc & DESC_VALID) {
			return false;
		}
		va = next;
	}
	return true;
}

/**
 * Maps [va, end) to pa onwards below the table at 'table' ('level'). The range must be
 * unmapped. Uses a block where the descriptor's whole span is covered and both
 * addresses are aligned to it. Returns 0 or -HV_ENOMEM; on failure tables allocated so
 * far stay linked (pt_map() removes them with pt_unmap()).
 */
static int map_range(struct pt *pt, paddr_t table, unsigned int level, vaddr_t va, vaddr_t end,
		     paddr_t pa, unsigned int flags)
{
	u64 *t = table_of(table);
	u64 size = level_size(level);

	while (va < end) {
		vaddr_t next = span_end(va, end, level);
		u64 *slot = &t[level_index(va, level)];
		bool whole = IS_ALIGNED(va, size) && next - va == size;

		if (level == PT_LAST_LEVEL ||
		    (level >= 1 && whole && IS_ALIGNED(pa, size) && !(flags & PT_NO_BLOCK))) {
			ASSERT(!(desc_read(slot) & DESC_VALID));
			desc_write(slot, pt->stage2 ? pt_s2_leaf(pa, flags, level)
						    : pt_s1_leaf(pa, flags, level));
		} else {
			u64 desc = desc_read(slot);
			int ret;

			if (!(desc & DESC_VALID)) {
				paddr_t child = pt->alloc(pt->ctx);

				if (child == INVALID_PADDR) {
					return -HV_ENOMEM;
				}
				ASSERT(IS_ALIGNED(child, PAGE_SIZE) && child < PT_PA_LIMIT);
				/* The zeroed table must be visible before it is linked. */
				arch_pt_barrier();
				desc = child | DESC_TYPE_TABLE;
				desc_write(slot, desc);
			}
			ASSERT(desc_is_table(desc, level));
			ret = map_range(pt, desc_addr(desc), level + 1, va, next, pa, flags);
			if (ret) {
				return ret;
			}
		}
		pa += next - va;
		va = next;
	}
	return 0;
}

/**
 * Replaces the block in *slot (at 'level' 1 or 2) by a new next-level table of
 * entries with the same attributes mapping the same PAs. See the BBM note at the top.
 * 0 or -HV_ENOMEM (the block is then unchanged).
 */
static int split_block(struct pt *pt, u64 *slot, u64 block, unsigned int level)
{
	u64 attrs = block & ~(DESC_OA_MASK | DESC_TYPE_MASK);
	u64 type = level + 1 == PT_LAST_LEVEL ? DESC_TYPE_PAGE : DESC_TYPE_BLOCK;
	u64 sub = level_size(level + 1);
	paddr_t base = desc_addr(block);
	paddr_t child;
	u64 *t;
	unsigned int i;

	ASSERT(level >= 1 && level < PT_LAST_LEVEL);
	child = pt->alloc(pt->ctx);
	if (child == INVALID_PADDR) {
		return -HV_ENOMEM;
	}
	ASSERT(IS_ALIGNED(child, PAGE_SIZE) && child < PT_PA_LIMIT);
	t = table_of(child);
	for (i = 0; i < PT_ENTRIES; i++) {
		desc_write(&t[i], (base + i * sub) | attrs | type);
	}
	arch_pt_barrier();
	desc_write(slot, child | DESC_TYPE_TABLE);
	return 0;
}

/**
 * Unmaps [va, end) below the table at 'table' ('level'), splitting partly covered
 * blocks and freeing next-level tables left empty. 0 or -HV_ENOMEM from a split; the
 * part of the range before the failing block is unmapped by then.
 */
static int unmap_range(struct pt *pt, paddr_t table, unsigned int level, vaddr_t va, vaddr_t end)
{
	u64 *t = table_of(table);
	u64 size = level_size(level);

	while (va < end) {
		vaddr_t next = span_end(va, end, level);
		u64 *slot = &t[level_index(va, level)];
		u64 desc = desc_read(slot);
		bool whole = IS_ALIGNED(va, size) && next - va == size;
		int ret;

		if (!(desc & DESC_VALID)) {
			va = next;
			continue;
		}
		if (whole) {
			desc_write(slot, 0);
			if (desc_is_table(desc, level)) {
				/* Unlink before the pages go back to the allocator. */
				arch_pt_barrier();
				free_tree(pt, desc_addr(desc), level + 1);
			}
			va = next;
			continue;
		}
		/* Part of this entry's span: work one level down. */
		if (desc_is_leaf(desc, level)) {
			ret = split_block(pt, slot, desc, level);
			if (ret) {
				return ret;
			}
			desc = desc_read(slot);
		}
		ASSERT(desc_is_table(desc, level));
		ret = unmap_range(pt, desc_addr(desc), level + 1, va, next);
		if (table_is_empty(desc_addr(desc))) {
			desc_write(slot, 0);
			arch_pt_barrier();
			pt->free(pt->ctx, desc_addr(desc));
		}
		if (ret) {
			return ret;
		}
		va = next;
	}
	return 0;
}

/** Checks that [va, va+size) is a non-empty, page-aligned range inside pt's VA space. */
static bool va_range_ok(const struct pt *pt, vaddr_t va, u64 size)
{
	u64 limit = 1ull << pt->va_bits;

	return size != 0 && IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) &&
	       va < limit && size <= limit - va;
}

/**
 * Creates an empty table with a zeroed root from 'alloc'. va_bits must be 39..48
 * (3 levels for 39, 4 above). 0, -HV_EINVAL or -HV_ENOMEM.
 */
int pt_init(struct pt *pt, unsigned int va_bits, pt_alloc_fn alloc, pt_free_fn free, void *ctx)
{
	paddr_t root;

	if (va_bits < PT_MIN_VA_BITS || va_bits > PT_MAX_VA_BITS || !alloc || !free) {
		return -HV_EINVAL;
	}
	root = alloc(ctx);
	if (root == INVALID_PADDR) {
		return -HV_ENOMEM;
	}
	ASSERT(IS_ALIGNED(root, PAGE_SIZE) && root < PT_PA_LIMIT);
	pt->root = root;
	pt->va_bits = va_bits;
	pt->alloc = alloc;
	pt->free = free;
	pt->ctx = ctx;
	pt->stage2 = false;
	return 0;
}

/**
 * Maps [va, va+size) to [pa, pa+size). See asm/pt.h for the contract; in addition the
 * PA range must lie below 2^48 and flags may only hold the PT_* bits with a defined
 * memory type. The caller holds whatever lock serialises updates of this table.
 */
int pt_map(struct pt *pt, vaddr_t va, paddr_t pa, u64 size, unsigned int flags)
{
	unsigned int level = pt_start_level(pt);
	int ret;

	if (!va_range_ok(pt, va, size) || !IS_ALIGNED(pa, PAGE_SIZE) || pa >= PT_PA_LIMIT ||
	    size > PT_PA_LIMIT - pa || (flags & ~PT_FLAGS_VALID) ||
	    (flags & PT_MEM_MASK) > PT_MEM_NC) {
		return -HV_EINVAL;
	}
	if (!range_is_unmapped(pt->root, level, va, va + size)) {
		return -HV_EEXIST;
	}
	ret = map_range(pt, pt->root, level, va, va + size, pa, flags);
	if (ret) {
		/*
		 * Everything under the range is ours, so this frees the new leaves and
		 * tables and never needs to split a block.
		 */
		int undo = pt_unmap(pt, va, size);

		ASSERT(undo == 0);
		(void)undo;
	}
	arch_pt_barrier();
	return ret;
}

/**
 * Unmaps [va, va+size); see asm/pt.h. The caller invalidates the TLB afterwards and
 * must not split a block of a live mapping without break-before-make (file comment).
 */
int pt_unmap(struct pt *pt, vaddr_t va, u64 size)
{
	int ret;

	if (!va_range_ok(pt, va, size)) {
		return -HV_EINVAL;
	}
	ret = unmap_range(pt, pt->root, pt_start_level(pt), va, va + size);
	arch_pt_barrier();
	return ret;
}

/**
 * Translates va; see asm/pt.h. Any of pa, flags and granule may be NULL. A VA outside
 * the table's range is reported as unmapped.
 */
int pt_lookup(const struct pt *pt, vaddr_t va, paddr_t *pa, unsigned int *flags, u64 *granule)
{
	unsigned int level = pt_start_level(pt);
	paddr_t table = pt->root;

	if (va >= (1ull << pt->va_bits)) {
		return -HV_ENOENT;
	}
	for (;;) {
		u64 desc = desc_read(&table_of(table)[level_index(va, level)]);
		u64 size = level_size(level);

		if (desc_is_table(desc, level)) {
			table = desc_addr(desc);
			level++;
			continue;
		}
		if (!desc_is_leaf(desc, level) || level == 0) {
			return -HV_ENOENT;
		}
		if (pa) {
			*pa = desc_addr(desc) + (va & (size - 1));
		}
		if (flags) {
			*flags = pt->stage2 ? leaf_flags_s2(desc) : leaf_flags(desc);
		}
		if (granule) {
			*granule = size;
		}
		return 0;
	}
}

/** Frees all table pages including the root; pt is unusable until pt_init() again. */
void pt_destroy(struct pt *pt)
{
	if (pt->root == INVALID_PADDR) {
		return;
	}
	free_tree(pt, pt->root, pt_start_level(pt));
	pt->root = INVALID_PADDR;
}
