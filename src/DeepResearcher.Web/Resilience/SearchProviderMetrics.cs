using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Resilience;

/// <summary>
/// A snapshot of one provider's usage for run metrics. <see cref="Queries"/> counts searches asked of it;
/// <see cref="UpstreamRequests"/> counts requests actually sent (retries included), which is what the provider bills.
/// </summary>
public sealed record SearchProviderMetrics(
    string Provider,
    long Queries,
    long UpstreamRequests,
    long Successes,
    long Retries,
    IReadOnlyDictionary<SearchFailureKind, long> FailuresByKind,
    long? QueryBudget,
    long? BudgetLeft,
    decimal? EstimatedCost)
{
    public long Failures
    {
        get
        {
            long total = 0;
            foreach (long count in FailuresByKind.Values)
            {
                total += count;
            }

            return total;
        }
    }
}
