namespace DeepResearcher.Web.Fetching;

public enum FetchFailureKind
{
    InvalidUrl,

    /// <summary>The SSRF guard refused the address (loopback, private, link-local, metadata).</summary>
    Blocked,
    DnsFailure,
    ConnectionFailed,
    Timeout,
    TooManyRedirects,

    /// <summary>The server answered with a 4xx/5xx status.</summary>
    HttpError,
    UnsupportedContent,
}
