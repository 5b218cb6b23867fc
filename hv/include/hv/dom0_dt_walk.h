/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the Dom0 device-tree phases (not for other callers: they use hv/dom0_dt.h). The
 * host tree is walked by hv/common/device_tree/dom0_dt.c (classify, copy, the generic added
 * nodes) and dom0_passthrough.c (MMIO, interrupts); the architecture writes the nodes it owns
 * (Arm: the GIC, timer, /psci and /cpus; hv/arch/arm64/dom0_dt.c) through the arch_dom0_dt_
 * hooks below, with the same writers. Xen's equivalent is xen/common/device-tree/
 * domain-build.c plus xen/arch/arm/domain_build.c's make_*_node().
 */
#pragma once

#include <hv/dom0_dt.h>
#include <hv/dt_reader.h>

/* Nodes an architecture writes itself instead of copying (Arm: the GIC and the timer). */
#define D0_MAX_ARCH_NODES 2

/** One ancestor of the node being handled; the chain replaces fdt_parent_offset() walks. */
struct d0_level {
	const struct d0_level *up; /* NULL for the root */
	int node;
	unsigned int depth; /* root = 0 */
	u32 ac;		    /* #address-cells for this node's children */
	u32 sc;		    /* #size-cells for this node's children */
	bool is_pci;	    /* device_type = "pci" */
};

/** What happens to one host node. */
enum d0_action {
	D0_COPY,
	D0_DROP,
	D0_ARCH, /* written by arch_dom0_dt_emit_node() */
	D0_CHOSEN,
	D0_PATHS, /* /aliases or /__symbols__: properties are paths, filtered */
};

/** State shared by one call into the Dom0 tree phases. */
struct d0_ctx {
	struct dt_reader r; /* the host tree */
	int hv_uart;
	int intc;	  /* the primary interrupt controller (set by the arch) */
	u32 intc_cells;	  /* its #interrupt-cells */
	u32 intc_phandle; /* its phandle (host's, or a new one if it had none) */
	bool intc_phandle_new;
	int arch_nodes[D0_MAX_ARCH_NODES]; /* written by the arch; -1: unused */
	int chosen;			   /* host /chosen, or negative */
	/* Output (dom0_build_dt only). */
	void *out;
	size_t out_size;
	const struct dom0_dt_params *p;
	bool saw_chosen;
};

/** What d0_scan_irqs() finds on one node. */
struct d0_irqs {
	bool has_private;	     /* a per-CPU interrupt of the primary controller */
	u32 private_mask;	     /* bit n: private interrupt n used */
	struct dom0_passthrough *pt; /* shared interrupts are added here if not NULL */
};

/* ---- the walk (dom0_dt.c) ---- */

/** Checks the host blob, lets the arch find its nodes, sets up c; see dom0_dt.h for errors. */
int d0_init(struct d0_ctx *c, const void *fdt, int hv_uart, char *err, size_t errlen);
/** Fills *lvl for node below up (NULL: the root): cells, PCI, depth bound, "ranges" length. */
int d0_level_init(struct d0_ctx *c, int node, const struct d0_level *up, struct d0_level *lvl);
/** Decides what happens to node (parent: its parent's level), validating what that uses. */
int d0_classify(struct d0_ctx *c, int node, const struct d0_level *parent, enum d0_action *act);

/* ---- writers (dom0_dt.c); each fails like d0_wfail() ---- */

int d0_wfail(struct d0_ctx *c, int fdt_rc, const char *what);
int d0_begin(struct d0_ctx *c, const char *name);
int d0_end(struct d0_ctx *c);
int d0_prop(struct d0_ctx *c, const char *name, const void *val, int len);
int d0_prop_u32(struct d0_ctx *c, const char *name, u32 v);
int d0_prop_str(struct d0_ctx *c, const char *name, const char *s);
/** Writes v as n (1 or 2) big-endian cells at cell idx of buf. */
void d0_put(u8 *buf, unsigned int idx, u32 n, u64 v);

/* ---- interrupts and passthrough (dom0_passthrough.c) ---- */

/**
 * Scans node's "interrupts" (parent: its parent's level), "interrupts-extended" and, with
 * acc->pt, "interrupt-map" for interrupts of the primary controller into acc.
 */
int d0_scan_irqs(struct d0_ctx *c, int node, const struct d0_level *parent, struct d0_irqs *acc);
/** Reads the #interrupt-cells of interrupt controller ctl (1..4) into *n. */
int d0_icells(struct d0_ctx *c, int ctl, u32 *n);
/** Adds shared interrupt irq to the sorted, duplicate-free list of pt. */
int d0_add_irq(struct d0_ctx *c, struct dom0_passthrough *pt, u32 irq);
/** Sets *mask: bit n for each private interrupt n of the primary controller a node uses. */
int dom0_dt_private_irqs(const void *host_fdt, u32 *mask);

/* ---- the architecture's part (Arm: hv/arch/arm64/dom0_dt.c) ---- */

/** Finds the primary interrupt controller (c->intc, c->intc_cells) and c->arch_nodes. */
int arch_dom0_dt_init(struct d0_ctx *c);
/** True if node (child of parent) is a host node Dom0 must not see on this architecture. */
bool arch_dom0_dt_drops(struct d0_ctx *c, int node, const struct d0_level *parent);
/** Decodes one specifier (c->intc_cells cells at spec) of prop on node into acc. */
int arch_dom0_dt_irq(struct d0_ctx *c, int node, const char *prop, const void *spec,
		     struct d0_irqs *acc);
/** Checks the arch's parameters in p (vCPUs, event-channel interrupt). */
int arch_dom0_dt_check_params(struct d0_ctx *c, const struct dom0_dt_params *p);
/** Writes the replacement of node, one of c->arch_nodes (parent: its parent's level). */
int arch_dom0_dt_emit_node(struct d0_ctx *c, int node, const struct d0_level *parent);
/** Writes /hypervisor's "interrupts": the event-channel interrupt (the node is open). */
int arch_dom0_dt_evtchn_irq(struct d0_ctx *c);
/** Writes the arch's own nodes at the end of the root (Arm: /psci, /cpus). */
int arch_dom0_dt_emit_root(struct d0_ctx *c);
