/* SPDX-License-Identifier: Apache-2.0 */
#include "net/local_internal.h"
#include "util/banned.h"
