namespace DeepResearcher.Core.Protocol.Parsing;

public sealed record TurnParserOptions
{
    /// <summary>Queries of one <c>web_search</c> call that are executed; the rest are not sent at all (the original fetched and then discarded them).</summary>
    public int MaxQueriesPerSearch { get; init; } = 3;

    /// <summary>Tool names the model may call.</summary>
    public IReadOnlyList<string> KnownTools { get; init; } = [ResearchTools.WebSearchName, ResearchTools.BrowseWebpageName];
}
