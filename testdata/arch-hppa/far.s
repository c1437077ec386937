; A call that cannot reach its .stub: 512 KiB of code lie between them (PCREL17F reaches +-256 KiB).
	.section .modinfo,"a",@progbits
	.stringz "kernel_version=2.4.27"
	.stringz "license=GPL"
	.text
	.globl init_module
init_module:
	bl printk,%r2
	nop
	.block 0x80000
	bv,n %r0(%r2)
