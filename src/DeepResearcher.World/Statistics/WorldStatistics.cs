using System.Globalization;
using System.Text;

namespace DeepResearcher.World.Statistics;

/// <summary>What a build produced. All counts are deterministic; maps are sorted by key so they serialise stably.</summary>
public sealed record WorldStatistics
{
    public required int Entities { get; init; }
    public required SortedDictionary<string, int> EntitiesByType { get; init; }
    public required int Pages { get; init; }
    public required SortedDictionary<string, int> PagesByKind { get; init; }
    public required int IndexedDocuments { get; init; }
    public required int LongPages { get; init; }
    public required int DistractorPages { get; init; }
    public required int Questions { get; init; }
    public required SortedDictionary<string, int> QuestionsByType { get; init; }
    public required SortedDictionary<string, int> QuestionsByHops { get; init; }
    public required SortedDictionary<string, int> QuestionsBySplit { get; init; }

    /// <summary>Share of questions whose answer sits beyond the first 40,960-character segment of its page.</summary>
    public required double DeepQuestionShare { get; init; }

    /// <summary>Share of indexed documents that are distractors (fan-wiki or forum pages stating a wrong value).</summary>
    public required double DistractorShare { get; init; }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"entities           {Entities,8}\n");
        foreach (var (k, v) in EntitiesByType) sb.Append(CultureInfo.InvariantCulture, $"  {k,-16} {v,8}\n");
        sb.Append(CultureInfo.InvariantCulture, $"pages (urls)       {Pages,8}\n");
        foreach (var (k, v) in PagesByKind) sb.Append(CultureInfo.InvariantCulture, $"  {k,-16} {v,8}\n");
        sb.Append(CultureInfo.InvariantCulture, $"indexed documents  {IndexedDocuments,8}\n");
        sb.Append(CultureInfo.InvariantCulture, $"long pages         {LongPages,8}\n");
        sb.Append(CultureInfo.InvariantCulture, $"distractor pages   {DistractorPages,8}   ({DistractorShare:P1} of indexed documents)\n");
        sb.Append(CultureInfo.InvariantCulture, $"questions          {Questions,8}\n");
        foreach (var (k, v) in QuestionsByType) sb.Append(CultureInfo.InvariantCulture, $"  type {k,-11} {v,8}\n");
        foreach (var (k, v) in QuestionsByHops) sb.Append(CultureInfo.InvariantCulture, $"  hops {k,-11} {v,8}\n");
        foreach (var (k, v) in QuestionsBySplit) sb.Append(CultureInfo.InvariantCulture, $"  split {k,-10} {v,8}\n");
        sb.Append(CultureInfo.InvariantCulture, $"deep-fact share    {DeepQuestionShare,8:P1}\n");
        return sb.ToString();
    }
}
