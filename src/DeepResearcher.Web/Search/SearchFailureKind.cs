namespace DeepResearcher.Web.Search;

public enum SearchFailureKind
{
    /// <summary>The key is missing, invalid or out of credit (401/403): retrying will not help.</summary>
    Unauthorized,

    /// <summary>429: back off, honouring Retry-After.</summary>
    RateLimited,

    /// <summary>5xx, timeouts, connection failures: transient.</summary>
    Unavailable,

    /// <summary>The body could not be understood (malformed JSON, unexpected shape).</summary>
    BadResponse,

    /// <summary>The request itself was rejected (400): fix the query or parameters.</summary>
    BadRequest,

    /// <summary>The provider's query budget is spent.</summary>
    BudgetExhausted,
}
