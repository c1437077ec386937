@ A call to printk+4 cannot go through a stub (the stub jumps to printk): with printk out of
@ branch reach this must be an error naming printk.
	.syntax unified
	.arm
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"
	.text
	.global init_module
init_module:
	bl	printk+4
	bx	lr
	.global cleanup_module
cleanup_module:
	bx	lr
