/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for liblam (tools/lib/liblam) on the host: the library runs against the
 * in-repo xenstored core (tools/xenstored/store.c, proto.c) served on a Unix socket by a
 * thread, and against a recording fake of the control library (lam/ctl.h) below, so what
 * it writes to xenstore and the order of its hypervisor calls can be checked: the layout
 * of a new domain, the undo of a failed build, the teardown order, restart and the
 * generic device directories.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <lam/ctl.h>
#include <lam/liblam.h>
#include <lam/xs.h>
#include <public/xen.h>

#include "../../tools/xenstored/xsd.h"

/* ---- xenstored core on a Unix socket, one thread, any number of clients ------------- */

#define MAX_CLIENTS 8

static struct xsd_store *st;
static pthread_t server_th;
static int listen_fd, stop_pipe[2];
static char tmpdir[32], sock_path[64], run_dir[64], kernel_path[64];

static struct xsd_conn *fake_introduce(struct xsd_store *s, uint32_t domid, uint64_t gfn,
				       uint32_t port, int *err)
{
	(void)gfn;
	(void)port;
	(void)err;
	return xsd_conn_new(s, domid, false, NULL);
}

static void fake_release(struct xsd_conn *c)
{
	(void)c;
}

static void quiet_log(enum xsd_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

static const struct xsd_ops server_ops = {
	.introduce = fake_introduce,
	.release = fake_release,
	.log = quiet_log,
};

static void *serve(void *arg)
{
	struct pollfd pfd[MAX_CLIENTS + 2];
	struct xsd_conn *conn[MAX_CLIENTS + 2] = { NULL };
	nfds_t n = 2;

	(void)arg;
	pfd[0].fd = stop_pipe[0];
	pfd[1].fd = listen_fd;
	for (;;) {
		for (nfds_t i = 0; i < n; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, n, -1) < 0) {
			continue;
		}
		if (pfd[0].revents) {
			break;
		}
		for (nfds_t i = 2; i < n; i++) {
			char buf[4096];
			ssize_t r;
			size_t len;
			const void *out;

			if (!pfd[i].revents) {
				continue;
			}
			r = read(pfd[i].fd, buf, sizeof(buf));
			if (r <= 0) {
				xsd_conn_free(conn[i]);
				close(pfd[i].fd);
				pfd[i] = pfd[n - 1];
				conn[i] = conn[n - 1];
				n--;
				i--;
				continue;
			}
			xsd_conn_feed(conn[i], buf, (size_t)r);
			while ((out = xsd_conn_out_peek(conn[i], &len)) != NULL) {
				ssize_t w = write(pfd[i].fd, out, len);

				if (w <= 0) {
					break;
				}
				xsd_conn_out_consume(conn[i], (size_t)w);
			}
		}
		if (pfd[1].revents && n < MAX_CLIENTS + 2) {
			int fd = accept(listen_fd, NULL, NULL);

			if (fd >= 0) {
				pfd[n].fd = fd;
				conn[n] = xsd_conn_new(st, 0, true, NULL);
				n++;
			}
		}
	}
	for (nfds_t i = 2; i < n; i++) {
		xsd_conn_free(conn[i]);
		close(pfd[i].fd);
	}
	return NULL;
}

/* ---- a recording fake of lam/ctl.h ---------------------------------------------------- */

#define MAX_CALLS 256

static char calls[MAX_CALLS][48];
static unsigned nr_calls;
static uint16_t next_domid;
static bool dom_exists[64], dom_paused[64];
static char dom_names[64][LAMCTL_NAME_LEN];
static int fail_set_context, destroy_busy;
/* Whether /local/domain/<id> existed in xenstore when pause and destroy were called. */
static int xs_at_pause, xs_at_destroy;

static void record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void record(const char *fmt, ...)
{
	va_list ap;

	assert_true(nr_calls < MAX_CALLS);
	va_start(ap, fmt);
	vsnprintf(calls[nr_calls++], sizeof(calls[0]), fmt, ap);
	va_end(ap);
}

/** Index of the first call named name (at or after from), or -1. */
static int call_index(const char *name, int from)
{
	for (unsigned i = (unsigned)from; i < nr_calls; i++) {
		if (strcmp(calls[i], name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/** 1 if /local/domain/<domid> exists in the store now, else 0 (on its own connection). */
static int xs_has_domain(uint16_t domid)
{
	struct lam_xs *xs;
	char path[64], *v;

	assert_int_equal(lam_xs_open_path(sock_path, &xs), 0);
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	v = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	lam_xs_close(xs);
	free(v);
	return v != NULL;
}

int lam_ctl_open(struct lam_ctl **out)
{
	static int token;

	*out = (struct lam_ctl *)&token;
	return 0;
}

void lam_ctl_close(struct lam_ctl *ctl)
{
	(void)ctl;
}

int lam_ctl_domain_create(struct lam_ctl *ctl, uint16_t *domid, struct lam_dom_create *cr)
{
	(void)ctl;
	*domid = next_domid++;
	record("create %u", *domid);
	dom_exists[*domid] = true;
	dom_paused[*domid] = true;
	snprintf(dom_names[*domid], sizeof(dom_names[0]), "%s", cr->name);
	cr->ram_base = GUEST_RAM0_BASE;
	cr->gicd_base = GUEST_GICV3_GICD_BASE;
	cr->gicr_base = GUEST_GICV3_GICR0_BASE;
	cr->gnttab_base = GUEST_GNTTAB_BASE;
	cr->gnttab_size = GUEST_GNTTAB_SIZE;
	cr->evtchn_ppi = 31;
	cr->console_gfn = 0x39000;
	cr->store_gfn = 0x39001;
	cr->console_port = 1;
	cr->store_port = 2;
	return 0;
}

int lam_ctl_domain_destroy(struct lam_ctl *ctl, uint16_t domid)
{
	(void)ctl;
	record("destroy");
	xs_at_destroy = xs_has_domain(domid);
	if (!dom_exists[domid]) {
		return -ESRCH;
	}
	if (destroy_busy > 0) {
		destroy_busy--;
		return -EBUSY;
	}
	dom_exists[domid] = false;
	return 0;
}

int lam_ctl_domain_pause(struct lam_ctl *ctl, uint16_t domid)
{
	(void)ctl;
	record("pause");
	xs_at_pause = xs_has_domain(domid);
	dom_paused[domid] = true;
	return dom_exists[domid] ? 0 : -ESRCH;
}

int lam_ctl_domain_unpause(struct lam_ctl *ctl, uint16_t domid)
{
	(void)ctl;
	record("unpause %u", domid);
	dom_paused[domid] = false;
	return dom_exists[domid] ? 0 : -ESRCH;
}

int lam_ctl_domain_getinfo(struct lam_ctl *ctl, uint16_t domid, struct lam_dom_info *info)
{
	(void)ctl;
	if (domid >= 64 || !dom_exists[domid]) {
		return -ESRCH;
	}
	memset(info, 0, sizeof(*info));
	info->domid = domid;
	info->max_pages = 65536;
	snprintf(info->name, sizeof(info->name), "%s", dom_names[domid]);
	return 0;
}

int lam_ctl_domain_list(struct lam_ctl *ctl, struct lam_dom_info **list, size_t *nr)
{
	size_t n = 0;

	*list = calloc(64, sizeof(**list));
	assert_non_null(*list);
	for (uint16_t d = 0; d < 64; d++) {
		if (d == 0 || dom_exists[d]) {
			lam_ctl_domain_getinfo(ctl, d, &(*list)[n]);
			(*list)[n].domid = d;
			n++;
		}
	}
	*nr = n;
	return 0;
}

int lam_ctl_domain_shutdown(struct lam_ctl *ctl, uint16_t domid, uint32_t reason)
{
	(void)ctl;
	record("shutdown %u %u", domid, reason);
	return 0;
}

int lam_ctl_domain_set_max_mem(struct lam_ctl *ctl, uint16_t domid, uint64_t max_mem_kb)
{
	(void)ctl;
	record("set_max_mem %u %llu", domid, (unsigned long long)max_mem_kb);
	return 0;
}

int lam_ctl_vcpu_set_context(struct lam_ctl *ctl, uint16_t domid, uint32_t vcpu, uint64_t pc,
			     uint64_t x0)
{
	(void)ctl;
	(void)domid;
	(void)pc;
	(void)x0;
	record("set_context %u", vcpu);
	return fail_set_context ? -EINVAL : 0;
}

int lam_ctl_vcpu_info(struct lam_ctl *ctl, uint16_t domid, uint32_t vcpu,
		      struct lam_vcpu_info *info)
{
	(void)ctl;
	(void)domid;
	(void)vcpu;
	memset(info, 0, sizeof(*info));
	return 0;
}

int lam_ctl_vcpu_affinity(struct lam_ctl *ctl, uint16_t domid, uint32_t vcpu, uint32_t pcpu)
{
	(void)ctl;
	(void)domid;
	record("affinity %u %u", vcpu, pcpu);
	return 0;
}

int lam_ctl_cacheflush(struct lam_ctl *ctl, uint16_t domid, uint64_t first_gfn, uint64_t nr_gfns)
{
	(void)ctl;
	(void)domid;
	(void)first_gfn;
	(void)nr_gfns;
	record("cacheflush");
	return 0;
}

int lam_ctl_write_memory(struct lam_ctl *ctl, uint16_t domid, uint64_t gpa, const void *buf,
			 uint64_t len)
{
	(void)ctl;
	(void)domid;
	(void)gpa;
	(void)buf;
	(void)len;
	record("write_memory");
	return 0;
}

int lam_ctl_physinfo(struct lam_ctl *ctl, struct lam_physinfo *info)
{
	(void)ctl;
	memset(info, 0, sizeof(*info));
	info->nr_cpus = 2;
	info->page_size = 4096;
	info->free_pages = 1u << 20;
	info->xen_version = (4u << 16) | 17u;
	return 0;
}

int lam_ctl_readconsole(struct lam_ctl *ctl, char *buf, size_t size, uint64_t *index, size_t *count,
			uint64_t *lost)
{
	(void)ctl;
	(void)buf;
	(void)size;
	(void)index;
	*count = 0;
	if (lost != NULL) {
		*lost = 0;
	}
	return 0;
}

void *lam_ctl_map_foreign(struct lam_ctl *ctl, uint16_t domid, const uint64_t *gfns, size_t n,
			  int *errs)
{
	(void)ctl;
	(void)domid;
	(void)gfns;
	(void)errs;
	record("map_foreign");
	return calloc(n, LAM_CTL_PAGE_SIZE);
}

int lam_ctl_unmap_foreign(void *addr, size_t n)
{
	(void)n;
	free(addr);
	return 0;
}

const char *lam_ctl_strerror(int err)
{
	return strerror(err < 0 ? -err : err);
}

/* ---- fixtures --------------------------------------------------------------------------- */

static struct lam_ctx *ctx;
static struct lam_xs *xs; /* the test's own view of the store */
static char logged[4096];

static void capture_log(void *arg, enum lam_log_level level, const char *who, const char *msg)
{
	size_t used = strlen(logged);

	(void)arg;
	snprintf(logged + used, sizeof(logged) - used, "%c %s: %s\n",
		 level == LAM_LOG_INFO ? 'I' : 'E', who, msg);
}

/** An arm64 Image header (Linux Documentation/arch/arm64/booting.rst) and a few pages. */
static void write_kernel(const char *path)
{
	/* Byte fields of the header, not strings: no NUL goes into the image. */
	static const uint8_t code0[4] = { 'M', 'Z', '@', 0xfa };
	static const uint8_t magic[4] = { 'A', 'R', 'M', 0x64 };
	uint8_t img[16384] = { 0 };
	FILE *f;

	memcpy(img, code0, sizeof(code0));
	img[17] = 0x01; /* image_size 0x10000: little-endian at offset 16 */
	img[24] = 0x0a; /* flags: little-endian, 4K pages, anywhere */
	memcpy(img + 56, magic, sizeof(magic));
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, sizeof(img), f), sizeof(img));
	fclose(f);
}

static int setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/liblam-test.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(sock_path, sizeof(sock_path), "%s/socket", tmpdir);
	snprintf(run_dir, sizeof(run_dir), "%s/run", tmpdir);
	snprintf(kernel_path, sizeof(kernel_path), "%s/Image", tmpdir);
	write_kernel(kernel_path);

	st = xsd_store_new(&server_ops);
	assert_non_null(st);
	assert_int_equal(xsd_store_setup_dom0(st), 0);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(listen_fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	assert_int_equal(bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(listen_fd, 8), 0);
	assert_int_equal(pipe(stop_pipe), 0);
	assert_int_equal(pthread_create(&server_th, NULL, serve, NULL), 0);
	setenv(LAM_XS_SOCKET_ENV, sock_path, 1);

	nr_calls = 0;
	next_domid = 5;
	memset(dom_exists, 0, sizeof(dom_exists));
	fail_set_context = 0;
	destroy_busy = 0;
	logged[0] = '\0';
	assert_int_equal(lam_ctx_alloc(&ctx, "test", capture_log, NULL), 0);
	lam_ctx_set_run_dir(ctx, run_dir);
	assert_int_equal(lam_xs_open_path(sock_path, &xs), 0);
	return 0;
}

static int teardown(void **state)
{
	char path[200];

	(void)state;
	lam_xs_close(xs);
	lam_ctx_free(ctx);
	assert_int_equal(write(stop_pipe[1], "x", 1), 1);
	pthread_join(server_th, NULL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	close(listen_fd);
	xsd_store_free(st);
	unlink(sock_path);
	unlink(kernel_path);
	for (int d = 0; d < 64; d++) {
		snprintf(path, sizeof(path), "%s/%d.cfg", run_dir, d);
		unlink(path);
	}
	rmdir(run_dir);
	rmdir(tmpdir);
	return 0;
}

static void make_cfg(struct lam_cfg *cfg, const char *name)
{
	char text[512], msg[256];

	snprintf(text, sizeof(text),
		 "name = \"%s\"\nmemory = 64\nvcpus = 2\nmaxvcpus = 3\nkernel = \"%s\"\n"
		 "uuid = \"01234567-89ab-cdef-0123-456789abcdef\"\non_reboot = \"restart\"\n",
		 name, kernel_path);
	assert_int_equal(lam_cfg_parse_string(text, "test.cfg", cfg, msg, sizeof(msg)), 0);
}

/** Reads path and compares it with expect (NULL: the node must not exist). */
static void expect_node(const char *path, const char *expect)
{
	char *v = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);

	if (expect == NULL) {
		if (v != NULL) {
			fail_msg("%s exists (\"%s\")", path, v);
		}
		return;
	}
	if (v == NULL) {
		fail_msg("%s is missing", path);
	}
	assert_string_equal(v, expect);
	free(v);
}

/** The permissions of path, as the wire form "n0,r5" for the comparison. */
static void expect_perms(const char *path, const char *expect)
{
	static const char letters[] = "nrwb";
	struct lam_xs_perm *p;
	char buf[128] = "";
	unsigned n;

	p = lam_xs_get_perms(xs, LAM_XS_NO_TX, path, &n);
	assert_non_null(p);
	for (unsigned i = 0; i < n; i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, sizeof(buf) - used, "%s%c%u", i ? "," : "",
			 letters[p[i].perms & 3], p[i].domid);
	}
	free(p);
	assert_string_equal(buf, expect);
}

static bool saved_cfg_exists(uint16_t domid)
{
	char path[200];

	lam_domain_config_path(ctx, domid, path, sizeof(path));
	return access(path, F_OK) == 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

/* A new domain gets libxl's xenstore layout, is introduced, stays paused, and is saved. */
static void test_create_layout(void **state)
{
	struct lam_cfg cfg, back;
	uint16_t domid = 0;

	(void)state;
	make_cfg(&cfg, "web");
	assert_int_equal(lam_domain_create_new(ctx, &cfg, &domid), 0);
	assert_int_equal(domid, 5);

	expect_node("/local/domain/5/name", "web");
	expect_node("/local/domain/5/domid", "5");
	expect_node("/local/domain/5/vm", "/vm/01234567-89ab-cdef-0123-456789abcdef");
	expect_node("/vm/01234567-89ab-cdef-0123-456789abcdef/name", "web");
	expect_node("/vm/01234567-89ab-cdef-0123-456789abcdef/uuid",
		    "01234567-89ab-cdef-0123-456789abcdef");
	expect_perms("/local/domain/5", "n0,r5");
	expect_node("/local/domain/5/cpu/0/availability", "online");
	expect_node("/local/domain/5/cpu/1/availability", "online");
	expect_node("/local/domain/5/cpu/2/availability", "offline");
	expect_node("/local/domain/5/memory/static-max", "65536");
	expect_node("/local/domain/5/memory/target", "65536");
	expect_node("/local/domain/5/control/shutdown", "");
	expect_perms("/local/domain/5/control/shutdown", "n5");
	expect_perms("/local/domain/5/control/feature-poweroff", "n5");
	expect_node("/local/domain/5/control/platform-feature-xs_reset_watches", "1");
	expect_perms("/local/domain/5/control", "n0,r5");
	expect_perms("/local/domain/5/data", "n5");
	expect_perms("/local/domain/5/device/suspend/event-channel", "n5");
	expect_node("/local/domain/5/store/port", "2");
	expect_node("/local/domain/5/store/ring-ref", "233473");
	/* The primary console: frontend read-only for the guest, no XenbusState. */
	expect_perms("/local/domain/5/console", "n0,r5");
	expect_node("/local/domain/5/console/backend", "/local/domain/0/backend/console/5/0");
	expect_node("/local/domain/5/console/backend-id", "0");
	expect_node("/local/domain/5/console/port", "1");
	expect_node("/local/domain/5/console/ring-ref", "233472");
	expect_node("/local/domain/5/console/type", "xenconsoled");
	expect_node("/local/domain/5/console/limit", "1048576");
	expect_node("/local/domain/5/console/state", NULL);
	expect_perms("/local/domain/0/backend/console/5/0", "n0,r5");
	expect_node("/local/domain/0/backend/console/5/0/frontend", "/local/domain/5/console");
	expect_node("/local/domain/0/backend/console/5/0/frontend-id", "5");
	expect_node("/local/domain/0/backend/console/5/0/online", "1");
	expect_node("/local/domain/0/backend/console/5/0/state", "1");
	expect_node("/local/domain/0/backend/console/5/0/protocol", "vt100");
	assert_int_equal(lam_xs_is_domain_introduced(xs, 5), 1);

	/* Built in order, left paused, nothing undone. */
	assert_true(call_index("create 5", 0) >= 0);
	assert_true(call_index("write_memory", 0) > call_index("create 5", 0));
	assert_true(call_index("set_context 0", 0) > call_index("write_memory", 0));
	assert_int_equal(call_index("unpause 5", 0), -1);
	assert_int_equal(call_index("destroy", 0), -1);
	assert_true(dom_paused[5]);

	/* The saved configuration reads back to the same settings. */
	assert_true(saved_cfg_exists(5));
	assert_int_equal(lam_domain_config_load(ctx, 5, &back), 0);
	assert_string_equal(back.name, "web");
	assert_int_equal(back.max_vcpus, 3);
	assert_int_equal(back.on_reboot, LAM_CFG_ACTION_RESTART);

	/* A second domain of the same name is refused before anything is created. */
	nr_calls = 0;
	assert_int_not_equal(lam_domain_create_new(ctx, &cfg, &domid), 0);
	assert_int_equal(call_index("create 6", 0), -1);
	assert_non_null(strstr(logged, "a domain named 'web' already exists (ID 5)"));
}

/* A failure after the hypervisor's create leaves nothing behind. */
static void test_create_failure_undone(void **state)
{
	struct lam_cfg cfg;
	uint16_t domid = 0;

	(void)state;
	make_cfg(&cfg, "bad");
	fail_set_context = 1;
	assert_int_not_equal(lam_domain_create_new(ctx, &cfg, &domid), 0);
	assert_true(call_index("destroy", call_index("set_context 0", 0)) > 0);
	assert_false(dom_exists[5]);
	expect_node("/local/domain/5/name", NULL);
	expect_node("/local/domain/0/backend/console/5", NULL);
	expect_node("/vm/01234567-89ab-cdef-0123-456789abcdef", NULL);
	assert_int_equal(lam_xs_is_domain_introduced(xs, 5), 0);
	assert_false(saved_cfg_exists(5));
	assert_non_null(strstr(logged, "E test: cannot set the boot vCPU's registers"));
}

/* Teardown: pause (nodes still there), xenstore cleaned and released, then destroy. */
static void test_destroy_order(void **state)
{
	struct lam_cfg cfg;
	uint16_t domid = 0;
	int pause, destroy;

	(void)state;
	make_cfg(&cfg, "gone");
	assert_int_equal(lam_domain_create_new(ctx, &cfg, &domid), 0);
	nr_calls = 0;
	destroy_busy = 2;
	assert_int_equal(lam_domain_destroy(ctx, domid), 0);
	pause = call_index("pause", 0);
	destroy = call_index("destroy", 0);
	assert_int_equal(pause, 0);
	assert_true(destroy > pause);
	assert_int_equal(xs_at_pause, 1);   /* paused before its nodes went */
	assert_int_equal(xs_at_destroy, 0); /* nodes gone before the hypervisor destroy */
	/* A busy hypervisor is asked again. */
	assert_true(call_index("destroy", destroy + 1) > destroy);
	assert_true(call_index("destroy", call_index("destroy", destroy + 1) + 1) > destroy);
	assert_false(dom_exists[domid]);
	expect_node("/local/domain/5", NULL);
	expect_node("/local/domain/0/backend/console/5", NULL);
	expect_node("/vm/01234567-89ab-cdef-0123-456789abcdef", NULL);
	assert_int_equal(lam_xs_is_domain_introduced(xs, 5), 0);
	assert_false(saved_cfg_exists(domid));
	/* Dom0 is refused. */
	assert_int_equal(lam_domain_destroy(ctx, 0), -EPERM);
}

/* on_reboot = restart: the old domain is destroyed and a new one built and unpaused. */
static void test_restart(void **state)
{
	struct lam_cfg cfg;
	uint16_t domid = 0, new_domid = 0;

	(void)state;
	make_cfg(&cfg, "again");
	assert_int_equal(lam_domain_create_new(ctx, &cfg, &domid), 0);
	nr_calls = 0;
	assert_int_equal(
		lam_domain_handle_shutdown(ctx, &cfg, domid, SHUTDOWN_reboot, 0, &new_domid),
		LAM_CFG_ACTION_RESTART);
	assert_int_equal(new_domid, 6);
	assert_true(call_index("destroy", 0) < call_index("create 6", 0));
	assert_true(call_index("unpause 6", 0) > call_index("set_context 0", 0));
	expect_node("/local/domain/5/name", NULL);
	expect_node("/local/domain/6/name", "again");
	assert_false(saved_cfg_exists(5));
	assert_true(saved_cfg_exists(6));
	assert_non_null(strstr(logged, "I test: Domain 5 (again) shut down (reboot): restarting"));

	/* Left paused on request; on_poweroff = destroy destroys. */
	nr_calls = 0;
	assert_int_equal(lam_domain_handle_shutdown(ctx, &cfg, 6, SHUTDOWN_reboot,
						    LAM_RESTART_PAUSED, &new_domid),
			 LAM_CFG_ACTION_RESTART);
	assert_int_equal(new_domid, 7);
	assert_int_equal(call_index("unpause 7", 0), -1);
	nr_calls = 0;
	assert_int_equal(lam_domain_handle_shutdown(ctx, &cfg, 7, SHUTDOWN_poweroff, 0, &new_domid),
			 LAM_CFG_ACTION_DESTROY);
	assert_int_equal(call_index("create 8", 0), -1);
	assert_false(dom_exists[7]);
	/* preserve touches nothing. */
	cfg.on_crash = LAM_CFG_ACTION_PRESERVE;
	assert_int_equal(lam_domain_create_new(ctx, &cfg, &domid), 0);
	nr_calls = 0;
	assert_int_equal(
		lam_domain_handle_shutdown(ctx, &cfg, domid, SHUTDOWN_crash, 0, &new_domid),
		LAM_CFG_ACTION_PRESERVE);
	assert_int_equal(nr_calls, 0);
	assert_true(dom_exists[domid]);
}

/* Generic device directories, ready for vbd and vif: paths, keys, permissions, removal. */
static void test_device_vbd(void **state)
{
	const struct lam_device_key front[] = { { "virtual-device", "51712" },
						{ "device-type", "disk" } };
	const struct lam_device_key back[] = { { "params", "/dev/loop0" }, { "mode", "w" } };
	const struct lam_device dev = {
		.kind = LAM_DEVICE_VBD,
		.devid = 51712,
		.domid = 9,
		.backend_domid = 0,
		.front = front,
		.nr_front = 2,
		.back = back,
		.nr_back = 2,
	};
	char path[128];

	(void)state;
	lam_device_frontend_path(&dev, path, sizeof(path));
	assert_string_equal(path, "/local/domain/9/device/vbd/51712");
	lam_device_backend_path(&dev, path, sizeof(path));
	assert_string_equal(path, "/local/domain/0/backend/vbd/9/51712");

	assert_int_equal(lam_device_add(ctx, &dev), 0);
	expect_perms("/local/domain/9/device/vbd/51712", "n9,r0");
	expect_node("/local/domain/9/device/vbd/51712/backend",
		    "/local/domain/0/backend/vbd/9/51712");
	expect_node("/local/domain/9/device/vbd/51712/backend-id", "0");
	expect_node("/local/domain/9/device/vbd/51712/state", "1");
	expect_node("/local/domain/9/device/vbd/51712/virtual-device", "51712");
	expect_perms("/local/domain/0/backend/vbd/9/51712", "n0,r9");
	expect_node("/local/domain/0/backend/vbd/9/51712/frontend",
		    "/local/domain/9/device/vbd/51712");
	expect_node("/local/domain/0/backend/vbd/9/51712/frontend-id", "9");
	expect_node("/local/domain/0/backend/vbd/9/51712/online", "1");
	expect_node("/local/domain/0/backend/vbd/9/51712/state", "1");
	expect_node("/local/domain/0/backend/vbd/9/51712/params", "/dev/loop0");
	expect_node("/local/domain/0/backend/vbd/9/51712/mode", "w");

	assert_int_equal(lam_device_remove(ctx, &dev), 0);
	expect_node("/local/domain/9/device/vbd/51712", NULL);
	expect_node("/local/domain/0/backend/vbd/9/51712", NULL);
	/* Removing twice is not an error. */
	assert_int_equal(lam_device_remove(ctx, &dev), 0);
}

/* Shutdown requests go through control/shutdown; -F goes to the hypervisor. */
static void test_shutdown_request(void **state)
{
	struct lam_cfg cfg;
	uint16_t domid = 0;

	(void)state;
	make_cfg(&cfg, "polite");
	assert_int_equal(lam_domain_create_new(ctx, &cfg, &domid), 0);
	assert_int_equal(lam_domain_shutdown(ctx, domid, SHUTDOWN_reboot, false), 0);
	expect_node("/local/domain/5/control/shutdown", "reboot");
	assert_non_null(strstr(logged, "has not announced PV reboot support"));
	nr_calls = 0;
	assert_int_equal(lam_domain_shutdown(ctx, domid, SHUTDOWN_poweroff, true), 0);
	assert_int_equal(call_index("shutdown 5 0", 0), 0);
	/* The balloon target: above static-max is refused, below lowers the limit after. */
	assert_int_equal(lam_set_memory_target(ctx, domid, 1u << 20), -EINVAL);
	assert_int_equal(lam_set_memory_target(ctx, domid, 32768), 0);
	expect_node("/local/domain/5/memory/target", "32768");
	assert_true(call_index("set_max_mem 5 32768", 0) > 0);
}

/*
 * PV disks (disk.c) up to the loop device, which a host test cannot have: a disk that
 * cannot be served fails the build with one line and leaves no domain and no node;
 * an image another guest has writable is refused (the block script's sharing rule).
 */
static void test_disk_refused(void **state)
{
	struct lam_cfg cfg;
	char img[96], spec[160], msg[256];
	uint16_t domid = 0;
	int fd;

	(void)state;
	make_cfg(&cfg, "disky");
	assert_int_equal(
		lam_cfg_disk_add(&cfg, 0, "vdev=xvda, target=/nonexistent/a.img", msg, sizeof(msg)),
		0);
	assert_int_not_equal(lam_domain_create_new(ctx, &cfg, &domid), 0);
	assert_non_null(strstr(logged, "E test: disk xvda: '/nonexistent/a.img' does not exist\n"));
	assert_false(dom_exists[5]);
	expect_node("/local/domain/5", NULL);
	expect_node("/local/domain/0/backend/vbd/5", NULL);
	assert_false(saved_cfg_exists(5));

	/* Domain 3 has the image writable (its backend as disk.c writes it). */
	snprintf(img, sizeof(img), "%s/a.img", tmpdir);
	fd = open(img, O_CREAT | O_RDWR, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lam_xs_write_str(xs, LAM_XS_NO_TX,
					  "/local/domain/0/backend/vbd/3/51712/params", img),
			 0);
	assert_int_equal(
		lam_xs_write_str(xs, LAM_XS_NO_TX, "/local/domain/0/backend/vbd/3/51712/mode", "w"),
		0);
	assert_int_equal(lam_xs_write_str(xs, LAM_XS_NO_TX, "/local/domain/3/name", "holder"), 0);
	snprintf(spec, sizeof(spec), "vdev=xvdb, access=ro, target=%s", img);
	make_cfg(&cfg, "second");
	assert_int_equal(lam_cfg_disk_add(&cfg, 0, spec, msg, sizeof(msg)), 0);
	logged[0] = '\0';
	assert_int_not_equal(lam_domain_create_new(ctx, &cfg, &domid), 0);
	assert_non_null(strstr(logged, "is in use by domain 3 (holder) (writable)"));
	expect_node("/local/domain/0/backend/vbd/5", NULL);
	expect_node("/local/domain/0/backend/vbd/3/51712/mode", "w");
	unlink(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_failure_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_vbd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
