namespace DeepResearcher.Web.Search;

/// <summary>A query with the parameters that change its results (and therefore its cache key).</summary>
public sealed record SearchRequest(string Query, int Count = 10, string Region = "us", string Language = "en");
