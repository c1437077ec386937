# Every relocation type the ppc target applies, for PpcLinkTest (GNU ld links the same object
# at the addresses of our load map and the relocated bytes must agree).
	.section .modinfo,"a"
	.string "kernel_version=2.4.27"
	.string "license=GPL"

	.text
	.globl	init_module
	.type	init_module,@function
init_module:
	lis	3,kvar@ha		# R_PPC_ADDR16_HA
	addi	3,3,kvar@l		# R_PPC_ADDR16_LO
	lis	4,data_word@h		# R_PPC_ADDR16_HI
	ori	4,4,data_word@l		# R_PPC_ADDR16_LO
	lis	5,(data_word+0x9000)@ha	# R_PPC_ADDR16_HA with an addend
	li	6,ksmall		# R_PPC_ADDR16
	bl	kfunc			# R_PPC_REL24, near kernel function
	nop
	bl	kfunc+8			# R_PPC_REL24, another addend
	bl	helper			# R_PPC_REL24 to another section
	bl	helper			# the same target again
	beq	0,helper		# R_PPC_REL14
	beq+	0,helper		# R_PPC_REL14_BRTAKEN
	beq-	0,helper		# R_PPC_REL14_BRNTAKEN
	bla	kabs			# R_PPC_ADDR24
	beqa	0,kabs			# R_PPC_ADDR14
1:	addis	7,7,(data_word-1b)@ha	# R_PPC_REL16_HA
	addi	7,7,(data_word-1b+4)@l	# R_PPC_REL16_LO
	addis	8,8,(data_word-1b)@h	# R_PPC_REL16_HI
	li	3,0
	blr

	.section .text.helper,"ax",@progbits
	.globl	helper
helper:
	blr
	.globl	cleanup_module
cleanup_module:
	b	kfunc			# R_PPC_REL24 (a tail call)

	.data
	.globl	data_word
data_word:
	.long	kvar			# R_PPC_ADDR32
	.long	kvar+0x10		# R_PPC_ADDR32 with an addend
	.long	kfunc-.			# R_PPC_REL32
	.long	helper			# R_PPC_ADDR32 to a module symbol
	.short	ksmall			# R_PPC_ADDR16
	.short	0
	.byte 0
	.4byte	init_module		# R_PPC_UADDR32 (unaligned)
	.byte 0,0,0
	.long	0
