namespace DeepResearcher.Tinker.Client;

/// <summary>
/// Where a Tinker-compatible service is and how to talk to it. The retry numbers are the SDK's (<c>_constants.py</c>:
/// 10 retries, 0.5 s doubling to 10 s with up to 25 % jitter, a Retry-After of at most 60 s obeyed; 60 s per request).
/// </summary>
public sealed record TinkerClientOptions
{
    /// <summary>The service's root (the SDK's TINKER_BASE_URL); routes are under <c>api/v1/</c>.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>The key sent as <c>X-API-Key</c>; none for a server started without one. Never logged or printed.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Deadline of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Deadline of one retrieve_future call; the server holds a pending one for less (SDK: 45 s).</summary>
    public TimeSpan RetrieveTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>Retries of a request that got 408, 409, 429, a 5xx or no answer.</summary>
    public int MaxRetries { get; init; } = 10;

    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of one future, from submission to its result.</summary>
    public TimeSpan FutureTimeout { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Waits between polls of a pending future: this, doubling up to <see cref="MaxPollDelay"/>.</summary>
    public TimeSpan InitialPollDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan MaxPollDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Between session heartbeats (the SDK's 10 s).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Sent as create_session's sdk_version.</summary>
    public string SdkVersion { get; init; } = "deepresearcher-0.1.0";

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>
    /// The options for <paramref name="baseUrl"/> with the key read from <paramref name="apiKeyVariable"/> (the SDK's
    /// TINKER_API_KEY by default); an unset variable means no key, for a local server started without one.
    /// </summary>
    public static TinkerClientOptions FromEnvironment(Uri baseUrl, string apiKeyVariable = "TINKER_API_KEY")
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        string? key = Environment.GetEnvironmentVariable(apiKeyVariable);
        return new TinkerClientOptions { BaseUrl = baseUrl, ApiKey = string.IsNullOrEmpty(key) ? null : key };
    }

    /// <summary>Never the key: a record's generated ToString would print it.</summary>
    public override string ToString() => $"Tinker at {BaseUrl} ({(ApiKey is null ? "no key" : "with a key")})";
}
