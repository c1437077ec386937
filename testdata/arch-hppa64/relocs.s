; Every relocation type modutils 2.4's obj_hppa64.c handles, in a module-shaped object.
; Kernel symbols (ksyms.txt): printk (a function: its descriptor), jiffies (data) and the
; millicode routine $$divU.
	.LEVEL 2.0w
	.section .modinfo,"a",@progbits
	.stringz "kernel_version=2.4.27"
	.stringz "license=GPL"

	.data
	.align 8
	.globl counter
counter:	.dword 0x1122334455667788
table:		.dword 0
	.globl ptrs
ptrs:
	.dword jiffies			; DIR64
	.dword counter+8		; DIR64 local
	.dword P%helper			; FPTR64 local
	.dword P%printk			; FPTR64 kernel
	.dword P%helper2		; FPTR64 a second local function

	.text
	.align 8
	.globl init_module
	.type init_module,@function
init_module:
	.PROC
	.CALLINFO FRAME=0,NO_CALLS
	.ENTRY
	addil LT'jiffies,%r27		; LTOFF21L
	ldo RT'jiffies(%r1),%r3		; LTOFF14R
	addil LT'counter,%r27		; LTOFF21L
	ldo RT'counter(%r1),%r4		; LTOFF14R
	b,l helper,%r2			; PCREL22F local, in range
	nop
	b,l printk,%r2			; PCREL22F kernel (stub through the .got)
	nop
	b,l printk,%r2			; the same stub again
	nop
	b,l $$divU,%r2			; PCREL22F millicode (stub that keeps dp)
	nop
	bve,n (%r2)
	.EXIT
	.PROCEND

	.globl cleanup_module
	.type cleanup_module,@function
cleanup_module:
	.PROC
	.CALLINFO FRAME=0,NO_CALLS
	.ENTRY
	bve,n (%r2)
	.EXIT
	.PROCEND

	.globl helper
	.type helper,@function
helper:
	.PROC
	.CALLINFO FRAME=0,NO_CALLS
	.ENTRY
	bve,n (%r2)
	.EXIT
	.PROCEND

	.type helper2,@function
helper2:
	.PROC
	.CALLINFO FRAME=0,NO_CALLS
	.ENTRY
	bve,n (%r2)
	.EXIT
	.PROCEND
