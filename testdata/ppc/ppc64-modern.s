# The ELFv1 style of today's assemblers: no dot symbols, calls name the descriptor. A call to
# a kernel function must go through a stub; a call to a function of the module must land on
# the code its .opd descriptor points at.
	.section .modinfo,"a"
	.string "kernel_version=2.4.27"
	.string "license=GPL"

	.section .opd,"aw"
	.align	3
	.globl	init_module
init_module:
	.quad	.L.init_module,.TOC.@tocbase,0
	.globl	helper
helper:
	.quad	.L.helper,.TOC.@tocbase,0

	.text
.L.init_module:
	mflr	0
	std	0,16(1)
	stdu	1,-112(1)
	bl	kfunc
	nop
	bl	helper
	nop
	addi	1,1,112
	ld	0,16(1)
	mtlr	0
	blr
.L.helper:
	li	3,0
	blr
