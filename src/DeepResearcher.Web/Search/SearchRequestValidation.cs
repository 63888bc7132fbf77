namespace DeepResearcher.Web.Search;

/// <summary>Rejects requests no provider could answer before any HTTP call is made (and before any money is spent).</summary>
internal static class SearchRequestValidation
{
    public const int MaxCount = 100;

    public static void Validate(string provider, SearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Query))
        {
            throw new SearchProviderException(provider, SearchFailureKind.BadRequest, "the query is empty; pass a non-blank SearchRequest.Query");
        }

        if (request.Count is < 1 or > MaxCount)
        {
            throw new SearchProviderException(provider, SearchFailureKind.BadRequest, $"SearchRequest.Count is {request.Count}; it must be between 1 and {MaxCount}");
        }
    }
}
