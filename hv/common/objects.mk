hv-y += common/log.o common/page_alloc.o common/heap.o common/params.o common/timer.o
hv-y += common/panic.o
