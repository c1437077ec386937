# An R_MIPS_HI16 with no R_MIPS_LO16 after it: the carry cannot be known, so it is an error
# (the original left the instruction unrelocated).
	.set	noreorder
	.section .modinfo,"a"
	.asciz	"kernel_version=2.4.20"
	.asciz	"license=GPL"
	.text
	.globl	init_module
init_module:
	.reloc	0f, R_MIPS_HI16, ext_var
0:	lui	$2, 1
	jr	$31
	nop
