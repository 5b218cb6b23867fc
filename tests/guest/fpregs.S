/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FP/SIMD register helpers for the context-switch test (test_smp.c): fill all 32 vector
 * registers from a seed, and check that they still hold what was filled.
 */
	.text
/* void fp_fill(uint64_t seed): v<n>.d[0] = seed + n, v<n>.d[1] = ~(seed + n). */
	.globl	fp_fill
fp_fill:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	add	x1, x0, #\n
	mvn	x2, x1
	fmov	d\n, x1
	mov	v\n\().d[1], x2
	.endr
	ret

/* uint64_t fp_check(uint64_t seed): 0 if every register matches, else 1 + its number. */
	.globl	fp_check
fp_check:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	add	x1, x0, #\n
	mvn	x2, x1
	fmov	x3, d\n
	mov	x4, v\n\().d[1]
	cmp	x1, x3
	ccmp	x2, x4, #0, eq
	mov	x5, #(\n + 1)
	b.ne	1f
	.endr
	mov	x0, #0
	ret
1:	mov	x0, x5
	ret
