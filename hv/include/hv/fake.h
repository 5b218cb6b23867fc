/* SPDX-License-Identifier: Apache-2.0 */
/* Hooks of the fake architecture that host unit tests use (hv/arch/fake). */
#pragma once

#include <setjmp.h>
#include <stddef.h>

#include <hv/types.h>

#define FAKE_CONSOLE_SIZE 65536
#define FAKE_NR_CPUS 8

struct vcpu;
struct domain;

/** Where the fake p2m (hv/arch/fake/p2m.c) calls fake_arch.p2m_hook. */
enum fake_p2m_event {
	FAKE_P2M_MAPPED,    /* after p2m_map() made a mapping at gpa */
	FAKE_P2M_UNMAPPING, /* before p2m_unmap() removes what is at gpa */
	FAKE_P2M_LOOKUP,    /* before p2m_lookup() of gpa */
};

/** Everything the code under test printed since the last reset. */
extern char fake_console[FAKE_CONSOLE_SIZE];
extern size_t fake_console_len;
void fake_console_reset(void);
/**
 * If set, console_write() calls it first with what it is about to write (a test plays
 * another CPU logging while this one writes to the UART). fake_console_reset() clears it.
 */
extern void (*fake_console_hook)(const char *s, size_t n);

/**
 * What the common code asked of the fake architecture (hv/arch/fake/arch.c), and the
 * failures a test wants it to see. fake_arch_reset() clears it.
 */
struct fake_arch {
	unsigned int kicks[FAKE_NR_CPUS]; /* arch_kick_cpu() per pCPU */
	unsigned int saves, loads;	  /* arch_vcpu_save() / arch_vcpu_load() */
	unsigned int domains_live;	  /* arch_domain_create() minus _destroy() */
	unsigned int vcpus_live;	  /* arch_vcpu_create() minus _destroy() */
	unsigned int cache_cleans;	  /* hv/cache.h calls */
	u64 cleaned_bytes;		  /* bytes they cleaned to the point of coherency */
	const void *last_cleaned;	  /* the start of the last range */
	int fail_domain_create;		  /* != 0: the next arch_domain_create() fails so */
	int fail_vcpu_create;		  /* != 0: the next arch_vcpu_create() fails so */
	/* arch_vcpu_enter(v) records v and longjmps here with 1 (a test must set it). */
	jmp_buf *enter_jmp;
	struct vcpu *entered;
	/*
	 * Called by the fake p2m outside its lock (once per page of a map or unmap): a test
	 * runs another vCPU's code (in another thread) inside a window of common code.
	 */
	void (*p2m_hook)(struct domain *d, enum fake_p2m_event ev, gpaddr_t gpa);
	/* Called by arch_guest_cmpxchg32() before it compares: the guest writing the word. */
	void (*guest_cmpxchg_hook)(u32 *p);
};
extern struct fake_arch fake_arch;
void fake_arch_reset(void);

/** Pages mapped in d's fake p2m (hv/arch/fake/p2m.c). */
unsigned long fake_p2m_nr_mapped(const struct domain *d);
