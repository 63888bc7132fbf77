namespace DeepResearcher.Tinker.Client;

/// <summary>A request the service accepted failed while it was processed (the SDK's RequestFailedError): its error and whose fault (user, server, unknown).</summary>
public sealed class TinkerRequestFailedException(string requestId, string error, string category)
    : Exception($"request {requestId} failed ({category}): {error}")
{
    public string RequestId { get; } = requestId;

    public string Error { get; } = error;

    public string Category { get; } = category;
}
