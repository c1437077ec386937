# A direct branch to a kernel function 4 MiB or more away (BRADDR overflow) and a
# same-GP branch (BRSGP, which 2.4 modules cannot use): both are errors naming the symbol.
	.set	noreorder
	.section .modinfo,"a"
	.asciz	"kernel_version=2.4.20"
	.asciz	"license=GPL"
	.text
	.globl	init_module
	.ent	init_module
init_module:
	bsr	$26, ext_func
	bsr	$26, cleanup_module	!samegp
	ret	$31, ($26), 1
	.end	init_module
	.globl	cleanup_module
	.ent	cleanup_module
cleanup_module:
	ret	$31, ($26), 1
	.end	cleanup_module
