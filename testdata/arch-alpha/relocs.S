# Every relocation type our alpha target applies, in a 2.4-style module.
# Built by make.sh; AlphaLinkTest links it with insmod and GNU ld.
	.set	noreorder
	.set	noat
	.set	nomacro

	.section .modinfo,"a"
	.asciz	"kernel_version=2.4.20"
	.asciz	"license=GPL"

	.text
	.align	4
	.globl	init_module
	.ent	init_module
init_module:
	ldah	$29, 0($27)		!gpdisp!1
	lda	$29, 0($29)		!gpdisp!1
	# LITERAL + LITUSE + HINT: a call through the GOT to a kernel function
	ldq	$27, ext_func($29)	!literal!2
	jsr	$26, ($27), ext_func	!lituse_jsr!2
	ldah	$29, 0($26)		!gpdisp!3
	lda	$29, 0($29)		!gpdisp!3
	# LITERAL of the same symbol twice (one GOT entry), and with another addend
	ldq	$1, ext_var($29)	!literal
	ldq	$2, ext_var($29)	!literal
	ldq	$3, ext_var+8($29)	!literal
	ldq	$4, mod_global($29)	!literal
	# GP-relative data access
	lda	$5, small_data($29)	!gprel
	ldah	$6, small_data+16($29)	!gprelhigh
	lda	$6, small_data+16($6)	!gprellow
	# branches within the module
	bsr	$26, local_func
	br	$31, cleanup_module
	.end	init_module

	.ent	local_func
local_func:
	ret	$31, ($26), 1
	.end	local_func

	.globl	cleanup_module
	.ent	cleanup_module
cleanup_module:
	ret	$31, ($26), 1
	.end	cleanup_module

	.data
	.align	3
	.quad	ext_var			# REFQUAD kernel symbol
	.quad	ext_func + 0x10		# REFQUAD with addend
	.quad	local_func		# REFQUAD to a local
	.long	small_abs		# REFLONG
	.gprel32 small_data + 4		# GPREL32
	.quad	local_func - .		# SREL64
	.long	cleanup_module - .	# SREL32
	.long	0

	.section .sdata,"aw"
	.align	3
small_data:
	.quad	1, 2, 3
	.globl	mod_global
mod_global:
	.quad	4
