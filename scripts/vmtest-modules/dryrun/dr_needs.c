// SPDX-License-Identifier: GPL-2.0
/* Dry-run test module: needs crc_itu_t, which the crc-itu-t module exports (not loaded at boot). */
#include <linux/crc-itu-t.h>
#include <linux/init.h>
#include <linux/module.h>

static int __init dr_needs_init(void)
{
	static const u8 data[] = { 1, 2, 3 };

	pr_info("dr_needs: crc %04x\n", crc_itu_t(0, data, sizeof(data)));
	return 0;
}

static void __exit dr_needs_exit(void)
{
}

module_init(dr_needs_init);
module_exit(dr_needs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("insmod -n test: needs a symbol of a module that is not loaded");
