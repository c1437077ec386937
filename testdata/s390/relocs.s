# S/390 31-bit test module: every relocation type insmod links for s390, against a local
# function in another section, local data, and kernel symbols (testdata/s390/ksyms31.txt).
# Built by build.sh; checked against GNU ld by S390LinkTest.
	.section .modinfo,"a",@progbits
	.asciz	"kernel_version=2.4.27"
	.asciz	"license=GPL"

	.section .text.other,"ax",@progbits
	.align	4
	.globl	lfunc
lfunc:	br	%r14
	.align	4
llocal:	br	%r14

	.section .text,"ax",@progbits
	.align	4
	.globl	init_module
init_module:
	bras	%r14, lfunc			# PC16DBL
	bras	%r14, llocal@PLT		# PLT16DBL (local symbol)
	brasl	%r14, printk@PLT		# PLT32DBL (kernel)
	brasl	%r14, lfunc@PLT			# PLT32DBL (module)
	brasl	%r14, lfunc			# PC32DBL
	larl	%r1, kvar			# PC32DBL (kernel)
	larl	%r1, kfar+8			# PC32DBL with addend
	larl	%r1, kvar@GOTENT		# GOTENT
	larl	%r1, ldata@GOTENT		# GOTENT (local data)
	larl	%r12, _GLOBAL_OFFSET_TABLE_	# GOTPCDBL
	l	%r1, kvar@GOT(%r12)		# GOT12
	l	%r1, printk@GOT(%r12)		# GOT12, a second slot
	lhi	%r1, ldata@GOT			# GOT16
	.short	0xe310
	.reloc	., R_390_GOT20, kfar
	.long	0xc0000058			# GOT20 (ly %r1,kfar@GOT(%r12))
	.short	0x5810
	.reloc	., R_390_GOTPLT12, printk
	.short	0xc000				# GOTPLT12 (l %r1,printk@GOTPLT(%r12))
	.short	0xc01d
	.reloc	., R_390_GOTPLTENT, lfunc+2
	.long	0				# GOTPLTENT (lrl %r1,lfunc@GOTPLTENT)
	br	%r14
	.align	4
.LT0:
	.long	_GLOBAL_OFFSET_TABLE_-.LT0	# GOTPC
	.long	printk@PLT-.LT0			# PLT32 with addend
	.long	lfunc@PLT			# PLT32
	.long	kvar@GOT			# GOT32
	.long	ldata@GOTOFF			# GOTOFF32
	.long	ldata@GOTOFF+4			# GOTOFF32 with addend
	.short	ldata@GOTOFF			# GOTOFF16
	.short	0
	.long	kfar - .			# PC32
	.long	lfunc - .			# PC32
	.reloc	., R_390_PC16, lfunc+2
	.short	0				# PC16
	.reloc	., R_390_12, ksmall
	.short	0x1000				# 12
	.short	0xe310
	.reloc	., R_390_20, ksmall
	.long	0x00000058			# 20 (ly %r1,ksmall)
	.reloc	., R_390_GOTPLT32, kvar
	.long	0				# GOTPLT32
	.reloc	., R_390_GOTPLT16, kfar
	.short	0				# GOTPLT16
	.short	0
	.reloc	., R_390_GLOB_DAT, kvar
	.long	0				# GLOB_DAT
	.reloc	., R_390_JMP_SLOT, printk
	.long	0				# JMP_SLOT

	.globl	cleanup_module
cleanup_module:
	br	%r14

	.section .data,"aw",@progbits
	.align	4
ldata:	.long	kvar				# 32
	.long	kfar+0x10			# 32 with addend
	.long	init_module			# 32 (module)
	.short	ksmall				# 16
	.byte	ksmall				# 8
	.byte	ksmall+1			# 8 with addend
	.reloc	., R_390_RELATIVE, 0x40
	.long	0				# RELATIVE (not compared with ld)
