using System.Text.Json;

namespace DeepResearcher.Web.Search;

/// <summary>Tolerant readers for provider JSON: a missing or mistyped optional field reads as null rather than throwing.</summary>
internal static class JsonFields
{
    public static string? String(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static int? Int(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
            ? number
            : null;

    /// <summary>
    /// The array at <paramref name="name"/>: <c>false</c> when the field is absent (several providers omit the list when there are no
    /// results); a field that is present but not an array is a <see cref="SearchFailureKind.BadResponse"/>.
    /// </summary>
    public static bool TryArray(ProviderHttpExchange exchange, JsonElement parent, string path, string name, out JsonElement array)
    {
        array = default;
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw exchange.BadShape($"'{path}' is {Describe(parent.ValueKind)}, expected an object");
        }

        if (!parent.TryGetProperty(name, out array) || array.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw exchange.BadShape($"'{(path.Length == 0 ? name : path + "." + name)}' is {Describe(array.ValueKind)}, expected an array");
        }

        return true;
    }

    /// <summary>Normalises up to <paramref name="count"/> items of a result array; items without a URL are skipped.</summary>
    public static IReadOnlyList<SearchResult> Results(
        JsonElement array, int count, string provider, string titleField, string urlField, string snippetField, string? positionField = null)
    {
        var results = new List<SearchResult>(Math.Min(count, array.GetArrayLength()));
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (results.Count == count)
            {
                break;
            }

            string? url = String(item, urlField)?.Trim();
            if (string.IsNullOrEmpty(url))
            {
                continue;
            }

            int position = (positionField is null ? null : Int(item, positionField)) ?? results.Count + 1;
            results.Add(new SearchResult(SnippetText.Clean(String(item, titleField)), url, SnippetText.Clean(String(item, snippetField)), position, provider));
        }

        return results;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "missing",
    };
}
