using System.Net;
using System.Net.Sockets;

namespace DeepResearcher.Web.Tests.Fakes;

/// <summary>A loopback URL on a port that was free a moment ago and has nothing listening: connecting to it is refused.</summary>
public static class ClosedPort
{
    public static Uri Url()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
