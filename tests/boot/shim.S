/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot shim for boot tests that need a device tree QEMU would otherwise rewrite
 * (no memory node, truncated, corrupt) or no device tree at all. QEMU's generic
 * loader starts it on CPU 0 at the CPU's reset EL; it enters Lamina as a boot loader
 * would: x0 = device tree, x1-x3 = 0. The runner patches the two addresses at the
 * end of the binary.
 */
	.text
	.globl	_start
_start:
	ldr	x0, dtb_addr
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	ldr	x4, hv_addr
	br	x4

	.balign	8
dtb_addr:
	.quad	0x48000000
hv_addr:
	.quad	0x40200000
