namespace DeepResearcher.Core.Rewards;

/// <summary>The names of <see cref="MetricRules"/> as options and config files spell them, and their parsing.</summary>
public static class MetricRuleNames
{
    public const string UnicodePunctuation = "unicode-punctuation";

    public const string HotpotQaYesNo = "hotpotqa-yes-no";

    /// <summary>What reports print when no rule is on.</summary>
    public const string PublishedLabel = "published definitions (SQuAD v1.1 EM/F1, the original's set-F1)";

    /// <summary>Every rule with a one-line description, for <c>--help</c>.</summary>
    public static IReadOnlyList<(string Name, MetricRules Rule, string Description)> All { get; } =
    [
        (UnicodePunctuation, MetricRules.UnicodePunctuation, "Unicode punctuation (“”, –, …) is removed like ASCII's (all metrics)"),
        (HotpotQaYesNo, MetricRules.HotpotQaYesNo, "HotpotQA's F1 rule: a yes/no/noanswer prediction or gold that differs from the other scores F1 0"),
    ];

    /// <summary>
    /// Parses rule names (each item may itself be comma-separated; case and surrounding blanks are ignored).
    /// </summary>
    /// <exception cref="FormatException">A name that is not a rule; the message lists the rules.</exception>
    public static MetricRules Parse(IEnumerable<string> names)
    {
        MetricRules rules = MetricRules.None;
        foreach (string item in names)
        {
            foreach (string raw in item.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string name = raw.ToLowerInvariant();
                (string Name, MetricRules Rule, string Description) match = All.FirstOrDefault(r => r.Name == name);
                if (match.Name is null)
                {
                    throw new FormatException($"'{raw}' is not a metric rule; the rules are {string.Join(", ", All.Select(r => r.Name))} (none: the published definitions)");
                }

                rules |= match.Rule;
            }
        }

        return rules;
    }

    /// <summary>The names of the rules that are on, in a fixed order; empty for the published definitions.</summary>
    public static IReadOnlyList<string> Format(MetricRules rules) => [.. All.Where(r => (rules & r.Rule) != 0).Select(r => r.Name)];

    /// <summary>One line for reports: the published definitions, or them plus the named rules.</summary>
    public static string Describe(MetricRules rules)
        => rules == MetricRules.None ? PublishedLabel : "published definitions + " + string.Join(", ", Format(rules));
}
