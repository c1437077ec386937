// SPDX-License-Identifier: GPL-2.0
/*
 * Dry-run test module: loads cleanly and declares a parameter of each kind the kernel parses
 * (int, ushort, bool, charp, a string of at most 7 characters, an array of at most 4 ints).
 * scripts/vm-dryrun-test.sh alters copies of it (vermagic, a CRC, the ELF machine, truncation).
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int count = 1;
module_param(count, int, 0444);
static unsigned short port = 80;
module_param(port, ushort, 0444);
static bool flag;
module_param(flag, bool, 0444);
static char *name = "world";
module_param(name, charp, 0444);
static char tag[8] = "none";
module_param_string(tag, tag, sizeof(tag), 0444);
static int nums[4];
static int nums_count;
module_param_array(nums, int, &nums_count, 0444);

static int __init dr_good_init(void)
{
	pr_info("dr_good: count=%d port=%u flag=%d name=%s tag=%s nums=%d\n", count, port, flag, name, tag,
		nums_count);
	return 0;
}

static void __exit dr_good_exit(void)
{
}

module_init(dr_good_init);
module_exit(dr_good_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("insmod -n test: a good module with parameters");
