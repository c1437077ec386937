/* A small arm64 "module" for the -O image tests: what gcc emits for kernel C code
 * (ADRP/ADD/LDST*_ABS_LO12_NC, CALL26, JUMP26, CONDBR19, TSTBR14, ABS64, PREL32),
 * built as a kernel module build builds it (scripts/make-arm64-modmap-fixtures.sh). */
extern int printk(const char *fmt, ...);
extern void kfree(const void *p);
extern void *kmalloc(unsigned long size, unsigned int flags);
extern void far_away(int);
extern void far_away2(int);
extern unsigned long jiffies;

struct module { char pad[0x380]; };
struct module __this_module __attribute__((section(".gnu.linkonce.this_module"))) = { { 0 } };
static const char modinfo[] __attribute__((section(".modinfo"), used, aligned(1))) =
	"vermagic=6.1.0-57-arm64 SMP mod_unload modversions aarch64\0name=relocs\0license=GPL";

__attribute__((section(".data..percpu"))) int pcpu_counter;
__attribute__((section(".data..percpu"))) long pcpu_other[4];

static char small8 = 3;
static short small16 = 5;
static int small32 = 7;
static long small64 = 11;
static __int128 big128 = 13;
int counter;
static long table[16];
void (*hooks[3])(int) = { far_away, far_away2, (void (*)(int))kfree };
static const char *const names[] = { "zero", "one", "two" };
const char *name_of(int i) { return names[i & 1]; }

__attribute__((noinline)) int local_helper(int x)
{
	small8++; small16++; small32 += x; small64 += x; big128 += x;
	return small8 + small16 + small32 + (int)small64 + (int)big128;
}

int relocs_work(int x)
{
	int r = 0;
	if (x & (1 << 5))
		far_away(x);
	if (x > 3)
		r += printk("x=%d %lu\n", x, jiffies);
	table[x & 15] = local_helper(x);
	counter += r;
	far_away2(x);
	far_away(x + 1);
	return r + (int)table[(x + 1) & 15];
}

void relocs_tail(void *p)
{
	kfree(p); /* a tail call: JUMP26 */
}

__attribute__((section(".init.text"))) int init_module(void)
{
	void *p = kmalloc(32, 0);
	far_away(1);
	far_away(1);
	relocs_work(5);
	relocs_tail(p);
	return printk("hello %d\n", counter);
}

__attribute__((section(".exit.text"))) void cleanup_module(void)
{
	far_away2(2);
	printk("bye\n");
}
