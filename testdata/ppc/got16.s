# A PIC GOT reference (R_PPC_GOT16), a type the 2.4 linker never learned: refused by name.
	.section .modinfo,"a"
	.string "kernel_version=2.4.27"
	.string "license=GPL"
	.text
	.globl	init_module
init_module:
	lwz	3,kvar@got(30)
	blr
