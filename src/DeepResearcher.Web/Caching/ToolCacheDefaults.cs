namespace DeepResearcher.Web.Caching;

public static class ToolCacheDefaults
{
    /// <summary>Seven days, as in the original DeepResearcher: web results change slowly and every miss may cost money.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromDays(7);

    /// <summary>The table both backends use unless told otherwise.</summary>
    public const string TableName = "tool_cache";

    internal static void ValidateEntry(string key, string value, TimeSpan timeToLive)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (timeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "a cache entry's time to live must be positive");
        }
    }
}
