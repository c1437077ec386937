# A GP-relative access: 2.4 modules have no GP, so insmod refuses it by name.
	.section .modinfo,"a"
	.asciz	"kernel_version=2.4.20"
	.asciz	"license=GPL"
	.text
	.globl	init_module
init_module:
	lw	$2, %gp_rel(ext_var)($28)
	jr	$31
	nop
