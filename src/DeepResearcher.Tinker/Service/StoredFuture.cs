namespace DeepResearcher.Tinker.Service;

/// <summary>A request the service accepted: its kind, whose it is, the request as received, and once done its result JSON.</summary>
public sealed record StoredFuture(long RequestId, string Kind, string? ModelId, long? SeqId, string RequestJson, string Status, string? ResultJson)
{
    public const string Pending = "pending";

    public const string Completed = "completed";

    public const string Failed = "failed";
}
