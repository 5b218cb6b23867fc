hv-y += common/log.o common/page_alloc.o common/heap.o common/params.o common/timer.o
hv-y += common/panic.o
hv-y += common/domain.o common/sched.o
hv-y += common/hypercall.o
hv-y += common/dom0less.o
hv-y += common/dom0_mem.o
hv-y += common/evtchn.o common/xen_memory.o common/xen_vcpu.o
hv-y += common/dom0_dt.o
