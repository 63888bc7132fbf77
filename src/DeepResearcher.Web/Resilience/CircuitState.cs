namespace DeepResearcher.Web.Resilience;

public enum CircuitState
{
    /// <summary>Healthy: calls go through.</summary>
    Closed,

    /// <summary>Too many consecutive transient failures: the provider is skipped until the cool-down ends.</summary>
    Open,

    /// <summary>Cool-down over: one probe call is let through; its outcome closes or re-opens the circuit.</summary>
    HalfOpen,
}
