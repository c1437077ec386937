! A pc-relative call to the kernel (R_SH_IND12W), a type the original never learned: it must be
! refused with its name.
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"
	.text
	.global init_module
init_module:
	.reloc	., R_SH_IND12W, printk
	.word	0xb000			! bsr printk
	nop
	rts
	nop
	.global cleanup_module
cleanup_module:
	rts
	nop
