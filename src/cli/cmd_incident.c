/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "util/banned.h"

int cmd_incident(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return usage_error("incident", "not available yet");
}
