namespace DeepResearcher.Evaluation.Runs;

/// <summary>The file names of a run directory (docs/run-format.md).</summary>
public static class RunFiles
{
    public const string Manifest = "run.json";
    public const string Results = "results.jsonl";
    public const string Trajectories = "trajectories.jsonl";
    public const string Metrics = "metrics.jsonl";
    public const string Groups = "groups.jsonl";
    public const string WarmStart = "warm-start.jsonl";
    public const string Evaluations = "evaluations.jsonl";
    public const string JudgeCache = "judge-cache.jsonl";
    public const string HtmlReport = "report.html";
    public const string MarkdownReport = "report.md";
}
