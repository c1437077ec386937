# A call to a static function through its descriptor: `helper` is local, so the assembler
# writes the REL24 against the .opd section symbol plus the descriptor's offset (0x18). The
# branch must land on the code that descriptor points at, not on the descriptor data.
	.section .modinfo,"a"
	.string "kernel_version=2.4.27"
	.string "license=GPL"

	.section .opd,"aw"
	.align	3
	.globl	init_module
init_module:
	.quad	.L.init_module,.TOC.@tocbase,0
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
