/* SPDX-License-Identifier: ISC */
/* stub: to be written */
#include "autoconf.h"
