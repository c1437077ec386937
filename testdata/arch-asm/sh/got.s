! SH PIC relocations: GOT32, GOTOFF and GOTPC. The original looked for them in SHT_REL sections
! only, never made the .got and crashed; checked by meaning (GNU ld builds its own GOT).
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"
	.text
	.global init_module
init_module:
	rts
	nop
	.global cleanup_module
cleanup_module:
	rts
	nop
	.section .rodata
	.align 2
gotpc:	.long	_GLOBAL_OFFSET_TABLE_	! R_SH_GOTPC
got1:	.long	printk@GOT		! R_SH_GOT32
got2:	.long	kfree@GOT
got3:	.long	printk@GOT
gotoff:	.long	counter@GOTOFF		! R_SH_GOTOFF
	.data
	.long	5
counter:
	.long	1
