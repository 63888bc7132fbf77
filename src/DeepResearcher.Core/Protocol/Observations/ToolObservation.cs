namespace DeepResearcher.Core.Protocol.Observations;

/// <summary>What a tool call returns to the model, before it is rendered as text.</summary>
public abstract record ToolObservation;

/// <summary>One search result as the model sees it: title, URL and snippet (the original's <c>quick_summary</c>).</summary>
public sealed record SearchHit(string Title, string Url, string Snippet);

/// <summary>The results of one executed query; <see cref="Error"/> says why a query failed (its hits are then empty).</summary>
public sealed record QueryResults(string Query, IReadOnlyList<SearchHit> Hits, string? Error = null);

/// <summary>The observation of a <c>web_search</c> call: one entry per executed query, in order.</summary>
public sealed record SearchObservation(IReadOnlyList<QueryResults> Queries) : ToolObservation;

/// <summary>New information found on one page segment (0-based, as in the original).</summary>
public sealed record PageInformation(int PageNumber, string Summary);

/// <summary>What reading one URL produced; <see cref="Error"/> says why a page could not be read.</summary>
public sealed record PageFindings(string Url, IReadOnlyList<PageInformation> Information, string? Error = null);

/// <summary>The observation of a <c>browse_webpage</c> call: one entry per URL read.</summary>
public sealed record BrowseObservation(IReadOnlyList<PageFindings> Pages) : ToolObservation;

/// <summary>A tool call that could not be carried out at all, or a protocol error returned to the model in inference mode.</summary>
public sealed record ToolErrorObservation(string Message) : ToolObservation;

/// <summary>
/// What a tool outside the protocol returned as plain text (an MCP server's own search tool, say): the model reads it
/// as the tool wrote it, since there is no structure to render.
/// </summary>
public sealed record TextObservation(string Text) : ToolObservation;
