/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the hypervisor and the toolstack must agree on about an arm64 guest, in one place,
 * and the code both use to boot one. hv/arch/arm64/guest/ is compiled into the hypervisor
 * (dom0less DomUs, Dom0), into `lam` (DomUs it creates) and into the host unit tests, the way
 * Xen's libelf serves both Xen and its toolstack. The code needs only libfdt, hv/lib.h
 * (hv_snprintf, hv/lib/vsprintf.c, and the string functions) and the public headers; this
 * header only the C standard's freestanding headers and public/xen.h.
 *
 * The guest physical layout itself (GUEST_RAM0_BASE, GUEST_GICV3_*, ...) is guest ABI and
 * lives in public/xen.h, as Xen keeps it in public/arch-arm.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <public/xen.h>

/* ---- GIC interrupt IDs (GICv3 architecture specification, section 2.2) ---------------- */

#define GIC_PPI_BASE 16 /* PPIs: INTIDs 16..31 */
#define GIC_NR_PPI 16
#define GIC_SPI_BASE 32 /* SPIs: INTIDs 32..1019 */
#define GIC_NR_SPI 988

/* Device-tree GIC interrupt specifier (arm,gic-v3 binding): <type number flags>. */
#define GIC_DT_IRQ_CELLS 3
#define GIC_DT_IRQ_TYPE_SPI 0
#define GIC_DT_IRQ_TYPE_PPI 1
/* Flags cell Xen writes for a guest PPI: all-CPU mask 0xf in [15:8], level-low (8) in [3:0]. */
#define GIC_DT_PPI_FLAGS 0xf08

/* One GICv3 redistributor: RD_base + SGI_base frames of 64 KiB each (GICv3 spec 12.10). */
#define GICV3_REDIST_SIZE 0x20000ULL

/* ---- CPUs ---------------------------------------------------------------------------- */

/* MPIDR_EL1 affinity fields Aff3 [39:32] and Aff2..Aff0 [23:0] (Arm ARM D19.2.86). */
#define MPIDR_AFF_MASK 0xff00ffffffULL
/* MPIDR_EL1 bit 31 is RES1. */
#define MPIDR_RES1 (1ULL << 31)

/**
 * The virtual MPIDR affinity of vCPU vcpu_id, which is also its cpu@ "reg" in the guest's
 * device tree: Aff0 = id % 16, Aff1 = id / 16 (Xen's vcpuid_to_vaffinity(); 16 per cluster
 * because a GICv3 SGI targets at most 16 Aff0 values, ICC_SGI1R_EL1.TargetList).
 */
static inline uint32_t arm64_vcpu_to_mpidr(unsigned int vcpu_id)
{
	return (vcpu_id & 0xfu) | ((vcpu_id >> 4) & 0xffu) << 8;
}

/* PSCI 0.1 function numbers Xen advertises in /psci "cpu_off"/"cpu_on" (public/arch-arm.h). */
#define PSCI_0_1_CPU_OFF 1
#define PSCI_0_1_CPU_ON 2

/* ---- arm64 Linux Image (Linux Documentation/arch/arm64/booting.rst) ------------------ */

/** Bytes of the Image header arm64_image_probe() reads. */
#define ARM64_IMAGE_HDR_SIZE 64
/** Room reserved for a guest's device tree (booting.rst: at most 2 MiB). */
#define ARM64_DTB_MAX (2ULL << 20)

/** What an Image header says about loading the kernel. */
struct arm64_image {
	uint64_t
		text_offset; /* load offset from a 2 MiB-aligned base (0x80000 before Linux 3.17) */
	uint64_t
		image_size; /* bytes from the load address the kernel uses, BSS included; >= file_size */
	uint64_t flags;	    /* bit 0 big-endian, bits 1-2 page size, bit 3 placement */
	uint64_t file_size; /* bytes to copy */
};

/**
 * The one Image probe (Xen's kernel_zimage64_probe()): checks the first hdr_len bytes (at least
 * ARM64_IMAGE_HDR_SIZE, or the whole file if shorter) of the file name (file_size bytes).
 * Refuses with a message saying what the file is instead: gzip'd vmlinuz, ELF vmlinux, EFI
 * zboot, U-Boot uImage, 32-bit zImage, other compressors, big-endian kernels, truncated files.
 * Returns 0, or -HV_ENOEXEC with "<name> ..." in err.
 */
int arm64_image_probe(const char *name, const void *hdr, size_t hdr_len, uint64_t file_size,
		      struct arm64_image *out, char *err, size_t errlen);

/** Where a kernel, its initrd and device tree go; guest-physical addresses. */
struct arm64_boot_plan {
	uint64_t kernel_gpa;
	uint64_t kernel_entry;		  /* PC of the boot vCPU: the first byte of the Image */
	uint64_t initrd_gpa, initrd_size; /* initrd_size 0: no initrd, initrd_gpa 0 */
	uint64_t dtb_gpa, dtb_max;	  /* 2 MiB-aligned slot of dtb_max (ARM64_DTB_MAX) bytes */
};

/**
 * Plans the boot modules in the RAM bank [ram_base, ram_base + ram_size) (ram_base 2 MiB
 * aligned) the way libxl and Xen's place_modules() do: the kernel at ram_base + text_offset;
 * the initrd (2 MiB aligned) then the device tree's 2 MiB slot at ram_base + 128 MiB if they
 * fit there above the kernel, else at the top of RAM, else below the kernel. Returns 0, or
 * -HV_ENOMEM with a message such as "kernel (30 MiB) + ramdisk (12 MiB) + device tree (2 MiB)
 * do not fit in 64 MiB of guest memory" (-HV_EINVAL for impossible parameters).
 */
int arm64_boot_plan(uint64_t ram_base, uint64_t ram_size, const struct arm64_image *img,
		    uint64_t initrd_size, struct arm64_boot_plan *plan, char *err, size_t errlen);

/* ---- DomU device tree (the tree libxl writes for an Arm guest) ----------------------- */

/** Largest tree arm64_domu_dt_build() makes. */
#define ARM64_DOMU_DT_MAX_SIZE ARM64_DTB_MAX
/** Xen version the guest is told (root "xen,xenvm-" and /hypervisor compatible). */
#define ARM64_DOMU_XEN_COMPAT "xen,xen-4.17"
/** RAM banks of the guest layout (GUEST_RAM0 and GUEST_RAM1). */
#define ARM64_DOMU_RAM_BANKS 2

/**
 * A DomU's physical layout and boot parameters. arm64_domu_layout_init() fills it with the
 * fixed GUEST_* layout of public/xen.h; the caller then sets the command line, the initrd
 * and, if it wants, the timer frequency and RNG seed.
 */
struct arm64_domu_layout {
	/* RAM banks; a bank with size 0 is left out of the tree. Bank 0 must be present. */
	uint64_t ram_base[ARM64_DOMU_RAM_BANKS];
	uint64_t ram_size[ARM64_DOMU_RAM_BANKS];
	unsigned int nr_vcpus; /* each gets a cpu@ node; 1..GUEST_MAX_VCPUS */
	uint64_t gicd_base, gicd_size;
	uint64_t gicr_base, gicr_size; /* must hold nr_vcpus GICV3_REDIST_SIZE frames */
	uint32_t clock_frequency; /* /timer clock-frequency when nonzero (normally 0: CNTFRQ) */
	/* /hypervisor reg[0]; gnttab_size 0 writes no /hypervisor node at all (a dom0less
	 * domain without Xen's "xen,enhanced"). */
	uint64_t gnttab_base, gnttab_size;
	uint32_t evtchn_ppi; /* event-channel INTID, 16..31 (with /hypervisor only) */
	const char *cmdline; /* NULL or "": empty bootargs */
	uint64_t initrd_start, initrd_size; /* initrd_size 0: no initrd properties */
	const char *xen_compat;		    /* "xen,xen-<maj>.<min>"; NULL: ARM64_DOMU_XEN_COMPAT */
	const uint8_t *rng_seed;	    /* /chosen rng-seed; rng_seed_len 0: none */
	size_t rng_seed_len;
};

/**
 * Fills l with the fixed DomU layout: mem_bytes of RAM over GUEST_RAM0 (up to its 3 GiB)
 * then GUEST_RAM1, nr_vcpus vCPUs, the GICv3 at GUEST_GICV3_*, the grant table at
 * GUEST_GNTTAB_*, the event channel on GUEST_EVTCHN_PPI, no command line, no initrd.
 */
void arm64_domu_layout_init(struct arm64_domu_layout *l, uint64_t mem_bytes, unsigned int nr_vcpus);

/**
 * Writes the tree into buf (bufsize bytes, at most ARM64_DOMU_DT_MAX_SIZE used): root,
 * /chosen, /cpus, /psci, /memory@..., the GICv3, /timer and /hypervisor (Xen's
 * tools/libs/light/libxl_arm.c; the /hypervisor binding: Xen's docs/misc/arm/device-tree/guest.txt). On success the blob is packed (fdt_totalsize(buf) is its size).
 * Returns 0, or -HV_EINVAL (bad layout) / -HV_ENOSPC (buf too small) with a reason in err.
 */
int arm64_domu_dt_build(const struct arm64_domu_layout *l, void *buf, size_t bufsize, char *err,
			size_t errlen);
