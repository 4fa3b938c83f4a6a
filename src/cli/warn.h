/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CLI_WARN_H
#define GS_CLI_WARN_H

/* The subcommands of 'gsomia warn' that act on a node (cmd_warn_node.c):
 * each takes argv from the subcommand's name on. */
int warn_rule(int argc, char **argv);
int warn_publish(int argc, char **argv);
int warn_watch(int argc, char **argv);
int warn_listen(int argc, char **argv);

#endif
