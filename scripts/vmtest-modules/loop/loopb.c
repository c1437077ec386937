// SPDX-License-Identifier: GPL-2.0
/* depmod test: loopb needs loopa_value, loopa needs loopb_value. */
#include <linux/module.h>

int loopa_value(void);

int loopb_value(void)
{
	return 2;
}
EXPORT_SYMBOL(loopb_value);

static int __init loopb_init(void)
{
	return loopa_value() - 1;
}
module_init(loopb_init);
MODULE_LICENSE("GPL");
