@ Thumb-2 code: R_ARM_THM_CALL must be refused with its name, not mislinked.
	.syntax unified
	.thumb
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"
	.text
	.global init_module
	.thumb_func
init_module:
	bl	printk
	bx	lr
	.global cleanup_module
	.thumb_func
cleanup_module:
	bx	lr
