@ The PIC types the original handled with its .got: GOT32 (GOT_BREL), GOTOFF (GOTOFF32) and
@ GOTPC (BASE_PREL against _GLOBAL_OFFSET_TABLE_). Checked by meaning: GNU ld builds its own GOT.
	.syntax unified
	.arm
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"
	.text
	.global init_module
init_module:
	mov	r0, #0
	bx	lr
	.global cleanup_module
cleanup_module:
	bx	lr
	.section .rodata
gotpc:	.word	_GLOBAL_OFFSET_TABLE_ - .	@ R_ARM_BASE_PREL (old name GOTPC)
got1:	.word	printk(GOT)			@ R_ARM_GOT_BREL (old name GOT32)
got2:	.word	kfree(GOT)
got3:	.word	printk(GOT)			@ same symbol, same entry
gotoff:	.word	counter(GOTOFF)			@ R_ARM_GOTOFF32
	.data
counter: .word	1
