using System.Diagnostics;

namespace DeepResearcher.Server.Observability;

/// <summary>
/// The tool server's span per call it serves (<c>tool_server.call</c>), tagged with the calling trajectory. Under
/// ASP.NET Core's request span, which continues the caller's W3C trace context, so an agent's tool call, the
/// server's work and the search provider's requests are one trace.
/// </summary>
public static class ServerTracing
{
    public const string SourceName = "DeepResearcher.Server";

    public static ActivitySource Source { get; } = new(SourceName);
}
