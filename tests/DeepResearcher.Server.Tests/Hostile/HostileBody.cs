using System.Net;

namespace DeepResearcher.Server.Tests.Hostile;

/// <summary>One hostile request: what is sent and what the tool server must answer (status, and a phrase of its error JSON).</summary>
public sealed record HostileBody(string Name, string Path, string? ContentType, byte[] Body, HttpStatusCode Status, string Expected)
{
    public override string ToString() => Name;
}
