# A module with a __ftr_fixup section: __archdata must hold its start and end address.
	.section .modinfo,"a"
	.string "kernel_version=2.4.27"
	.string "license=GPL"
	.text
	.globl	init_module
init_module:
	li	3,0
	blr
	.section __ftr_fixup,"a"
	.align	2
	.long	1,2,3,4,5,6
