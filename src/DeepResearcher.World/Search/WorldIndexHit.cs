namespace DeepResearcher.World.Search;

/// <summary>
/// One page the world's full-text index matched. <see cref="Url"/> is a site-relative path ("/wiki/Name"): the index
/// knows no origin, so the Serper endpoint and the in-process provider each make it absolute for their own base. Not
/// <c>DeepResearcher.Web.Search.SearchResult</c>, a provider's normalised hit with an absolute URL, rank and provider name:
/// World references no web code, and a hit gains those only when a provider hands it on.
/// </summary>
public sealed record WorldIndexHit(string Title, string Url, string Snippet);
