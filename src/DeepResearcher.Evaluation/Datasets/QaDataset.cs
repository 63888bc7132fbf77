using System.Text.Json;

namespace DeepResearcher.Evaluation.Datasets;

/// <summary>Loads question sets: the original's schema (<c>answers</c>) and FlashRAG's (<c>golden_answers</c>).</summary>
public static class QaDataset
{
    public static async Task<IReadOnlyList<QaExample>> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var examples = new List<QaExample>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach ((int line, JsonElement obj) in JsonlReader.ReadObjectsAsync(path, cancellationToken))
        {
            string id = JsonlReader.RequireString(obj, "id", path, line);
            if (!ids.TryAdd(id, line))
            {
                throw new DataFileException(path, line, $"duplicate id '{id}' (first seen on line {ids[id]})");
            }

            string question = JsonlReader.RequireString(obj, "question", path, line);
            string source = obj.TryGetProperty("source", out JsonElement s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()!
                : obj.TryGetProperty("data_source", out JsonElement ds) && ds.ValueKind == JsonValueKind.String ? ds.GetString()! : "unknown";
            JsonElement answers = obj.TryGetProperty("answers", out JsonElement a) ? a
                : obj.TryGetProperty("golden_answers", out JsonElement g) ? g
                : throw new DataFileException(path, line, "missing \"answers\" (or FlashRAG's \"golden_answers\")");
            if (answers.ValueKind != JsonValueKind.Array)
            {
                throw new DataFileException(path, line, "\"answers\" must be an array of strings");
            }

            var aliases = new List<string>();
            foreach (JsonElement alias in answers.EnumerateArray())
            {
                if (alias.ValueKind != JsonValueKind.String)
                {
                    throw new DataFileException(path, line, "every item of \"answers\" must be a string");
                }

                aliases.Add(alias.GetString()!);
            }

            examples.Add(new QaExample(id, source, question, aliases)
            {
                Hops = obj.TryGetProperty("hops", out JsonElement h) && h.ValueKind == JsonValueKind.Number ? h.GetInt32() : null,
                Type = obj.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null,
            });
        }

        return examples;
    }
}
