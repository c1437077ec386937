// SPDX-License-Identifier: GPL-2.0
/* depmod test: loopd and loopc need each other (a second cycle). */
#include <linux/module.h>

int loopc_value(void);

int loopd_value(void)
{
	return 4;
}
EXPORT_SYMBOL(loopd_value);

static int __init loopd_init(void)
{
	return loopc_value() - 3;
}
module_init(loopd_init);
MODULE_LICENSE("GPL");
