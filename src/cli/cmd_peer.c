/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "net/client.h"
#include "util/banned.h"

static const char peer_help[] =
	"usage: gsomia peer ping CODE [--json] [--home DIR]\n\n"
	"ping asks the node of party CODE, at the endpoint of its identity, who it\n"
	"takes us for (GET /v1/peer/whoami): the TLS connection is mutual, this\n"
	"node's certificate against the peer's key pinned in its identity. It\n"
	"succeeds if the peer names this node's party.\n";

static int peer_ping(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *said;
	struct gs_diag d = { { 0 } };
	struct party *peer = NULL;
	struct node *n = NULL;
	json_t *j = NULL, *err;
	json_error_t jerr;
	char *reply = NULL;
	bool json = false;
	long status = 0;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(peer_help, stdout); return EXIT_OK;
		default: return usage_error("peer ping", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("peer ping", "give one party CODE");
	if ((ret = open_node_read(home, &n)))
		return ret;
	peer = calloc(1, sizeof(*peer));
	if (!peer) {
		ret = failf(GS_ENOMEM, "out of memory");
		goto out;
	}
	if ((ret = node_party_get(n, argv[optind], peer, &d)) ||
	    (ret = peer_get(n, peer, "/v1/peer/whoami", &status, &reply, &d))) {
		ret = fail(ret, &d);
		goto out;
	}
	j = json_loads(reply, JSON_REJECT_DUPLICATES, &jerr);
	if (status != 200) {
		err = j ? json_object_get(j, "error") : NULL;
		ret = failf(GS_EDENIED, "%s (%s) refused us: HTTP %ld%s%s", peer->code, peer->endpoint,
			    status, json_is_string(err) ? ": " : "",
			    json_is_string(err) ? json_string_value(err) : "");
		goto out;
	}
	said = j ? json_string_value(json_object_get(j, "peer")) : NULL;
	if (!said) {
		ret = failf(GS_EINVAL, "%s (%s): reply is not {\"peer\": CODE}", peer->code, peer->endpoint);
		goto out;
	}
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "party", json_string(peer->code));
		json_object_set_new(o, "endpoint", json_string(peer->endpoint));
		json_object_set_new(o, "we_are", json_string(said));
		print_json(o);
	} else {
		printf("%s at %s knows us as %s\n", peer->code, peer->endpoint, said);
	}
	if (strcmp(said, node_self(n)->code)) {
		ret = failf(GS_EDENIED, "%s takes us for '%s', not '%s'", peer->code, said, node_self(n)->code);
		goto out;
	}
	ret = EXIT_OK;
out:
	json_decref(j);
	free(reply);
	free(peer);
	node_close(n);
	return ret;
}

int cmd_peer(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(peer_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "ping"))
		return peer_ping(argc - 1, argv + 1);
	return usage_error("peer", "unknown subcommand '%s'", argv[1]);
}
