/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_NODE_SCHEMES_H
#define GS_NODE_SCHEMES_H

/* Built-in national classification schemes for well-known parties. */

struct builtin_scheme {
	const char *code;
	const char *name;
	const char *zone;
	const char *levels; /* "policy:" and "level:" lines, docs/identity-format.md */
};

/* NULL if the party has no built-in scheme. */
const struct builtin_scheme *builtin_scheme(const char *code);

#endif
