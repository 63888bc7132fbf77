using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Resilience;

/// <summary>A snapshot of one provider's standing in a <see cref="FailoverSearchProvider"/>.</summary>
public sealed record ProviderHealth(
    string Provider,
    CircuitState State,
    int ConsecutiveTransientFailures,
    long Successes,
    long Failures,
    long Skipped,
    SearchFailureKind? LastFailureKind,
    string? LastFailure,
    DateTimeOffset? OpenUntil);
