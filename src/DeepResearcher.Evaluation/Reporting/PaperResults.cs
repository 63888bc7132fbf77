namespace DeepResearcher.Evaluation.Reporting;

/// <summary>
/// The paper's own numbers (arXiv 2504.03160, Tables 1–2; spec §8), F1 / MBE in percent, shown next to a run's
/// scores for comparison. They are the paper's measurements, not this project's.
/// </summary>
public static class PaperResults
{
    public static IReadOnlyList<string> InDomain { get; } = ["nq", "tq", "hotpotqa", "2wiki"];

    public static IReadOnlyList<string> OutOfDomain { get; } = ["musique", "bamboogle", "popqa"];

    public static IReadOnlyDictionary<string, string> DisplayNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["nq"] = "NQ", ["tq"] = "TQ", ["hotpotqa"] = "HotpotQA", ["2wiki"] = "2Wiki", ["musique"] = "MuSiQue", ["bamboogle"] = "Bamboogle", ["popqa"] = "PopQA",
    };

    public static IReadOnlyList<PaperMethod> Methods { get; } =
    [
        M("CoT", "local", (19.8, 32.0), (45.6, 48.2), (24.4, 27.9), (26.4, 27.3), (8.5, 7.4), (22.1, 21.6), (17.0, 15.0)),
        M("CoT+RAG", "local", (42.0, 59.6), (68.9, 75.8), (37.1, 43.8), (24.4, 24.8), (10.0, 10.0), (25.4, 27.2), (46.9, 48.8)),
        M("Search-o1*", "local", (34.5, 57.4), (52.6, 61.1), (31.6, 40.8), (28.6, 32.8), (16.8, 21.3), (35.8, 38.4), (36.9, 42.4)),
        M("Search-o1", "web", (32.4, 55.1), (58.9, 69.5), (33.0, 42.4), (30.9, 37.7), (14.7, 19.7), (46.6, 53.6), (38.3, 43.4)),
        M("Search-r1-base", "local", (45.4, 60.0), (71.9, 76.2), (55.9, 63.0), (44.6, 47.9), (26.7, 27.5), (56.5, 57.6), (43.2, 47.0)),
        M("Search-r1-instruct", "local", (33.1, 49.6), (44.7, 49.2), (45.7, 52.5), (43.4, 48.8), (26.5, 28.3), (45.0, 47.2), (43.0, 44.5)),
        M("R1-Searcher", "web", (35.4, 52.3), (73.1, 79.1), (44.8, 53.1), (59.4, 65.8), (22.8, 25.6), (64.8, 65.6), (42.7, 43.4)),
        M("DeepResearcher-7B", "web", (39.6, 61.9), (78.4, 85.0), (52.8, 64.3), (59.7, 66.6), (27.1, 29.3), (71.0, 72.8), (48.5, 52.7)) with { IsDeepResearcher = true },
    ];

    /// <summary>The paper's benchmark key for a run's source name (case and common spellings ignored), or null.</summary>
    public static string? BenchmarkOf(string source)
    {
        string s = source.Trim().ToLowerInvariant().Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        return s switch
        {
            "nq" or "naturalquestions" => "nq",
            "tq" or "triviaqa" => "tq",
            "hotpotqa" or "hotpot" => "hotpotqa",
            "2wiki" or "2wikimultihopqa" or "2wikimqa" => "2wiki",
            "musique" => "musique",
            "bamboogle" => "bamboogle",
            "popqa" => "popqa",
            _ => null,
        };
    }

    private static PaperMethod M(string name, string environment, params (double F1, double Mbe)[] scores)
    {
        var map = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
        string[] keys = [.. InDomain, .. OutOfDomain];
        for (int i = 0; i < keys.Length; i++)
        {
            map[keys[i]] = scores[i];
        }

        return new PaperMethod(name, environment, map);
    }
}
