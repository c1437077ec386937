@ ARM relocations today's gas emits (EABI) that the 2.4 insmod never learned, plus the old ones.
	.syntax unified
	.arm
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"

	.text
	.global init_module
	.type init_module,%function
init_module:
	.fnstart
	push	{r4, lr}
	bl	printk			@ R_ARM_CALL to the kernel
	blne	printk			@ conditional: R_ARM_JUMP24
	bl	helper			@ R_ARM_CALL against .text.unlikely + addend
	bl	tfunc			@ R_ARM_CALL to Thumb code: becomes BLX
	.reloc	., R_ARM_PC24, kfree	@ the old type, as 2.4-era gas wrote it:
	.inst	0xebfffffe		@ bl kfree
	movw	r0, #:lower16:counter	@ R_ARM_MOVW_ABS_NC
	movt	r0, #:upper16:counter	@ R_ARM_MOVT_ABS
	movw	r1, #:lower16:printk	@ kernel symbol, high half non-zero
	movt	r1, #:upper16:printk
	movw	r2, #:lower16:(counter - .)	@ R_ARM_MOVW_PREL_NC
	movt	r2, #:upper16:(counter - .)	@ R_ARM_MOVT_PREL
	pop	{r4, lr}
	b	kfree			@ R_ARM_JUMP24
	.fnend
	.size init_module, . - init_module

	.global cleanup_module
	.type cleanup_module,%function
cleanup_module:
	.fnstart
	bx	lr
	.fnend

	.section .rodata
	.word	printk			@ R_ARM_ABS32
	.word	printk(TARGET1)		@ R_ARM_TARGET1
	.word	counter - .		@ R_ARM_REL32 against .data
	.word	kfree - .		@ R_ARM_REL32 to the kernel
	.word	counter + 12		@ ABS32 with an addend in place

	.section .text.unlikely,"ax",%progbits
	.word	0, 0, 0
helper:
	.fnstart
	b	printk			@ R_ARM_JUMP24 from a second code section
	.fnend

	.section .text.thumb,"ax",%progbits
	.thumb
	.global	tfunc
	.type	tfunc,%function
	.thumb_func
	nop
tfunc:
	bx	lr
	.arm

	.data
	.word	7
counter:
	.word	1
