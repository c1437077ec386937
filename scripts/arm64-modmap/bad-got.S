/* a GOT-relative load (R_AARCH64_ADR_GOT_PAGE, LD64_GOT_LO12_NC), which the arm64 kernel refuses */
	.text
	.globl	bad_got
bad_got:
	adrp	x0, :got:ext_func
	ldr	x0, [x0, #:got_lo12:ext_func]
	ret
