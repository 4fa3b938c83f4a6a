/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_FAULT_H
#define GS_FAULT_H

/*
 * Crash points for tests. fault_point("release-committed") ends the
 * process at once (_exit(99), no cleanup, as a power cut would) when the
 * environment variable GSOMIA_FAULT names that point. The tests use them
 * to show that a crash between any two steps of an action leaves the
 * whole action or none of it (tests/cli/crash.sh). Without the variable a
 * point costs one getenv.
 */

void fault_point(const char *name);

#endif
