using System.Text.Json;

namespace DeepResearcher.Evaluation.Datasets;

/// <summary>Reads JSONL files line by line, turning every problem into a <see cref="DataFileException"/> with the line number.</summary>
internal static class JsonlReader
{
    public static async IAsyncEnumerable<(int Line, JsonElement Value)> ReadObjectsAsync(
        string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFileException(path, null, "file not found");
        }

        using var reader = new StreamReader(path);
        int lineNumber = 0;
        bool any = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement element;
            try
            {
                using JsonDocument document = JsonDocument.Parse(line);
                element = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new DataFileException(path, lineNumber, $"not valid JSON ({ex.Message.Split(" LineNumber", 2)[0]})");
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new DataFileException(path, lineNumber, $"expected a JSON object, got {element.ValueKind.ToString().ToLowerInvariant()}");
            }

            any = true;
            yield return (lineNumber, element);
        }

        if (!any)
        {
            throw new DataFileException(path, null, "the file is empty: expected one JSON object per line");
        }
    }

    public static string RequireString(JsonElement obj, string key, string path, int line)
    {
        if (!obj.TryGetProperty(key, out JsonElement value))
        {
            throw new DataFileException(path, line, $"missing \"{key}\"");
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw new DataFileException(path, line, $"\"{key}\" must be a string, got {value.ValueKind.ToString().ToLowerInvariant()}"),
        };
    }
}
