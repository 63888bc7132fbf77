using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Toolbox;

namespace DeepResearcher.Environments.Composition;

/// <summary>
/// How much of the tools' output a policy reads: results per query, snippet length and sentences the reader keeps per
/// segment. A model is trained in one presentation and must be evaluated and served in the same one, so the presets
/// have names that a command line, a checkpoint's agent settings and a tool server can all say.
/// </summary>
public sealed record ToolboxProfile
{
    public const string DefaultName = "default";
    public const string CompactName = "compact";

    /// <summary>What the settings are called, or <c>custom</c> when they match no preset.</summary>
    public string Name { get; init; } = DefaultName;

    /// <summary>Results per query shown to the model.</summary>
    public int ResultsPerQuery { get; init; } = 10;

    /// <summary>Snippets are cut at a word boundary after this many characters; 0 keeps them whole.</summary>
    public int MaxSnippetChars { get; init; }

    /// <summary>Sentences the extractive reader keeps per page segment.</summary>
    public int ReaderSentencesPerSegment { get; init; } = 5;

    /// <summary>The original's presentation: top 10 results, whole snippets, 5 sentences per segment.</summary>
    public static ToolboxProfile Default { get; } = new();

    /// <summary>
    /// What the offline-tiny policy is trained with: 3 results, 100-character snippets, 2 sentences per segment, so
    /// observations fit the small model's context. <c>train</c> uses it for every run (a pretrained model too).
    /// </summary>
    public static ToolboxProfile Compact { get; } = new() { Name = CompactName, ResultsPerQuery = 3, MaxSnippetChars = 100, ReaderSentencesPerSegment = 2 };

    public static IReadOnlyList<ToolboxProfile> Named { get; } = [Default, Compact];

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No preset has that name (the message lists them).</exception>
    public static ToolboxProfile Parse(string name)
        => Named.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
           ?? throw new ArgumentException($"unknown tool profile '{name}'; use {string.Join(" or ", Named.Select(p => p.Name))}");

    /// <summary>These values under the name of the preset they equal, or <c>custom</c>.</summary>
    public static ToolboxProfile Of(int resultsPerQuery, int maxSnippetChars, int readerSentencesPerSegment)
    {
        var values = new ToolboxProfile { Name = "custom", ResultsPerQuery = resultsPerQuery, MaxSnippetChars = maxSnippetChars, ReaderSentencesPerSegment = readerSentencesPerSegment };
        return Named.FirstOrDefault(p => p with { Name = values.Name } == values) ?? values;
    }

    /// <summary><paramref name="options"/> with this profile's results per query and snippet length.</summary>
    public WebToolboxOptions ApplyTo(WebToolboxOptions options) => options with { ResultsPerQuery = ResultsPerQuery, MaxSnippetChars = MaxSnippetChars };

    public ExtractivePageReaderOptions ReaderOptions() => new() { MaxSentencesPerSegment = ReaderSentencesPerSegment };

    public override string ToString() => Name;
}
