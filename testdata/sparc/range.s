# A branch (WDISP22, +-8 MiB) to a kernel function: out of range for a module loaded at
# 0x10000000 when printk is at 0xf0018f20. The original truncated it silently.
	.section .modinfo,"a",@progbits
	.asciz	"kernel_version=2.4.27"
	.asciz	"license=GPL"
	.section .text,"ax",@progbits
	.globl	init_module
init_module:
	.reloc	., R_SPARC_WDISP22, printk
	.word	0x10800000	! ba printk
	 nop
	retl
	 nop
