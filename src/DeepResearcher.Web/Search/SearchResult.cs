namespace DeepResearcher.Web.Search;

/// <summary>One normalised search hit, whatever the provider. <see cref="Position"/> is 1-based.</summary>
public sealed record SearchResult(string Title, string Url, string Snippet, int Position, string Provider);
