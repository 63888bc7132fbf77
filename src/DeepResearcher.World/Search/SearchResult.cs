namespace DeepResearcher.World.Search;

/// <summary>One hit. <see cref="Url"/> is a site-relative path ("/wiki/Name"); the server turns it into an absolute link.</summary>
public sealed record SearchResult(string Title, string Url, string Snippet);
