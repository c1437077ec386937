// SPDX-License-Identifier: GPL-2.0
/* depmod/modprobe test: needs chain_base, is needed by chain_top; a soft dependency on hello. */
#include <linux/module.h>

int chain_base_value(void);

int chain_mid_value(void)
{
	return chain_base_value() + 1;
}
EXPORT_SYMBOL_GPL(chain_mid_value);

static int __init chain_mid_init(void)
{
	return 0;
}

static void __exit chain_mid_exit(void)
{
}
module_init(chain_mid_init);
module_exit(chain_mid_exit);
MODULE_SOFTDEP("pre: hello");
MODULE_ALIAS("chain-middle");
MODULE_LICENSE("GPL");
