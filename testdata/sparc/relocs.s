# sparc test module (32-bit): every relocation type insmod links for sparc, against a local function in
# another section, nearby data, and kernel symbols (ksyms.txt).
# Built by build.sh; checked against GNU ld by SparcLinkTest.
	.section .modinfo,"a",@progbits
	.asciz	"kernel_version=2.4.27"
	.asciz	"license=GPL"
	.section .text.other,"ax",@progbits
	.align 4
	.globl lfunc
lfunc:	retl
	 nop
	.section .text,"ax",@progbits
	.globl init_module
init_module:
	call printk
	 nop
	ba lfunc
	 nop
	.reloc ., R_SPARC_WDISP19, lfunc
	.word 0x10480000	! ba,pt %icc
	 nop
	.reloc ., R_SPARC_WDISP16, lfunc
	.word 0x02c20000	! brz %o0
	 nop
	sethi %hi(kvar), %g1
	or %g1, %lo(kvar), %g1
	sethi %pc22(kvar), %g1
	or %g1, %pc10(kvar), %g1
	mov ksmall, %o0
	.reloc ., R_SPARC_22, ksmall
	sethi 0, %g1
	.reloc ., R_SPARC_10, ksmall
	or %g1, 0, %g1
	.reloc ., R_SPARC_11, ksmall
	.word 0x83678001	! movrz-style 10-bit immediate field
	.reloc ., R_SPARC_7, ksmall
	.word 0x91d02000
	.reloc ., R_SPARC_5, ksmall
	sll %g1, 0, %g1
	.reloc ., R_SPARC_6, ksmall
	.word 0x83287000	! sllx-style 6-bit shift count
	.reloc ., R_SPARC_WPLT30, printk
	call 0
	 nop
	! backward (negative) displacements, forced with .reloc
	.reloc ., R_SPARC_WDISP30, init_module
	call 0
	 nop
	.reloc ., R_SPARC_WDISP22, init_module
	.word 0x10800000	! ba
	 nop
	.reloc ., R_SPARC_WDISP19, init_module
	.word 0x10480000	! ba,pt %icc
	 nop
	.reloc ., R_SPARC_WDISP16, init_module
	.word 0x02c20000	! brz %o0
	 nop
	.reloc ., R_SPARC_PC22, init_module
	sethi 0, %g1
	.reloc ., R_SPARC_PC10, init_module
	or %g1, 0, %g1
	.section .data,"aw",@progbits
	.align 8
ld1:	.byte ksmall
	.byte dnear - .
	.half ksmall
	.half dnear - .
	.uahalf ksmall
	.reloc ., R_SPARC_DISP8, ld1
	.byte 0
	.reloc ., R_SPARC_DISP16, ld1
	.byte 0, 0
	.word kvar
	.word lfunc - .
	.uaword kvar
	.globl cleanup_module
	.section .text,"ax",@progbits
cleanup_module:
	retl
	 nop
	.section .data.near,"aw",@progbits
	.globl dnear
dnear:	.word 0
