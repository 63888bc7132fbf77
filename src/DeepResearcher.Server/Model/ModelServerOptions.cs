namespace DeepResearcher.Server.Model;

/// <summary>Where the model server listens and whom it answers; the request limits are the service's <c>ServingOptions</c>.</summary>
public sealed record ModelServerOptions
{
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; } = 8000;

    /// <summary>When set, every <c>/v1/*</c> request must send <c>Authorization: Bearer</c> this key.</summary>
    public string? ApiKey { get; init; }
}
