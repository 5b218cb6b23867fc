/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The xenstore node tree: nodes with a value, ordered children and a permission list,
 * per-domain ownership accounting, deep copies for transactions, and the path and
 * permission helpers of the protocol. No I/O; errors are negative errno values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

/* ---- paths -------------------------------------------------------------------- */

static bool path_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '/' || c == '_' || c == '@';
}

bool xsd_path_valid(const char *path)
{
	size_t len, local_off = 0;
	const char *p;

	if (path[0] != '/') {
		return false;
	}
	len = strlen(path);
	if (len > XENSTORE_ABS_PATH_MAX) {
		return false;
	}
	if (len > 1 && path[len - 1] == '/') {
		return false;
	}
	if (strstr(path, "//")) {
		return false;
	}
	for (p = path; *p; p++) {
		if (!path_char_ok(*p)) {
			return false;
		}
	}
	/* Below a domain's home the relative limit applies (Xen's rule). */
	if (strncmp(path, "/local/domain/", 14) == 0) {
		p = path + 14;
		while (*p >= '0' && *p <= '9') {
			p++;
		}
		if (p > path + 14 && p <= path + 19 && *p == '/') {
			local_off = (size_t)(p + 1 - path);
		}
	}
	return len <= local_off + XENSTORE_REL_PATH_MAX;
}

bool xsd_path_is_child(const char *path, const char *parent)
{
	size_t n = strlen(parent);

	if (strcmp(parent, "/") == 0) {
		return path[0] == '/';
	}
	return strncmp(path, parent, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int xsd_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s) {
		return -EINVAL;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			return -EINVAL;
		}
		if (v > (max - (uint64_t)(*s - '0')) / 10) {
			return -EINVAL;
		}
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* ---- permissions ---------------------------------------------------------------- */

unsigned xsd_perm_for(const struct xsd_perm *p, unsigned nr, uint32_t domid, bool privileged,
		      uint32_t target)
{
	unsigned i;

	/* The toolstack and owners get everything. */
	if (privileged || p[0].id == domid || (target != XSD_NO_OWNER && p[0].id == target)) {
		return XSD_PERM_READ | XSD_PERM_WRITE | XSD_PERM_OWNER;
	}
	for (i = 1; i < nr; i++) {
		if (p[i].id == domid || (target != XSD_NO_OWNER && p[i].id == target)) {
			return p[i].perms;
		}
	}
	return p[0].perms;
}

int xsd_perms_parse(const char *buf, size_t len, struct xsd_perm *out, unsigned max,
		    unsigned *count)
{
	unsigned n = 0;
	size_t off = 0;

	if (len == 0 || buf[len - 1] != '\0') {
		return -EINVAL;
	}
	while (off < len) {
		const char *s = buf + off;
		size_t slen = strlen(s);
		uint64_t id;
		uint32_t bits;

		switch (s[0]) {
		case 'n':
			bits = XSD_PERM_NONE;
			break;
		case 'r':
			bits = XSD_PERM_READ;
			break;
		case 'w':
			bits = XSD_PERM_WRITE;
			break;
		case 'b':
			bits = XSD_PERM_READ | XSD_PERM_WRITE;
			break;
		default:
			return -EINVAL;
		}
		if (xsd_parse_uint(s + 1, UINT32_MAX - 1, &id)) {
			return -EINVAL;
		}
		if (n >= max) {
			return -ENOSPC;
		}
		out[n].id = (uint32_t)id;
		out[n].perms = bits;
		n++;
		off += slen + 1;
	}
	*count = n;
	return 0;
}

int xsd_perms_format(const struct xsd_perm *p, unsigned nr, char *buf, size_t size)
{
	static const char letters[4] = { 'n', 'r', 'w', 'b' };
	size_t off = 0;
	unsigned i;

	for (i = 0; i < nr; i++) {
		int w = snprintf(buf + off, size - off, "%c%u", letters[p[i].perms & 3], p[i].id);

		if (w < 0 || (size_t)w + 1 > size - off) {
			return -E2BIG;
		}
		off += (size_t)w + 1; /* keep the NUL */
	}
	return (int)off;
}

/* ---- accounting ------------------------------------------------------------------ */

static struct xsd_acct *acct_find(const struct xsd_tree *t, uint32_t domid)
{
	unsigned i;

	for (i = 0; i < t->nr_acct; i++) {
		if (t->acct[i].domid == domid) {
			return &t->acct[i];
		}
	}
	return NULL;
}

static int acct_add(struct xsd_tree *t, uint32_t domid, int delta)
{
	struct xsd_acct *a = acct_find(t, domid);

	if (!a) {
		if (delta < 0) {
			return 0;
		}
		if (t->nr_acct == t->cap_acct) {
			unsigned cap = t->cap_acct ? t->cap_acct * 2 : 8;
			struct xsd_acct *na = realloc(t->acct, cap * sizeof(*na));

			if (!na) {
				return -ENOMEM;
			}
			t->acct = na;
			t->cap_acct = cap;
		}
		a = &t->acct[t->nr_acct++];
		a->domid = domid;
		a->nodes = 0;
	}
	if (delta < 0 && a->nodes < (unsigned)-delta) {
		a->nodes = 0;
	} else {
		a->nodes = (unsigned)((int)a->nodes + delta);
	}
	return 0;
}

unsigned xsd_tree_owned(const struct xsd_tree *t, uint32_t domid)
{
	const struct xsd_acct *a = acct_find(t, domid);

	return a ? a->nodes : 0;
}

/* ---- nodes ---------------------------------------------------------------------- */

static void node_free(struct xsd_node *n)
{
	unsigned i;

	for (i = 0; i < n->nr_children; i++) {
		node_free(n->children[i]);
	}
	free(n->children);
	free(n->name);
	free(n->value);
	free(n->perms);
	free(n);
}

static struct xsd_node *node_alloc(const char *name, size_t name_len)
{
	struct xsd_node *n = calloc(1, sizeof(*n));

	if (!n) {
		return NULL;
	}
	n->name = strndup(name, name_len);
	if (!n->name) {
		free(n);
		return NULL;
	}
	return n;
}

static void bump(struct xsd_tree *t, struct xsd_node *n)
{
	n->gen = ++*t->gen_counter;
}

void xsd_node_touch(struct xsd_tree *t, struct xsd_node *n)
{
	bump(t, n);
}

struct xsd_tree *xsd_tree_new(uint64_t *gen_counter)
{
	struct xsd_tree *t = calloc(1, sizeof(*t));

	if (!t) {
		return NULL;
	}
	t->gen_counter = gen_counter;
	t->root = node_alloc("", 0);
	if (!t->root) {
		goto fail;
	}
	t->root->perms = calloc(1, sizeof(struct xsd_perm));
	if (!t->root->perms) {
		goto fail;
	}
	t->root->nr_perms = 1; /* owner 0, nobody else */
	bump(t, t->root);
	if (acct_add(t, 0, 1)) {
		goto fail;
	}
	return t;
fail:
	xsd_tree_free(t);
	return NULL;
}

void xsd_tree_free(struct xsd_tree *t)
{
	if (!t) {
		return;
	}
	if (t->root) {
		node_free(t->root);
	}
	free(t->acct);
	free(t);
}

static struct xsd_node *node_clone(const struct xsd_node *src, struct xsd_node *parent)
{
	struct xsd_node *n = node_alloc(src->name, strlen(src->name));
	unsigned i;

	if (!n) {
		return NULL;
	}
	n->parent = parent;
	n->gen = src->gen;
	n->len = src->len;
	n->nr_perms = src->nr_perms;
	n->perms = malloc(src->nr_perms * sizeof(*n->perms));
	if (!n->perms) {
		goto fail;
	}
	memcpy(n->perms, src->perms, src->nr_perms * sizeof(*n->perms));
	if (src->len) {
		n->value = malloc(src->len);
		if (!n->value) {
			goto fail;
		}
		memcpy(n->value, src->value, src->len);
	}
	if (src->nr_children) {
		n->children = calloc(src->nr_children, sizeof(struct xsd_node *));
		if (!n->children) {
			goto fail;
		}
		n->cap_children = src->nr_children;
		for (i = 0; i < src->nr_children; i++) {
			n->children[i] = node_clone(src->children[i], n);
			if (!n->children[i]) {
				goto fail;
			}
			n->nr_children++;
		}
	}
	return n;
fail:
	node_free(n);
	return NULL;
}

struct xsd_tree *xsd_tree_clone(const struct xsd_tree *src)
{
	struct xsd_tree *t = calloc(1, sizeof(*t));

	if (!t) {
		return NULL;
	}
	t->gen_counter = src->gen_counter;
	t->root = node_clone(src->root, NULL);
	if (!t->root) {
		goto fail;
	}
	if (src->nr_acct) {
		t->acct = malloc(src->nr_acct * sizeof(*t->acct));
		if (!t->acct) {
			goto fail;
		}
		memcpy(t->acct, src->acct, src->nr_acct * sizeof(*t->acct));
		t->nr_acct = t->cap_acct = src->nr_acct;
	}
	return t;
fail:
	xsd_tree_free(t);
	return NULL;
}

static struct xsd_node *child_find(const struct xsd_node *n, const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < n->nr_children; i++) {
		struct xsd_node *c = n->children[i];

		if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0') {
			return c;
		}
	}
	return NULL;
}

/* Walks path as far as it exists; *rest points at the first missing component. */
static struct xsd_node *walk(const struct xsd_tree *t, const char *path, const char **rest)
{
	struct xsd_node *n = t->root;
	const char *p = path;

	while (*p == '/') {
		p++;
	}
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct xsd_node *c = child_find(n, p, len);

		if (!c) {
			break;
		}
		n = c;
		p += len;
		while (*p == '/') {
			p++;
		}
	}
	*rest = p;
	return n;
}

struct xsd_node *xsd_tree_lookup(const struct xsd_tree *t, const char *path)
{
	const char *rest;
	struct xsd_node *n = walk(t, path, &rest);

	return *rest ? NULL : n;
}

struct xsd_node *xsd_tree_nearest(const struct xsd_tree *t, const char *path)
{
	const char *rest;

	return walk(t, path, &rest);
}

unsigned xsd_tree_missing(const struct xsd_tree *t, const char *path)
{
	const char *rest;
	unsigned n = 0;

	walk(t, path, &rest);
	while (*rest) {
		n++;
		rest = strchr(rest, '/');
		if (!rest) {
			break;
		}
		while (*rest == '/') {
			rest++;
		}
	}
	return n;
}

static int child_add(struct xsd_node *parent, struct xsd_node *c)
{
	if (parent->nr_children == parent->cap_children) {
		unsigned cap = parent->cap_children ? parent->cap_children * 2 : 4;
		struct xsd_node **nc = realloc(parent->children, cap * sizeof(struct xsd_node *));

		if (!nc) {
			return -ENOMEM;
		}
		parent->children = nc;
		parent->cap_children = cap;
	}
	parent->children[parent->nr_children++] = c;
	c->parent = parent;
	return 0;
}

static void child_del(struct xsd_node *parent, struct xsd_node *c)
{
	unsigned i;

	for (i = 0; i < parent->nr_children; i++) {
		if (parent->children[i] == c) {
			memmove(&parent->children[i], &parent->children[i + 1],
				(parent->nr_children - i - 1) * sizeof(struct xsd_node *));
			parent->nr_children--;
			return;
		}
	}
}

struct xsd_node *xsd_tree_create(struct xsd_tree *t, const char *path, uint32_t owner)
{
	const char *p;
	struct xsd_node *n = walk(t, path, &p);

	if (*p) {
		bump(t, n); /* a parent that gains a child changes */
	}
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct xsd_node *c = node_alloc(p, len);

		if (!c) {
			return NULL;
		}
		c->perms = malloc(n->nr_perms * sizeof(*c->perms));
		if (!c->perms) {
			node_free(c);
			return NULL;
		}
		memcpy(c->perms, n->perms, n->nr_perms * sizeof(*c->perms));
		c->nr_perms = n->nr_perms;
		if (owner != XSD_NO_OWNER) {
			c->perms[0].id = owner;
		}
		if (acct_add(t, c->perms[0].id, 1) || child_add(n, c)) {
			node_free(c);
			return NULL;
		}
		bump(t, c);
		n = c;
		p += len;
		while (*p == '/') {
			p++;
		}
	}
	return n;
}

int xsd_node_set_value(struct xsd_tree *t, struct xsd_node *n, const void *val, size_t len)
{
	char *v = NULL;

	if (len) {
		v = malloc(len);
		if (!v) {
			return -ENOMEM;
		}
		memcpy(v, val, len);
	}
	free(n->value);
	n->value = v;
	n->len = (unsigned)len;
	bump(t, n);
	return 0;
}

int xsd_node_set_perms(struct xsd_tree *t, struct xsd_node *n, const struct xsd_perm *p,
		       unsigned nr)
{
	struct xsd_perm *np;

	if (nr == 0) {
		return -EINVAL;
	}
	np = malloc(nr * sizeof(*np));
	if (!np) {
		return -ENOMEM;
	}
	memcpy(np, p, nr * sizeof(*np));
	if (acct_add(t, np[0].id, 1)) {
		free(np);
		return -ENOMEM;
	}
	acct_add(t, n->perms[0].id, -1);
	free(n->perms);
	n->perms = np;
	n->nr_perms = nr;
	bump(t, n);
	return 0;
}

void xsd_node_path(const struct xsd_node *n, char *buf, size_t size)
{
	const struct xsd_node *stack[XENSTORE_ABS_PATH_MAX / 2 + 1];
	unsigned depth = 0;
	size_t off = 0;

	if (!n->parent) {
		snprintf(buf, size, "/");
		return;
	}
	for (; n->parent && depth < sizeof(stack) / sizeof(stack[0]); n = n->parent) {
		stack[depth++] = n;
	}
	buf[0] = '\0';
	while (depth--) {
		int w = snprintf(buf + off, size - off, "/%s", stack[depth]->name);

		if (w < 0 || (size_t)w >= size - off) {
			return;
		}
		off += (size_t)w;
	}
}

static void remove_rec(struct xsd_tree *t, struct xsd_node *n, char *path, size_t plen,
		       void (*visit)(struct xsd_node *n, const char *path, void *arg), void *arg)
{
	unsigned i;

	if (visit) {
		visit(n, path, arg);
	}
	for (i = 0; i < n->nr_children; i++) {
		struct xsd_node *c = n->children[i];
		size_t clen = strlen(c->name);

		if (plen + 1 + clen > XENSTORE_ABS_PATH_MAX) {
			continue; /* cannot happen for valid trees */
		}
		path[plen] = '/';
		memcpy(path + plen + 1, c->name, clen + 1);
		remove_rec(t, c, path, plen + 1 + clen, visit, arg);
		path[plen] = '\0';
	}
	acct_add(t, n->perms[0].id, -1);
}

void xsd_tree_remove(struct xsd_tree *t, struct xsd_node *n,
		     void (*visit)(struct xsd_node *n, const char *path, void *arg), void *arg)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	struct xsd_node *parent = n->parent;

	if (!parent) {
		return;
	}
	xsd_node_path(n, path, sizeof(path));
	remove_rec(t, n, path, strlen(path), visit, arg);
	child_del(parent, n);
	bump(t, parent);
	node_free(n);
}

size_t xsd_node_record_size(const struct xsd_node *n)
{
	size_t sz = 16 + n->nr_perms * 8 + n->len;
	unsigned i;

	for (i = 0; i < n->nr_children; i++) {
		sz += strlen(n->children[i]->name) + 1;
	}
	return sz;
}
