using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Resilience;

public sealed class FailoverOptions
{
    /// <summary>The chain's name (its <see cref="ISearchProvider.Name"/>, used for instance as its cache-key namespace).</summary>
    public string Name { get; init; } = "failover";

    /// <summary>Consecutive transient failures (rate limited, unavailable, bad response) that open a provider's circuit.</summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>How long an open circuit skips its provider before letting one probe through.</summary>
    public TimeSpan CoolDown { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Told about every provider failure the chain recovered from (or not), e.g. to log "serper: HTTP 401 … set SERPER_API_KEY"
    /// while brave answered in its place.
    /// </summary>
    public Action<SearchProviderException>? FailureObserved { get; init; }
}
