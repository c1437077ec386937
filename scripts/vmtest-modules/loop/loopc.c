// SPDX-License-Identifier: GPL-2.0
/* depmod test: loopc stands behind the loopa/loopb cycle, and loops on itself through loopd. */
#include <linux/module.h>

int loopa_value(void);
int loopd_value(void);

int loopc_value(void)
{
	return 3;
}
EXPORT_SYMBOL(loopc_value);

static int __init loopc_init(void)
{
	return loopa_value() + loopd_value() - 5;
}
module_init(loopc_init);
MODULE_LICENSE("GPL");
