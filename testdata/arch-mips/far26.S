# A jal to a kernel function 256 MiB regions away: R_MIPS_26 cannot reach it.
	.set	noreorder
	.section .modinfo,"a"
	.asciz	"kernel_version=2.4.20"
	.asciz	"license=GPL"
	.text
	.globl	init_module
init_module:
	jal	ext_func
	nop
	jr	$31
	nop
