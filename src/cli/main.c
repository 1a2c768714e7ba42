/* main.c -- STUB */
#include "scorecard.h"
int main(void) { return 0; }
