// Every relocation type modutils 2.4's obj_ia64.c handles, in a module-shaped object.
// Kernel symbols (ksyms.txt): printk (a function: its descriptor), jiffies (data),
// small_abs (a small absolute value for the short immediates).
	.section .modinfo,"a",@progbits
	.string "kernel_version=2.4.27"
	.string "license=GPL"

	.data
	.align 8
	.global counter
counter:	data8 0x1122334455667788
table:		data8 0
	.global ptrs
ptrs:
	data4 counter			// DIR32LSB
	data4 @gprel(table)		// GPREL32LSB
	data8 jiffies			// DIR64LSB
	data8 counter+8			// DIR64LSB local
	data8 @gprel(counter)		// GPREL64LSB
	data8 @fptr(helper)		// FPTR64LSB local
	data8 @fptr(printk)		// FPTR64LSB kernel
	data4 @fptr(helper)		// FPTR32LSB
	data8 @fptr(helper3)		// FPTR64LSB, a second local function (same section symbol)
	data4 @pcrel(table)		// PCREL32LSB
	data8 @pcrel(jiffies)		// PCREL64LSB
	data8 @ltoff(@fptr(helper))	// LTOFF_FPTR64LSB
	data4 @ltoff(@fptr(helper))	// LTOFF_FPTR32LSB
	data8 @pltoff(helper)		// PLTOFF64LSB
	data4 @segrel(helper)		// SEGREL32LSB
	data8 @segrel(table)		// SEGREL64LSB
	data4 @secrel(table)		// SECREL32LSB
	data8 @secrel(counter)		// SECREL64LSB

	.text
	.align 16
	.global init_module
	.proc init_module
init_module:
	.mii
	{
	  adds r2 = small_abs, r0		// IMM14
	  addl r3 = small_abs, r0		// IMM22
	  nop.i 0 ;; }
	.mlx
	{
	  nop.m 0
	  movl r14 = jiffies ;; }		// IMM64
	.mii
	{
	  addl r15 = @gprel(counter), gp	// GPREL22
	  addl r16 = @ltoff(jiffies), gp	// LTOFF22
	  addl r17 = @ltoff(counter+8), gp ;; }	// LTOFF22 with addend
	.mlx
	{
	  nop.m 0
	  movl r18 = @gprel(table) ;; }		// GPREL64I
	.mlx
	{
	  nop.m 0
	  movl r19 = @ltoff(counter) ;; }	// LTOFF64I
	.mmi
	{
	  addl r20 = @ltoffx(jiffies), gp ;;	// LTOFF22X
	  ld8.mov r21 = [r20], jiffies		// LDXMOV
	  nop.i 0 ;; }
	.mlx
	{
	  nop.m 0
	  movl r22 = @fptr(helper) ;; }		// FPTR64I
	.mii
	{
	  addl r23 = @ltoff(@fptr(helper)), gp	// LTOFF_FPTR22
	  addl r24 = @ltoff(@fptr(printk)), gp	// LTOFF_FPTR22 kernel
	  nop.i 0 ;; }
	.mlx
	{
	  nop.m 0
	  movl r25 = @ltoff(@fptr(helper)) ;; }	// LTOFF_FPTR64I
	.mii
	{
	  addl r26 = @pltoff(helper), gp	// PLTOFF22
	  nop.i 0
	  nop.i 0 ;; }
	.mlx
	{
	  nop.m 0
	  movl r27 = @pltoff(helper) ;; }	// PLTOFF64I
	.mib
	{
	  nop.m 0
	  nop.i 0
	  br.call.sptk.many b0 = helper ;; }	// PCREL21B local
	.mib
	{
	  nop.m 0
	  nop.i 0
	  br.call.sptk.many b0 = printk ;; }	// PCREL21B kernel (through .plt)
	.mib
	{
	  nop.m 0
	  nop.i 0
	  br.call.sptk.many b0 = printk ;; }	// the same stub again
	.mib
	{
	  nop.m 0
	  nop.i 0
	  br.call.sptk.many b0 = helper2 ;; }	// PCREL21B to a global in another section
	.mmi
	{
	  chk.s.m r2, recover2			// PCREL21M
	  nop.m 0
	  nop.i 0 ;; }
	.mfi
	{
	  nop.m 0
	  fchkf.s0 recover2			// PCREL21F
	  nop.i 0 ;; }
recover:
	.mib
	{
	  nop.m 0
	  nop.i 0
	  br.ret.sptk.many b0 ;; }
	.endp init_module

	.global cleanup_module
	.proc cleanup_module
cleanup_module:
	.mib
	{
	  nop.m 0
	  nop.i 0
	  br.ret.sptk.many b0 ;; }
	.endp cleanup_module

	.proc helper
helper:
	.mib
	{
	  nop.m 0
	  nop.i 0
	  br.ret.sptk.many b0 ;; }
	.endp helper

	.proc helper3
helper3:
	.mib
	{
	  nop.m 0
	  nop.i 0
	  br.ret.sptk.many b0 ;; }
	.endp helper3

	.section .text.other,"ax",@progbits
	.align 16
	.global helper2
	.proc helper2
helper2:
recover2:
	.mib
	{
	  nop.m 0
	  nop.i 0
	  br.ret.sptk.many b0 ;; }
	.endp helper2
