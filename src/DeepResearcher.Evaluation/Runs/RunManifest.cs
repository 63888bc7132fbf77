using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Runs;

/// <summary><c>run.json</c>: what a run is and how it was made.</summary>
public sealed record RunManifest
{
    public required string Name { get; init; }

    /// <summary><c>eval</c> or <c>train</c>.</summary>
    public required string Kind { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public string Model { get; init; } = string.Empty;

    public string Data { get; init; } = string.Empty;

    /// <summary>The environment: <c>none</c>, <c>world:DIR</c>, <c>web</c>…</summary>
    public string Tools { get; init; } = "none";

    public JsonObject Config { get; init; } = [];

    /// <summary>The <see cref="Config"/> key (an array of rule names) an evaluation run records its metric rules under.</summary>
    public const string MetricRulesKey = "metric_rules";

    /// <summary>
    /// The metric rules the run's scores were computed with: <c>config.metric_rules</c> (eval runs) or
    /// <c>config.reward.metric_rules</c> (train runs); null when the run predates their recording (or names an unknown rule).
    /// </summary>
    public MetricRules? RecordedMetricRules()
    {
        JsonNode? names = Config[MetricRulesKey] ?? (Config["reward"] as JsonObject)?[MetricRulesKey];
        if (names is not JsonArray array || array.Any(n => n?.GetValueKind() != JsonValueKind.String))
        {
            return null;
        }

        try
        {
            return MetricRuleNames.Parse(array.Select(n => n!.GetValue<string>()));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The line reports print under "metrics".</summary>
    public string MetricsDescription()
        => RecordedMetricRules() is MetricRules rules
            ? MetricRuleNames.Describe(rules)
            : "not recorded (a run made before metric rules were: scored with unicode-punctuation and hotpotqa-yes-no)";

    public static async Task<RunManifest> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFileException(path, null, "file not found");
        }

        try
        {
            return JsonSerializer.Deserialize<RunManifest>(await File.ReadAllTextAsync(path, cancellationToken), RunJson.Options)
                ?? throw new DataFileException(path, 1, "expected a JSON object, got null");
        }
        catch (JsonException ex)
        {
            throw new DataFileException(path, null, $"not a valid run manifest ({ex.Message.Split(" Path:", 2)[0]})");
        }
    }

    public Task SaveAsync(string path, CancellationToken cancellationToken)
        => AtomicFile.WriteAllTextAsync(path, JsonSerializer.Serialize(this, new JsonSerializerOptions(RunJson.Options) { WriteIndented = true }) + "\n", cancellationToken);
}
