# A conditional branch (REL14, +/-32 KiB) to a kernel function: no stub can help, so insmod
# must refuse it naming the symbol instead of writing a truncated displacement.
	.section .modinfo,"a"
	.string "kernel_version=2.4.27"
	.string "license=GPL"
	.text
	.globl	init_module
init_module:
	beq	0,kfunc
	blr
