using System.CommandLine;
using DeepResearcher.Core.Rewards;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>--metric-rules</c>: the named departures from the published metric definitions, shared by <c>eval score</c> and <c>eval run</c>.</summary>
internal static class MetricRulesOption
{
    public static Option<string?> Create() => new("--metric-rules")
    {
        HelpName = "RULE,RULE",
        Description = "Comma-separated departures from the published metrics (default none: SQuAD v1.1 EM/F1 and the original's set-F1 exactly): "
            + string.Join("; ", MetricRuleNames.All.Select(r => $"{r.Name}: {r.Description}")) + ".",
    };

    public static MetricRules Parse(string? value)
    {
        try
        {
            return value is null ? MetricRules.None : MetricRuleNames.Parse([value]);
        }
        catch (FormatException ex)
        {
            throw new UsageException("--metric-rules: " + ex.Message);
        }
    }
}
