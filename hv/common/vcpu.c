/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vcpu_op and hvm_op (Xen's public/vcpu.h and public/hvm/hvm_op.h), with Xen 4.17's Arm behaviour:
 *  - vcpu_op knows only VCPUOP_register_vcpu_info and
 *    VCPUOP_register_runstate_memory_area; anything else is -EINVAL (vCPUs are
 *    started with PSCI), an unknown vCPU -ENOENT.
 *  - hvm_op get/set_param on an allowlist of parameters; a domain may read its own
 *    but only another (privileged) domain may set them.
 *
 * Lock order: d->evtchn_lock guards the vcpu_info pointers (see hv/evtchn.h); the p2m
 * lookup happens before it is taken.
 */
#include <hv/mm.h>
#include <hv/p2m.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/evtchn.h>
#include <hv/lib.h>
#include <hv/page_alloc.h>
#include <hv/timer.h>
#include <hv/xen_abi.h>
#include <public/hvm_op.h>
#include <public/vcpu.h>

/*
 * Moves target's vcpu_info into the guest page 'gfn' at 'offset'. The old contents
 * come along; then every pending_sel bit is set and an upcall raised so that no event
 * is lost in the move (the guest sees one spurious upcall, as on Xen).
 */
static long register_vcpu_info(struct vcpu *cur, struct vcpu *target,
			       const struct vcpu_register_vcpu_info *info)
{
	struct domain *d = cur->domain;
	struct vcpu_info *vi;
	struct page_info *pg;
	unsigned int flags;
	unsigned long irqf;
	paddr_t pa;
	long rc = 0;

	if (info->offset > PAGE_SIZE - sizeof(struct vcpu_info) || (info->offset & 7) != 0) {
		return -HV_EINVAL;
	}
	/* Only on itself, or on a vCPU that is not running (Xen). */
	if (target != cur && __atomic_load_n(&target->state, __ATOMIC_ACQUIRE) != VCPU_OFFLINE) {
		return -HV_EINVAL;
	}
	if (!p2m_gfn_valid(d, info->mfn) ||
	    p2m_lookup(d, info->mfn << PAGE_SHIFT, &pa, &flags) != 0) {
		return -HV_EINVAL;
	}
	pg = paddr_to_page(pa);
	/* Writable RAM of the domain itself: never a device or another domain's page. */
	if ((flags & P2M_MEM_MASK) != P2M_MEM_NORMAL || (flags & P2M_RO) || pg == NULL ||
	    pg->owner != d->domid || pg->state != PGS_ALLOCATED) {
		return -HV_EINVAL;
	}
	vi = (struct vcpu_info *)((u8 *)phys_to_virt(pa) + info->offset);
	/*
	 * The hypervisor writes the page at every event from now on: a reference keeps it
	 * (the guest can neither balloon it out nor remove it from its p2m) until the domain
	 * ends (vcpu_info_release()).
	 */
	if (!page_get_ref(pg, d->domid)) {
		return -HV_EINVAL;
	}

	spin_lock_irqsave(&d->evtchn_lock, irqf);
	if (target->vcpu_info_registered) {
		rc = -HV_EINVAL; /* once per vCPU (Xen 4.17) */
		goto out_unlock;
	}
	memcpy(vi, target->vcpu_info, sizeof(*vi));
	target->vcpu_info = vi;
	target->vcpu_info_page = pg;
	pg = NULL;
	target->vcpu_info_registered = true;
	__atomic_store_n(&vi->evtchn_pending_sel, ~0ull, __ATOMIC_RELEASE);
	evtchn_vcpu_mark_pending(target);
out_unlock:
	spin_unlock_irqrestore(&d->evtchn_lock, irqf);
	if (pg != NULL) {
		page_put_ref(pg); /* not registered */
	}
	return rc;
}

/** See hv/xen_abi.h. */
void vcpu_info_release(struct vcpu *v)
{
	if (v->vcpu_info_page != NULL) {
		v->vcpu_info = &v->vcpu_info_dummy;
		page_put_ref(v->vcpu_info_page);
		v->vcpu_info_page = NULL;
	}
}

#define XEN_RUNSTATE_UPDATE (1ull << 63)

/*
 * Writes v's runstate to its registered area (v's context loaded). With the update
 * flag (vm_assist), state_entry_time carries XEN_RUNSTATE_UPDATE while the rest
 * changes, so another vCPU reading it retries (Linux's xen_get_runstate_snapshot()).
 */
static void runstate_publish(struct vcpu *v)
{
	struct vcpu_runstate_info rs = v->runstate;
	u64 va = v->runstate_va;

	if (va == 0) {
		return;
	}
	if (v->domain->runstate_update_flag) {
		u64 busy = rs.state_entry_time | XEN_RUNSTATE_UPDATE;

		if (copy_to_guest_va(v, va + 8, &busy, 8) != 0) {
			return; /* not mapped now (e.g. KPTI's user tables): next time */
		}
		__atomic_thread_fence(__ATOMIC_RELEASE); /* the guest sees the flag first */
		rs.state_entry_time = busy;
		(void)copy_to_guest_va(v, va, &rs, sizeof(rs));
		__atomic_thread_fence(__ATOMIC_RELEASE); /* the guest sees the flag first */
		rs.state_entry_time &= ~XEN_RUNSTATE_UPDATE;
		(void)copy_to_guest_va(v, va + 8, &rs.state_entry_time, 8);
	} else {
		(void)copy_to_guest_va(v, va, &rs, sizeof(rs));
	}
}

static int runstate_of(enum vcpu_state s)
{
	switch (s) {
	case VCPU_RUNNING:
		return RUNSTATE_running;
	case VCPU_RUNNABLE:
		return RUNSTATE_runnable;
	case VCPU_BLOCKED:
		return RUNSTATE_blocked;
	default:
		return RUNSTATE_offline;
	}
}

/** See hv/xen_abi.h. */
void vcpu_runstate_switch(struct vcpu *v, bool in)
{
	struct vcpu_runstate_info *rs = &v->runstate;
	u64 now = now_ns();
	int next =
		in ? RUNSTATE_running : runstate_of(__atomic_load_n(&v->state, __ATOMIC_RELAXED));

	if (rs->state >= RUNSTATE_running && rs->state <= RUNSTATE_offline &&
	    now > rs->state_entry_time) {
		rs->time[rs->state] += now - rs->state_entry_time;
	}
	rs->state = next;
	rs->state_entry_time = now;
	runstate_publish(v);
}

/*
 * Records the guest virtual address of target's runstate area and, if target is the
 * caller (the address only means something in the vCPU's own stage 1), writes it now;
 * the scheduler keeps it up to date from then on. Never fails, as Linux BUG()s
 * otherwise.
 */
static long register_runstate(struct vcpu *cur, struct vcpu *target, u64 va)
{
	target->runstate_va = va;
	if (va != 0 && target == cur) {
		runstate_publish(cur);
	}
	return 0;
}

/** The vcpu_op hypercall of vCPU v. */
long do_vcpu_op(struct vcpu *v, u64 cmd, u64 vcpuid, u64 arg)
{
	struct domain *d = v->domain;
	struct vcpu_register_vcpu_info info;
	struct vcpu_register_runstate_memory_area area;
	struct vcpu *target;

	if (cmd != VCPUOP_register_vcpu_info && cmd != VCPUOP_register_runstate_memory_area) {
		return -HV_EINVAL; /* Xen on Arm: no other vcpu_op */
	}
	if (vcpuid >= d->nr_vcpus) {
		return -HV_ENOENT;
	}
	target = d->vcpus[vcpuid];
	if (cmd == VCPUOP_register_vcpu_info) {
		if (copy_from_guest_va(v, &info, arg, sizeof(info)) != 0) {
			return -HV_EFAULT;
		}
		return register_vcpu_info(v, target, &info);
	}
	if (copy_from_guest_va(v, &area, arg, sizeof(area)) != 0) {
		return -HV_EFAULT;
	}
	return register_runstate(v, target, area.addr);
}

/** See hv/xen_abi.h. */
int hvm_param_get(struct domain *d, unsigned int index, u64 *value)
{
	if (index >= HVM_NR_PARAMS) {
		return -HV_EINVAL;
	}
	*value = __atomic_load_n(&d->hvm_params[index], __ATOMIC_ACQUIRE);
	return 0;
}

/** See hv/xen_abi.h. */
int hvm_param_set(struct domain *d, unsigned int index, u64 value)
{
	if (index >= HVM_NR_PARAMS) {
		return -HV_EINVAL;
	}
	__atomic_store_n(&d->hvm_params[index], value, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Xen on Arm's allowlist: these may be read by the domain itself and read or set by
 * its toolstack; MONITOR_RING_PFN only by the toolstack. Anything else is -EINVAL.
 */
static long hvm_param_access(unsigned int index, bool self, bool set)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_STORE_PFN:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_PFN:
	case HVM_PARAM_CONSOLE_EVTCHN:
		return self && set ? -HV_EPERM : 0;
	case HVM_PARAM_MONITOR_RING_PFN:
		return self ? -HV_EPERM : 0;
	default:
		return -HV_EINVAL;
	}
}

/** The hvm_op hypercall of vCPU v: HVMOP_set_param and HVMOP_get_param. */
long do_hvm_op(struct vcpu *v, u64 op, u64 arg)
{
	struct domain *d = v->domain, *td;
	struct xen_hvm_param p;
	bool self;
	long rc;

	if (op != HVMOP_set_param && op != HVMOP_get_param) {
		return -HV_ENOSYS;
	}
	if (copy_from_guest_va(v, &p, arg, sizeof(p)) != 0) {
		return -HV_EFAULT;
	}
	if (p.index >= HVM_NR_PARAMS) {
		return -HV_EINVAL;
	}
	self = p.domid == DOMID_SELF || p.domid == d->domid;
	td = self ? d : domain_get_by_id(p.domid);
	if (td == NULL) {
		return -HV_ESRCH;
	}
	if (!self && !d->privileged) {
		rc = -HV_EPERM;
		goto out_put;
	}
	rc = hvm_param_access(p.index, self, op == HVMOP_set_param);
	if (rc != 0) {
		goto out_put;
	}
	if (op == HVMOP_set_param) {
		rc = hvm_param_set(td, p.index, p.value);
	} else {
		rc = hvm_param_get(td, p.index, &p.value);
		if (rc == 0 && copy_to_guest_va(v, arg, &p, sizeof(p)) != 0) {
			rc = -HV_EFAULT;
		}
	}
out_put:
	if (td != d) {
		domain_put(td);
	}
	return rc;
}
