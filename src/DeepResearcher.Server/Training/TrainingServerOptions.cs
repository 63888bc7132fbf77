namespace DeepResearcher.Server.Training;

/// <summary>Where the training server listens and whom it answers; the request limits are the service's <c>TinkerServiceOptions</c>.</summary>
public sealed record TrainingServerOptions
{
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; } = 8100;

    /// <summary>When set, every <c>/api/v1/*</c> request but healthz must send it as <c>X-API-Key</c> (the SDK's header) or <c>Authorization: Bearer</c>.</summary>
    public string? ApiKey { get; init; }
}
