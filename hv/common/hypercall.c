/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Xen hypercalls, after the arch trap code has decoded them into a struct hcall_args
 * (on arm64: HVC #0xEA1, number in x16, arguments x0-x5, result in x0; see
 * hv/arch/arm64/traps/guest.c). One switch of direct calls; every unsupported call
 * returns -ENOSYS and is reported once per domain. Pointers are guest virtual
 * addresses, copied through copy_{from,to}_guest_va(): a bad pointer is -EFAULT.
 */
#include <hv/console_input.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/evtchn.h>
#include <hv/grant_table.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/sched.h>
#include <hv/xen_abi.h>
#include <public/features.h>
#include <public/physdev.h>
#include <public/platform.h>

#define CONSOLE_MAX_WRITE 16384 /* bytes taken per console_io write */
#define XEN_COMPAT_MAJOR 4
#define XEN_COMPAT_MINOR 17

/*
 * A DomU's console lines per second; the rest of the second is dropped and counted, so
 * a guest printing in a loop can neither flood the log nor keep the console (a slow
 * UART on real hardware) busy for long. Dom0's console is the machine's: unlimited.
 */
#define CONSOLE_GUEST_LINES_PER_S 1000

/* True if d may print another line now; cons_lock held. */
static bool console_line_allowed(struct domain *d, const char *tag)
{
	unsigned int dropped;
	bool ok = ratelimit_allow(&d->cons_limit, now_ns(), CONSOLE_GUEST_LINES_PER_S, &dropped);

	if (dropped != 0) {
		char note[80];
		int len = hv_snprintf(note, sizeof(note), "[%u lines of console output dropped]",
				      dropped);

		log_guest_line(tag, note, (size_t)len);
	}
	return ok;
}

/* Appends guest console output; complete lines go out tagged "(dN) ". */
static void console_put(struct domain *d, const char *s, size_t n)
{
	char tag[16];
	unsigned long flags;

	/* Dom0's console is the machine's console: printed as is, as Xen does. */
	if (d->domid == 0) {
		tag[0] = '\0';
	} else {
		hv_snprintf(tag, sizeof(tag), "(d%u) ", d->domid);
	}
	spin_lock_irqsave(&d->cons_lock, flags);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\r') {
			continue;
		}
		if (c != '\n') {
			d->cons_buf[d->cons_len++] = c;
		}
		if (c == '\n' || d->cons_len == sizeof(d->cons_buf)) {
			if (console_line_allowed(d, tag)) {
				log_guest_line(tag, d->cons_buf, d->cons_len);
			}
			d->cons_len = 0;
		}
	}
	spin_unlock_irqrestore(&d->cons_lock, flags);
}

static long do_console_io(struct vcpu *v, u64 cmd, u64 count, u64 buf)
{
	char chunk[256];
	u64 done = 0;

	switch (cmd) {
	case CONSOLEIO_write:
		count = MIN(count, (u64)CONSOLE_MAX_WRITE);
		while (done < count) {
			u64 n = MIN(count - done, (u64)sizeof(chunk));

			if (copy_from_guest_va(v, chunk, buf + done, n) != 0) {
				return -HV_EFAULT;
			}
			if (v->domain->privileged) {
				/* Dom0 owns the console (hvc0): unbuffered and unfiltered. */
				log_raw_write(chunk, n);
			} else {
				console_put(v->domain, chunk, n);
			}
			done += n;
		}
		return 0;
	case CONSOLEIO_read:
		/* Input from the UART goes to Dom0 only (Xen allows other domains with XSM). */
		if (!v->domain->privileged) {
			return -HV_EPERM;
		}
		count = MIN(count, (u64)sizeof(chunk));
		done = console_input_read(chunk, count);
		if (done > 0 && copy_to_guest_va(v, buf, chunk, done) != 0) {
			return -HV_EFAULT;
		}
		return (long)done;
	default:
		return -HV_EINVAL;
	}
}

/*
 * The XENFEAT bits Lamina offers. Unlike Xen 4.18+, not memory_op_vnode_supported or
 * runstate_phys_area: Lamina does not implement them.
 */
static u32 xen_features(const struct domain *d)
{
	u32 f = (1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_auto_translated_physmap) |
		(1u << XENFEAT_ARM_SMCCC_supported);

	if (d->privileged) {
		f |= (1u << XENFEAT_dom0) | (1u << XENFEAT_direct_mapped);
	} else {
		f |= 1u << XENFEAT_not_direct_mapped;
	}
	return f;
}

static long do_xen_version(struct vcpu *v, u64 cmd, u64 arg)
{
	static const char extraversion[16] = ".0-lamina";
	static const char capabilities[1024] = "xen-3.0-aarch64 ";
	struct xen_feature_info fi;

	switch (cmd) {
	case XENVER_version:
		return (XEN_COMPAT_MAJOR << 16) | XEN_COMPAT_MINOR;
	case XENVER_extraversion:
		return copy_to_guest_va(v, arg, extraversion, sizeof(extraversion)) ? -HV_EFAULT
										    : 0;
	case XENVER_capabilities:
		return copy_to_guest_va(v, arg, capabilities, sizeof(capabilities)) ? -HV_EFAULT
										    : 0;
	case XENVER_get_features:
		if (copy_from_guest_va(v, &fi, arg, sizeof(fi)) != 0) {
			return -HV_EFAULT;
		}
		if (fi.submap_idx != 0) {
			return -HV_EINVAL;
		}
		fi.submap = xen_features(v->domain);
		return copy_to_guest_va(v, arg, &fi, sizeof(fi)) ? -HV_EFAULT : 0;
	case XENVER_pagesize:
		return PAGE_SIZE;
	default:
		return -HV_ENOSYS;
	}
}

/* The wall clock Dom0 last set: seconds and ns at hypervisor time 0. */
static u64 wc_boot_sec;
static u32 wc_boot_nsec;
static bool wc_set;

/*
 * platform_op: Dom0 only. XENPF_settime64 says wall time secs.nsecs corresponds to
 * system_time; the wall clock at time 0 is kept for the domains' shared_info.
 */
static long do_platform_op(struct vcpu *v, u64 arg)
{
	struct xen_platform_op op;
	const struct xenpf_settime64 *st = &op.u.settime64;
	u64 wall_ns, boot_ns;

	if (!v->domain->privileged) {
		return -HV_EPERM;
	}
	/* The command and the settime64 arguments: the rest of the union is not read. */
	if (copy_from_guest_va(v, &op, arg, offsetof(struct xen_platform_op, u) + sizeof(*st)) !=
	    0) {
		return -HV_EFAULT;
	}
	if (op.interface_version != XENPF_INTERFACE_VERSION) {
		return -HV_EACCES;
	}
	if (op.cmd != XENPF_settime64) {
		return -HV_ENOSYS;
	}
	if (st->mbz != 0 || st->nsecs >= 1000000000u) {
		return -HV_EINVAL;
	}
	wall_ns = st->secs * 1000000000ull + st->nsecs;
	boot_ns = wall_ns > st->system_time ? wall_ns - st->system_time : 0;
	wc_boot_sec = boot_ns / 1000000000ull;
	wc_boot_nsec = (u32)(boot_ns % 1000000000ull);
	wc_set = true;
	return 0;
}

/** See hv/hypercall.h. */
bool wallclock_get(u64 *sec, u32 *nsec)
{
	*sec = wc_boot_sec;
	*nsec = wc_boot_nsec;
	return wc_set;
}

/* physdev_op: Dom0 telling about PCI devices; without an IOMMU there is nothing to do. */
static long do_physdev_op(struct vcpu *v, u64 cmd)
{
	if (!v->domain->privileged) {
		return -HV_EPERM;
	}
	switch (cmd) {
	case PHYSDEVOP_pci_device_add:
	case PHYSDEVOP_pci_device_remove:
		return 0;
	default:
		return -HV_ENOSYS;
	}
}

/* Reports an unsupported hypercall once per domain and number. */
static long unsupported(struct vcpu *v, u64 nr, u64 cmd)
{
	struct domain *d = v->domain;
	/* One bit per hypercall number below 63; bit 63 stands for all larger ones. */
	u64 bit = 1ull << MIN(nr, 63ull);

	if (!(d->warned_hcalls & bit)) {
		d->warned_hcalls |= bit;
		log_info("d%u: hypercall %llu%s (first argument 0x%llx) is not supported: "
			 "-ENOSYS\n",
			 d->domid, (unsigned long long)nr,
			 nr >= 63 ? " (and any other above 62)" : "", (unsigned long long)cmd);
	}
	return -HV_ENOSYS;
}

/* One hypercall with its arguments; the unsupported ones are reported once. */
static long hypercall_dispatch(struct vcpu *v, struct hcall_args *args, bool nested);

#define MULTICALL_MAX 1024    /* entries in one multicall */
#define MULTICALL_PER_CALL 32 /* of them run before the call continues */

/* vm_assist: Arm Xen knows only runstate_update_flag (Linux enables it at boot). */
static long do_vm_assist(struct vcpu *v, u64 cmd, u64 type)
{
	if (cmd != VMASST_CMD_enable && cmd != VMASST_CMD_disable) {
		return -HV_EINVAL;
	}
	if (type != VMASST_TYPE_runstate_update_flag) {
		return -HV_EINVAL;
	}
	v->domain->runstate_update_flag = cmd == VMASST_CMD_enable;
	return 0;
}

/*
 * multicall: an array of struct multicall_entry; each entry runs as its own hypercall
 * and gets its result. A multicall inside a multicall is -EINVAL. At most
 * MULTICALL_PER_CALL entries run per call; the rest, or an entry that continues, in a
 * continuation (*list and *nr_calls advanced to the first entry not done).
 */
static long do_multicall(struct vcpu *v, u64 *list, u64 *nr_calls)
{
	struct multicall_entry e;

	if (*nr_calls > MULTICALL_MAX) {
		return -HV_E2BIG;
	}
	for (u64 i = 0; i < *nr_calls; i++) {
		u64 va = *list + i * sizeof(e);
		long ret;

		if (i == MULTICALL_PER_CALL) {
			/* The rest in a continuation: one call stays bounded (Xen's model). */
			*list += i * sizeof(e);
			*nr_calls -= i;
			return -HV_ERESTART;
		}
		if (copy_from_guest_va(v, &e, va, sizeof(e)) != 0) {
			return -HV_EFAULT;
		}
		struct hcall_args args = { .nr = e.op };

		memcpy(args.a, e.args, sizeof(args.a));
		ret = hypercall_dispatch(v, &args, true);
		if (ret == -HV_ERESTART) {
			/*
			 * The entry continues: its arguments as it left them go back into the
			 * list, and the multicall resumes at this entry.
			 */
			memcpy(e.args, args.a, sizeof(e.args));
			if (copy_to_guest_va(v, va + offsetof(struct multicall_entry, args), e.args,
					     sizeof(e.args)) != 0) {
				return -HV_EFAULT;
			}
			*list += i * sizeof(e);
			*nr_calls -= i;
			return -HV_ERESTART;
		}
		e.result = (u64)ret;
		if (copy_to_guest_va(v, va + offsetof(struct multicall_entry, result), &e.result,
				     sizeof(e.result)) != 0) {
			return -HV_EFAULT;
		}
		if (v->domain->is_dying) {
			break; /* an entry shut the domain down */
		}
	}
	return 0;
}

static long hypercall_dispatch(struct vcpu *v, struct hcall_args *args, bool nested)
{
	u64 *a = args->a;
	u64 nr = args->nr;
	long ret;

	switch (nr) {
	case __HYPERVISOR_console_io:
		ret = do_console_io(v, a[0], a[1], a[2]);
		break;
	case __HYPERVISOR_sched_op:
		ret = do_sched_op(v, a[0], a[1]);
		break;
	case __HYPERVISOR_xen_version:
		ret = do_xen_version(v, a[0], a[1]);
		break;
	/* Xen guest ABI core: memory.c, vcpu.c, evtchn.c, grant_table.c. */
	case __HYPERVISOR_memory_op:
		ret = do_memory_op(v, &a[0], a[1]); /* may continue (a[0]) */
		break;
	case __HYPERVISOR_vcpu_op:
		ret = do_vcpu_op(v, a[0], a[1], a[2]);
		break;
	case __HYPERVISOR_hvm_op:
		ret = do_hvm_op(v, a[0], a[1]);
		break;
	case __HYPERVISOR_event_channel_op:
		ret = do_event_channel_op(v, a[0], a[1]);
		break;
	case __HYPERVISOR_platform_op:
		ret = do_platform_op(v, a[0]);
		break;
	case __HYPERVISOR_physdev_op:
		ret = do_physdev_op(v, a[0]);
		break;
	case __HYPERVISOR_grant_table_op:
		ret = do_grant_table_op(v, a[0], &a[1], &a[2]); /* may continue (a[1], a[2]) */
		break;
	case __HYPERVISOR_vm_assist:
		ret = do_vm_assist(v, a[0], a[1]);
		break;
	case __HYPERVISOR_multicall:
		ret = nested ? -HV_EINVAL : do_multicall(v, &a[0], &a[1]); /* may continue */
		break;
	/* The toolstack's control interface (Dom0 only): lamctl.c. */
	case __HYPERVISOR_domctl:
		ret = do_domctl(v, a[0]);
		break;
	case __HYPERVISOR_sysctl:
		ret = do_sysctl(v, a[0]);
		break;
	default:
		ret = -HV_ENOSYS;
		break;
	}
	if (ret == -HV_ENOSYS) {
		ret = unsupported(v, nr, a[0]);
	}
	return ret; /* -HV_ERESTART in a multicall: do_multicall() continues there */
}

/** See hv/hypercall.h. */
long hypercall_do(struct vcpu *v, struct hcall_args *args)
{
	return hypercall_dispatch(v, args, false);
}
