/* The relocations the kernel handles that gcc emits only from assembly: every MOVW group,
 * ABS32/16, PREL64/32/16, ADR_PREL_LO21, LD_PREL_LO19, ADR_PREL_PG_HI21_NC,
 * LDST128_ABS_LO12_NC, TSTBR14 and CONDBR19 across sections. */
	.text
	.globl	insns
insns:
	movz	x0, #:abs_g3:data_sym
	movk	x0, #:abs_g2_nc:data_sym
	movk	x0, #:abs_g1_nc:data_sym
	movk	x0, #:abs_g0_nc:data_sym
	movz	x1, #:abs_g0:ext_small
	movz	x1, #:abs_g1:ext_small
	movz	x1, #:abs_g2:ext_small
	movz	x2, #:abs_g0_s:ext_small
	movz	x2, #:abs_g1_s:ext_neg
	movz	x2, #:abs_g2_s:ext_neg
	movz	x3, #:prel_g0:near_label
	movz	x3, #:prel_g1:near_label
	movz	x3, #:prel_g2:data_sym
	movz	x3, #:prel_g3:data_sym
	movk	x3, #:prel_g0_nc:data_sym
	movk	x3, #:prel_g1_nc:data_sym
	movk	x3, #:prel_g2_nc:data_sym
	adr	x4, other_text
	ldr	x5, lit
	ldr	w6, lit
	adrp	x7, :pg_hi21_nc:data_sym
	adrp	x8, data_sym
	ldr	q0, [x8, #:lo12:q_sym]
	ldrb	w10, [x8, #:lo12:data_sym2]
	ldrh	w10, [x8, #:lo12:data_sym2]
	ldr	w10, [x8, #:lo12:data_sym2]
	ldr	x10, [x8, #:lo12:data_sym2]
	add	x10, x8, #:lo12:data_sym2
	tbz	x0, #3, other_text
	tbnz	w1, #0, other_text
	b.ne	other_text
	cbz	x2, other_text
	ldr	x9, far_lit_sec
	b	insns_ret
lit:	.quad	0x1122334455667788
near_label:
insns_ret:
	ret

	.section .text.unlikely, "ax"
other_text:
	bl	ext_func
	b	insns

	.section .rodata.insns, "a"
	.align	3
	.quad	data_sym
	.quad	ext_func + 0x10
	.word	ext_small
	.word	ext_small + 0x100
	.hword	ext_small
	.hword	ext_small + 2
	.align	3
	.quad	ext_func - .
	.word	data_sym - .
	.word	ext_func - .
	.hword	near_label - .
	.hword	other_text - .

	.data
	.align	4
data_sym:	.quad 1
data_sym2:	.quad 2
q_sym:	.quad 3, 4
	.section .rodata.lit, "a"
	.align 3
far_lit_sec:	.quad 5
