/* SPDX-License-Identifier: ISC */
#ifndef DAYTIMED_ENGINE_H
#define DAYTIMED_ENGINE_H
#endif
