# A call (REL24) from .text to a function of the module placed more than 32 MiB away (a
# 33 MiB read-only NOBITS section lies between them in the load order; the target section is
# writable so that it is placed after it). No stub serves a call
# inside the module, so the branch cannot reach. The original reports it in obj_reloc.c's
# words, "Relocation overflow of type 10 for farfunc".
	.section .modinfo,"a"
	.string "kernel_version=2.4.27"
	.string "license=GPL"
	.section .opd,"aw"
	.align	3
	.globl	init_module
init_module:
	.quad	.init_module,.TOC.@tocbase,0
	.text
	.globl	.init_module
.init_module:
	bl	farfunc
	nop
	blr
	.section .gap,"a",@nobits
	.space	0x2100000
	.section .farcode,"aw",@progbits
	.globl	farfunc
farfunc:
	blr
