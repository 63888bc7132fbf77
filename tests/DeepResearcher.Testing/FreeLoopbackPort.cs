using System.Net;
using System.Net.Sockets;

namespace DeepResearcher.Testing;

/// <summary>A loopback port free right now: tests that run in parallel give each training run its own fixed world port.</summary>
public static class FreeLoopbackPort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
