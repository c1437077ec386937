! SH relocations the original applies without a GOT: DIR32 (to the kernel, to local data, with
! an addend), REL32 and PLT32.
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"
	.text
	.global init_module
init_module:
	mov.l	1f, r0
	jmp	@r0
	nop
	.align 2
1:	.long	printk			! R_SH_DIR32 to the kernel
	.long	counter			! R_SH_DIR32 to .data
	.long	counter + 8		! with an addend
	.global cleanup_module
cleanup_module:
	rts
	nop
	.align 2
	.long	printk@PLT		! R_SH_PLT32
	.section .rodata
	.long	counter - .		! R_SH_REL32 within the module
	.long	kfree - .		! R_SH_REL32 to the kernel
	.long	kfree + 0x10		! R_SH_DIR32
	.data
	.long	5
counter:
	.long	1
