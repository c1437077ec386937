// SPDX-License-Identifier: GPL-2.0
/* depmod/modprobe test: the top of the stack; needs chain-mid and chain_base. */
#include <linux/module.h>

int chain_base_value(void);
int chain_mid_value(void);

static int __init chain_top_init(void)
{
	return chain_mid_value() + chain_base_value() - 3;
}

static void __exit chain_top_exit(void)
{
}
module_init(chain_top_init);
module_exit(chain_top_exit);
MODULE_ALIAS("pci:v00001234d0000ABCDsv*sd*bc*sc*i*");
MODULE_ALIAS("chain[-_]top-alias");
MODULE_LICENSE("GPL");
