namespace DeepResearcher.Web.Fetching;

/// <summary>A fetched page, or why it could not be fetched. Never an exception: the caller turns it into an observation.</summary>
public sealed record FetchResult
{
    public required Uri RequestedUrl { get; init; }

    public Uri? FinalUrl { get; init; }

    public int StatusCode { get; init; }

    public string ContentType { get; init; } = string.Empty;

    /// <summary>The decoded body (HTML or text).</summary>
    public string Body { get; init; } = string.Empty;

    /// <summary>The body was longer than the size limit and was cut.</summary>
    public bool Truncated { get; init; }

    public TimeSpan Elapsed { get; init; }

    public FetchFailureKind? Failure { get; init; }

    public string? Error { get; init; }

    public bool Succeeded => Failure is null;

    public static FetchResult Failed(Uri url, FetchFailureKind kind, string error, TimeSpan elapsed, int status = 0)
        => new() { RequestedUrl = url, Failure = kind, Error = error, Elapsed = elapsed, StatusCode = status };
}
