/* drydock_main.c: the drydock binary is the CLI over the library. */
#include "core/cli/cli.h"

int main(int argc, char **argv)
{
	return dd_cli_main(argc, argv);
}
