# Every relocation type our MIPS target applies, in a 2.4-style module (non-PIC, -G 0).
# Built by make.sh for big and little endian; MipsLinkTest links it with insmod and GNU ld.
	.set	noreorder
	.set	noat

	.section .modinfo,"a"
	.asciz	"kernel_version=2.4.20"
	.asciz	"license=GPL"

	.text
	.globl	init_module
	.ent	init_module
init_module:
	# R_MIPS_HI16 x2 sharing one R_MIPS_LO16, against a kernel symbol
	lui	$2, %hi(ext_var)
	lui	$3, %hi(ext_var)
	addiu	$2, $2, %lo(ext_var)
	# HI16/LO16 against a section symbol, with a carry from the low half
	lui	$4, %hi(local_data + 0x8ff0)
	lw	$4, %lo(local_data + 0x8ff0)($4)
	# negative low half
	lui	$5, %hi(local_data + 0x17ffc)
	addiu	$5, $5, %lo(local_data + 0x17ffc)
	# HI16/LO16 against a global of this module
	lui	$6, %hi(mod_global + 4)
	sw	$0, %lo(mod_global + 4)($6)
	# long call to a kernel function
	lui	$25, %hi(ext_func)
	addiu	$25, $25, %lo(ext_func)
	jalr	$25
	nop
	# R_MIPS_26 to a local function and to a global one
	jal	local_func
	nop
	jal	cleanup_module + 8
	nop
	# R_MIPS_PC16 to a function in another section
	bal	other_func
	nop
	beq	$2, $3, other_func + 4
	nop
	jr	$31
	move	$2, $0
	.end	init_module

local_func:
	jr	$31
	nop

	.globl	cleanup_module
cleanup_module:
	jr	$31
	nop
	nop
	nop

	.section .text.other,"ax",@progbits
	.globl	other_func
other_func:
	jr	$31
	nop

	.data
	.align	4
local_data:
	.word	ext_var			# R_MIPS_32 kernel symbol
	.word	ext_func + 0x10		# R_MIPS_32 with addend
	.word	local_func		# R_MIPS_32 section symbol
	.word	mod_global		# R_MIPS_32 global
	.word	other_func - .		# R_MIPS_PC32
	.reloc	., R_MIPS_16, small_abs	# R_MIPS_16 (the low half of a word)
	.word	0x7fff0004
	.globl	mod_global
mod_global:
	.word	0, 0
