/* drydock_main.c: the drydock binary is the CLI over the library. */
#include "cli.h"

int main(int argc, char **argv)
{
	return dd_cli_main(argc, argv);
}
