/* Built by tests/install.rs against an installed prefix with nothing but
 * `pkg-config --cflags --libs [--static] hpsocket4c`: upstream's examples' include form
 * <hpsocket/HPSocket4C.h> and the plain <HPSocket4C.h> both resolve (to the same header, once),
 * and the library answers. Prints "version <major>.<minor>.<revise>" and "server created". */
#include <hpsocket/HPSocket4C.h>
#include <HPSocket4C.h>
#include <HPTypeDef.h>
#include <stdio.h>

int main(void)
{
    DWORD v = HP_GetHPSocketVersion();
    printf("version %u.%u.%u\n", (unsigned)(v >> 24), (unsigned)((v >> 16) & 0xff), (unsigned)((v >> 8) & 0xff));
    HP_TcpServerListener listener = Create_HP_TcpServerListener();
    HP_TcpServer server = Create_HP_TcpServer(listener);
    if (!server) return 1;
    printf("server created\n");
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpServerListener(listener);
    return 0;
}
