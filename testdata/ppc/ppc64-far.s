# A conditional branch (REL14) to a kernel function: no stub serves it, so insmod must refuse
# it naming the symbol.
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
	beq	0,.kfunc
	blr
