@ ARMv4 code assembled with --fix-v4bx: every "bx rN" carries an R_ARM_V4BX (no symbol), on
@ which the original insmod crashed.
	.arch	armv4
	.arm
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"
	.text
	.global init_module
init_module:
	mov	r0, #0
	bx	lr
	.global cleanup_module
cleanup_module:
	ldr	r0, 1f
	bx	r0
1:	.word	printk
