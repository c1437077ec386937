// A module-shaped object with a relocation the 2.4 linker never handled (TLS: @tprel).
	.section .modinfo,"a",@progbits
	.string "kernel_version=2.4.27"
	.string "license=GPL"
	.section .tbss,"awT",@nobits
	.align 8
tvar:	.skip 8
	.data
	.align 8
	.global tref
tref:	data8 @tprel(tvar)
