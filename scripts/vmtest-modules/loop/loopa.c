// SPDX-License-Identifier: GPL-2.0
/* depmod test: loopa and loopb need each other's symbol (a dependency cycle). */
#include <linux/module.h>

int loopb_value(void);

int loopa_value(void)
{
	return 1;
}
EXPORT_SYMBOL(loopa_value);

static int __init loopa_init(void)
{
	return loopb_value() - 2;
}
module_init(loopa_init);
MODULE_LICENSE("GPL");
