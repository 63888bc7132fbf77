using System.Text.Json;
using System.Text.Json.Serialization;
using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Caching;

/// <summary>The stored form of a search answer: a JSON array of results with camelCase fields.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SearchResult[]))]
internal sealed partial class SearchResultsJson : JsonSerializerContext
{
    public static string Serialize(IReadOnlyList<SearchResult> results)
    {
        var array = new SearchResult[results.Count];
        for (int i = 0; i < array.Length; i++)
        {
            array[i] = results[i];
        }

        return JsonSerializer.Serialize(array, Default.SearchResultArray);
    }

    /// <summary>The results, or null when the stored text is not a valid answer (then it is treated as a miss).</summary>
    public static SearchResult[]? Deserialize(string json)
    {
        try
        {
            SearchResult[]? results = JsonSerializer.Deserialize(json, Default.SearchResultArray);
            if (results is null || results.Length == 0)
            {
                return null;
            }

            foreach (SearchResult result in results)
            {
                if (result is null || result.Url is null || result.Title is null || result.Snippet is null || result.Provider is null)
                {
                    return null;
                }
            }

            return results;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
