/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console input, as on Xen: characters typed on the hypervisor's UART go to Dom0
 * (CONSOLEIO_read, announced with VIRQ_CONSOLE), until Ctrl-a is pressed three times
 * in a row; then they go to Lamina, where single keys print debug information (h for
 * the list). Three more Ctrl-a switch back.
 *
 * Locking: input_lock (IRQ-safe) guards the ring and the switch state. Debug output
 * runs with it dropped.
 */
#include <hv/arch.h>
#include <hv/console_input.h>
#include <hv/domain.h>
#include <hv/evtchn.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/page_alloc.h>
#include <hv/percpu.h>
#include <hv/spinlock.h>
#include <public/xen.h>

#define RING_SIZE 1024 /* power of two */
#define CTRL_A 0x01
#define SWITCH_PRESSES 3

static spinlock_t input_lock = SPINLOCK_INIT;
static char ring[RING_SIZE];
static u32 ring_prod, ring_cons;
static unsigned int ctrl_a_count;
static bool input_to_hv;

/** See hv/console_input.h. */
size_t console_input_read(char *buf, size_t max)
{
	unsigned long flags;
	size_t n = 0;

	spin_lock_irqsave(&input_lock, flags);
	while (n < max && ring_cons != ring_prod) {
		buf[n++] = ring[ring_cons++ & (RING_SIZE - 1)];
	}
	spin_unlock_irqrestore(&input_lock, flags);
	return n;
}

static void debug_key_help(void)
{
	printk("Lamina debug keys: h help, q domains and vCPUs, r run queues, m memory, "
	       "i interrupts; Ctrl-a three times returns input to Dom0\n");
}

static void debug_key_domains(void)
{
	for (domid_t id = 0; id < 64; id++) {
		struct domain *d = domain_get_by_id(id);

		if (d == NULL) {
			continue;
		}
		printk("d%u (%s): %u vCPU(s), %llu pages%s\n", d->domid, d->name, d->nr_vcpus,
		       (unsigned long long)d->tot_pages, d->privileged ? ", privileged" : "");
		for (unsigned int i = 0; i < d->nr_vcpus; i++) {
			struct vcpu *v = d->vcpus[i];
			static const char *const st[] = { "offline", "runnable", "running",
							  "blocked" };

			printk("  v%u: pCPU%u %s%s, pc 0x%llx, %llu ms run\n", v->id, v->pcpu,
			       st[v->state], v->pause_count ? " paused" : "",
			       (unsigned long long)arch_vcpu_pc(v),
			       (unsigned long long)(v->runtime_ns / 1000000));
		}
		domain_put(d);
	}
}

static void debug_key_runqueues(void)
{
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		struct pcpu *p = &pcpus[c];

		if (!p->online) {
			continue;
		}
		printk("pCPU%u: %u vCPU(s) placed, running %s, %llu interrupts\n", c,
		       p->sched.nr_assigned, p->current ? "a vCPU" : "idle",
		       (unsigned long long)p->nr_irqs);
	}
}

static void debug_key_memory(void)
{
	struct page_alloc_stats st;
	struct heap_stats hs;

	page_alloc_get_stats(&st);
	heap_get_stats(&hs);
	printk("memory: %llu of %llu pages free, frame tables %llu pages; heap %llu bytes in "
	       "%llu allocations on %llu pages\n",
	       (unsigned long long)st.free_pages, (unsigned long long)st.total_pages,
	       (unsigned long long)st.frame_table_pages, (unsigned long long)hs.bytes_in_use,
	       (unsigned long long)hs.nr_allocs, (unsigned long long)hs.pages_in_use);
}

static void debug_key(char c)
{
	switch (c) {
	case 'h':
		debug_key_help();
		break;
	case 'q':
		debug_key_domains();
		break;
	case 'r':
		debug_key_runqueues();
		break;
	case 'm':
		debug_key_memory();
		break;
	case 'i':
		debug_key_runqueues(); /* interrupt counts per pCPU */
		break;
	default:
		break;
	}
}

/** See hv/console_input.h. Called from the UART interrupt. */
void console_input_char(char c)
{
	unsigned long flags;
	bool to_hv, switched = false, notify = false;

	spin_lock_irqsave(&input_lock, flags);
	if (c == CTRL_A) {
		if (++ctrl_a_count == SWITCH_PRESSES) {
			ctrl_a_count = 0;
			input_to_hv = !input_to_hv;
			switched = true;
		}
		spin_unlock_irqrestore(&input_lock, flags);
		if (switched) {
			printk("*** Input to %s (type Ctrl-a three times to switch; 'h' for "
			       "debug keys in Lamina)\n",
			       input_to_hv ? "Lamina" : "Dom0");
		}
		return;
	}
	ctrl_a_count = 0;
	to_hv = input_to_hv;
	if (!to_hv && ring_prod - ring_cons < RING_SIZE) {
		ring[ring_prod++ & (RING_SIZE - 1)] = c;
		notify = true;
	}
	spin_unlock_irqrestore(&input_lock, flags);
	if (to_hv) {
		debug_key(c);
	} else if (notify) {
		struct domain *d0 = domain_get_by_id(0);

		if (d0 != NULL) {
			evtchn_send_virq(d0, VIRQ_CONSOLE, 0);
			domain_put(d0);
		}
	}
}
