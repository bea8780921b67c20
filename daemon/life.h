/* SPDX-License-Identifier: ISC */
#ifndef DAYTIMED_LIFE_H
#define DAYTIMED_LIFE_H
#endif
