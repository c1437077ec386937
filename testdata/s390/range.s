# bras (PC16DBL, +-64 KiB) to a kernel function: out of range for a module loaded at 0x10000000
# when printk is at 0x00118f20. The original truncated it silently.
	.section .modinfo,"a",@progbits
	.asciz	"kernel_version=2.4.27"
	.asciz	"license=GPL"
	.section .text,"ax",@progbits
	.globl	init_module
init_module:
	bras	%r14, printk
	br	%r14
