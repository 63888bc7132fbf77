using System.Diagnostics;

namespace DeepResearcher.Web.Observability;

/// <summary>
/// The web tools' spans: one per search query (<c>web.search</c>) with, under it, each request a provider sends
/// (<c>search.request</c>); one per page a browse reads (<c>web.page</c>) with its fetch (<c>web.fetch</c>) and its
/// reader call (<c>web.read</c>). Tag names follow OpenTelemetry's semantic conventions where one exists.
/// </summary>
public static class WebTracing
{
    public const string SourceName = "DeepResearcher.Web";

    public const string ProviderTag = "deepresearcher.search.provider";
    public const string QueryTag = "deepresearcher.search.query";
    public const string ResultsTag = "deepresearcher.search.results";
    public const string ReaderTag = "deepresearcher.reader";
    public const string FindingsTag = "deepresearcher.reader.findings";
    public const string UrlTag = "url.full";
    public const string ServerAddressTag = "server.address";
    public const string HttpStatusTag = "http.response.status_code";

    public static ActivitySource Source { get; } = new(SourceName);
}
