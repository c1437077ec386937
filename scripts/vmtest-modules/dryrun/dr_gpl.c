// SPDX-License-Identifier: GPL-2.0
/*
 * Dry-run test module: calls a GPL-only export (synchronize_rcu). It is built with a
 * GPL-compatible license so that modpost lets it through; the test then edits the license in
 * .modinfo to "Proprietary", which is what the kernel judges.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/rcupdate.h>

static int __init dr_gpl_init(void)
{
	synchronize_rcu();
	return 0;
}

static void __exit dr_gpl_exit(void)
{
}

module_init(dr_gpl_init);
module_exit(dr_gpl_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("insmod -n test: a GPL-only symbol in a module the test makes proprietary");
