/* SPDX-License-Identifier: Apache-2.0 */
#include "node/consent.h"
#include "util/banned.h"
