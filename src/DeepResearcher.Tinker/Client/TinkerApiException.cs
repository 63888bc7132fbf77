namespace DeepResearcher.Tinker.Client;

/// <summary>A Tinker service refused a request (after the retries the SDK would make): the route, the status and the server's detail.</summary>
public sealed class TinkerApiException(string route, int status, string detail, Exception? inner = null)
    : Exception($"{route}: {(status == 0 ? "no answer" : $"HTTP {status}")}: {detail}", inner)
{
    public string Route { get; } = route;

    /// <summary>0 when the server never answered (refused, reset, or past the deadline every time).</summary>
    public int Status { get; } = status;

    public string Detail { get; } = detail;
}
