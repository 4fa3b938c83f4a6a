/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GS_CLI_COMMANDS_H
#define GS_CLI_COMMANDS_H

/*
 * Each command family is one cmd_<name>(argc, argv) in its own file;
 * argv[0] is the command name. Exit status: 0 success, 1 refused or
 * failed, 2 bad usage (docs/commands.md).
 */

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_version(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_party(int argc, char **argv);
int cmd_agreement(int argc, char **argv);
int cmd_person(int argc, char **argv);
int cmd_facility(int argc, char **argv);
int cmd_decide(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_receive(int argc, char **argv);
int cmd_receipt(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_items(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_translate(int argc, char **argv);
int cmd_reclassify(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_return(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_consent(int argc, char **argv);
int cmd_release_onward(int argc, char **argv);
int cmd_incident(int argc, char **argv);
int cmd_visit(int argc, char **argv);
int cmd_attention(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_warn(int argc, char **argv);
/* running the node (docs/operations.md) */
int cmd_metrics(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
