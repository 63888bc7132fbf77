namespace DeepResearcher.Core.Rewards;

/// <summary>
/// Departures from the published metric definitions, each off unless named. With none, EM and F1 are SQuAD v1.1's
/// <c>evaluate-v1.1.py</c> and set-F1 is the original DeepResearcher reward's (<c>format_and_f1.py</c>), so figures compare
/// with papers. <see cref="MetricRuleNames"/> gives their names on the command line and in config files.
/// </summary>
[Flags]
public enum MetricRules
{
    None = 0,

    /// <summary>
    /// <c>unicode-punctuation</c>: every Unicode punctuation character (categories P*) counts as punctuation, not only
    /// ASCII's <c>string.punctuation</c>, so “Paris” or an en dash no longer sticks to the word (all three metrics).
    /// </summary>
    UnicodePunctuation = 1,

    /// <summary>
    /// <c>hotpotqa-yes-no</c>: HotpotQA's F1 rule: when the normalised prediction or gold is yes, no or noanswer and the
    /// two differ, F1 is 0, so "no" earns nothing against "yes it is not" (F1 only; EM and set-F1 are unchanged).
    /// </summary>
    HotpotQaYesNo = 2,
}
