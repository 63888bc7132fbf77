using System.Text.Json.Nodes;

namespace DeepResearcher.Core.Protocol;

/// <summary>
/// The two tools of the DeepResearcher protocol (spec §2). Descriptions are paraphrased from the original;
/// <c>minItems</c>/<c>uniqueItems</c> sit on the array property, where JSON Schema reads them (the original put them
/// at the <c>parameters</c> level, where they mean nothing).
/// </summary>
public static class ResearchTools
{
    public const string WebSearchName = "web_search";
    public const string BrowseWebpageName = "browse_webpage";

    public static ToolSchema WebSearch { get; } = new(
        WebSearchName,
        "Search the web (Google) for information. Use it when the information gathered so far is not enough to answer, or when the previous search results were irrelevant.",
        Parameters("query", "The list of search queries to run.", "Search query."));

    public static ToolSchema BrowseWebpage { get; } = new(
        BrowseWebpageName,
        "Open web pages and return the information in them that is not already in the conversation. Use it after a web search whose results look relevant to the question.",
        Parameters("url_list", "The URLs of the pages to read. They must be taken from the search results.", "URL of a page from the search results."));

    /// <summary>Both tools, in the order the original listed them.</summary>
    public static IReadOnlyList<ToolSchema> All { get; } = [WebSearch, BrowseWebpage];

    /// <summary>The original's <c>rag</c> mode: search only, no browsing.</summary>
    public static IReadOnlyList<ToolSchema> SearchOnly { get; } = [WebSearch];

    private static JsonObject Parameters(string property, string description, string itemDescription) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            [property] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject { ["type"] = "string", ["description"] = itemDescription },
                ["minItems"] = 1,
                ["uniqueItems"] = true,
                ["description"] = description,
            },
        },
        ["required"] = new JsonArray(property),
    };
}
