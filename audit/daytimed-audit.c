/* SPDX-License-Identifier: ISC */
/* stub */
int main(void) { return 1; }
