| A 16-bit pc-relative reference to a kernel symbol far away: the original reports a
| relocation overflow, and so must we (naming the symbol).
	.section .modinfo,"a"
	.asciz "kernel_version=2.4.27"
	.asciz "license=GPL"
	.text
	.global init_module
init_module:
	lea	(printk,%pc), %a0	| R_68K_PC16
	rts
	.global cleanup_module
cleanup_module:
	rts
