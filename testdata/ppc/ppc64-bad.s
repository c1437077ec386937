# A GOT reference (R_PPC64_GOT16_DS), which the 2.4 linker never learned: refused by name.
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
	ld	3,kvar@got(2)
	blr
