# sparc64 test module: every relocation type insmod links for sparc64, against a local function in
# another section, nearby data, and kernel symbols (ksyms.txt: a medlow kernel below 4 GB, a far
# symbol for the medany forms, one in the top 4 GB for HIX22/LOX10, a small constant).
# Built by build.sh; checked against GNU ld by Sparc64LinkTest.
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
	ba,pt %icc, lfunc
	 nop
	brz %o0, lfunc
	 nop
	sethi %hi(kvar), %g1
	or %g1, %lo(kvar), %g1
	ld [%g1 + %lo(kvar) + 4], %g2
	sethi %hh(kfar), %g1
	or %g1, %hm(kfar), %g1
	sethi %lm(kfar), %g2
	sethi %h44(kvar), %g1
	or %g1, %m44(kvar), %g1
	or %g1, %l44(kvar), %g1
	sethi %hix(ktop), %g1
	xor %g1, %lox(ktop), %g1
	sethi %pc22(kvar), %g1
	or %g1, %pc10(kvar), %g1
	mov ksmall, %o0
	.reloc ., R_SPARC_PC_HH22, kfar
	sethi 0, %g1
	.reloc ., R_SPARC_PC_HM10, kfar
	or %g1, 0, %g1
	.reloc ., R_SPARC_PC_LM22, kfar
	sethi 0, %g1
	.reloc ., R_SPARC_22, ksmall
	sethi 0, %g1
	.reloc ., R_SPARC_10, ksmall
	or %g1, 0, %g1
	.reloc ., R_SPARC_11, ksmall
	movrz %g1, 0, %g1
	.reloc ., R_SPARC_7, ksmall
	.word 0x91d02000
	.reloc ., R_SPARC_5, ksmall
	sll %g1, 0, %g1
	.reloc ., R_SPARC_6, ksmall
	sllx %g1, 0, %g1
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
	.align 8
	.xword kfar
	.xword lfunc - .
	.uaxword kfar
	.globl cleanup_module
	.section .text,"ax",@progbits
cleanup_module:
	retl
	 nop
	.section .data.near,"aw",@progbits
	.globl dnear
dnear:	.word 0
