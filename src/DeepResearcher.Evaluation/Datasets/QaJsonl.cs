using System.Text.Encodings.Web;
using System.Text.Json;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Datasets;

/// <summary>Question sets as JSONL: the original's schema (<c>answers</c>) and FlashRAG's (<c>golden_answers</c>).</summary>
internal static class QaJsonl
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<IReadOnlyList<QaExample>> ReadAsync(string path, CancellationToken cancellationToken)
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

    public static Task WriteAsync(string path, IEnumerable<QaExample> examples, CancellationToken cancellationToken)
        => AtomicFile.WriteAllLinesAsync(path, examples.Select(ToLine), cancellationToken);

    /// <summary>One line of the original's schema; <c>hops</c> and <c>type</c> only where the example has them.</summary>
    public static string ToLine(QaExample example)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", example.Id);
            writer.WriteString("source", example.Source);
            writer.WriteString("question", example.Question);
            writer.WriteStartArray("answers");
            foreach (string answer in example.Answers)
            {
                writer.WriteStringValue(answer);
            }

            writer.WriteEndArray();
            if (example.Hops is int hops)
            {
                writer.WriteNumber("hops", hops);
            }

            if (example.Type is string type)
            {
                writer.WriteString("type", type);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
