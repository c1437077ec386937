| m68k: absolute and pc-relative fields of 8, 16 and 32 bits, RELATIVE-free; plus PLT32.
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"
	.text
	.global init_module
init_module:
	jsr	printk			| R_68K_32
	bsr.l	kfree@PLTPC		| R_68K_PLT32
	move.l	#counter, %d0		| R_68K_32 to .data
	lea	(counter+4,%pc), %a0	| R_68K_PC32 to .data (68020 displacement)
	rts
	.global cleanup_module
cleanup_module:
	rts
	.byte	rodata_start - .	| R_68K_PC8 to the .rodata that follows
	.even
	.section .rodata
rodata_start:
	.long	printk			| R_68K_32
	.long	counter - .		| R_68K_PC32
	.long	kfree - .		| R_68K_PC32 to the kernel
	.word	tiny16			| R_68K_16 (a small absolute)
	.byte	tiny8			| R_68K_8
	.byte	0
	.word	counter - .		| R_68K_PC16
	.data
counter:
	.long	1
