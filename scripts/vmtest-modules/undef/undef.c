// SPDX-License-Identifier: GPL-2.0
/* Test module for insmod's "unknown symbol" diagnostics: it calls a function no kernel exports. */
#include <linux/init.h>
#include <linux/module.h>

extern int insmod_vmtest_no_such_symbol(int);

static int __init undef_init(void)
{
	return insmod_vmtest_no_such_symbol(1);
}

static void __exit undef_exit(void)
{
}

module_init(undef_init);
module_exit(undef_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("references an undefined symbol on purpose");
