# Every relocation type the ppc64 target applies, in the old dot-symbol ELFv1 style of 2.4
# kernels, for Ppc64LinkTest (GNU ld links the same object at the addresses of our load map).
	.section .modinfo,"a"
	.string "kernel_version=2.4.27"
	.string "license=GPL"

	.section .opd,"aw"
	.align	3
	.globl	init_module
init_module:
	.quad	.init_module,.TOC.@tocbase,0	# R_PPC64_ADDR64, R_PPC64_TOC
	.globl	helper
helper:
	.quad	.helper,.TOC.@tocbase,0

	.section .toc,"aw"
.LC0:	.tc	kvar[TC],kvar			# R_PPC64_ADDR64 against a kernel symbol
.LC1:	.tc	data_word[TC],data_word

	.text
	.globl	.init_module
.init_module:
	mflr	0
	std	0,16(1)
	stdu	1,-112(1)
	ld	3,.LC0@toc(2)			# R_PPC64_TOC16_DS
	ld	4,.LC1@toc(2)
	addi	5,2,.LC1@toc			# R_PPC64_TOC16
	addis	6,2,.LC1@toc@ha			# R_PPC64_TOC16_HA
	addi	6,6,.LC1@toc@l			# R_PPC64_TOC16_LO
	ld	6,.LC1@toc@l(6)			# R_PPC64_TOC16_LO_DS
	addis	6,2,.LC1@toc@h			# R_PPC64_TOC16_HI
	bl	.kfunc				# R_PPC64_REL24 through a stub
	nop
	bl	.kfunc				# the same stub again
	nop
	bl	.kother				# a second stub
	nop
	bl	.helper				# R_PPC64_REL24 inside the module
	nop
	beq	0,.helper			# R_PPC64_REL14
	lis	7,data_word@highest		# R_PPC64_ADDR16_HIGHEST
	ori	7,7,data_word@higher		# R_PPC64_ADDR16_HIGHER
	lis	7,data_word@highesta		# R_PPC64_ADDR16_HIGHESTA
	ori	7,7,data_word@highera		# R_PPC64_ADDR16_HIGHERA
	lis	7,data_word@ha			# R_PPC64_ADDR16_HA
	lis	7,data_word@h			# R_PPC64_ADDR16_HI
	ori	7,7,data_word@l			# R_PPC64_ADDR16_LO
	ld	7,data_word@l(7)		# R_PPC64_ADDR16_LO_DS
	li	8,ksmall			# R_PPC64_ADDR16
	li	3,0
	addi	1,1,112
	ld	0,16(1)
	mtlr	0
	blr

	.section .text.helper,"ax",@progbits
	.globl	.helper
.helper:
	blr

	.data
	.align	3
	.globl	data_word
data_word:
	.quad	kvar				# R_PPC64_ADDR64
	.quad	data_word+8			# R_PPC64_ADDR64 inside the module
	.quad	kvar-.				# R_PPC64_REL64
	.long	kvar32				# R_PPC64_ADDR32
	.long	.helper-.			# R_PPC64_REL32
	.short	ksmall				# R_PPC64_ADDR16
	.short	0
	.long	0
