# Relocation types insmod refuses on s390 31-bit (it must name them, not crash).
	.section .modinfo,"a",@progbits
	.asciz	"kernel_version=2.4.27"
	.asciz	"license=GPL"
	.section .text,"ax",@progbits
	.globl	init_module
init_module:
	.globl	lfunc
lfunc:	br	%r14
	.short	0xc7f0
	.reloc	., R_390_PC24DBL, lfunc
	.long	0
	.reloc	., R_390_TLS_LE32, kvar
	.long	0
