// SPDX-License-Identifier: GPL-2.0
/* depmod/modprobe test: the bottom of a three-module stack, with a device node alias. */
#include <linux/module.h>

int chain_base_value(void)
{
	return 1;
}
EXPORT_SYMBOL(chain_base_value);

static int __init chain_base_init(void)
{
	return 0;
}

static void __exit chain_base_exit(void)
{
}
module_init(chain_base_init);
module_exit(chain_base_exit);
MODULE_ALIAS("char-major-10-250");
MODULE_ALIAS("devname:chainbase");
MODULE_LICENSE("GPL");
