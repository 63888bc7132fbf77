using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DeepResearcher.World.Questions;

/// <summary>
/// Reads and writes question files, one JSON object per line:
/// {"id","source","question","answers":[…],"hops","type","answer_entity","answer_page","path":[{"entity","name","page","relation","value","value_entity","segment","query"}]}.
/// </summary>
public static class QuestionJsonl
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static string ToLine(WorldQuestion q)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", q.Id);
            w.WriteString("source", q.Source);
            w.WriteString("question", q.Question);
            w.WriteStartArray("answers");
            foreach (var a in q.Answers) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteNumber("hops", q.Hops);
            w.WriteString("type", QuestionTypes.WireName(q.Type));
            w.WriteString("answer_entity", q.AnswerEntity);
            w.WriteString("answer_page", q.AnswerPage);
            w.WriteStartArray("path");
            foreach (var s in q.Path)
            {
                w.WriteStartObject();
                w.WriteString("entity", s.Entity);
                w.WriteString("name", s.Name);
                w.WriteString("page", s.Page);
                w.WriteString("relation", s.Relation);
                w.WriteString("value", s.Value);
                if (s.ValueEntity is null) w.WriteNull("value_entity");
                else w.WriteString("value_entity", s.ValueEntity);
                w.WriteNumber("segment", s.Segment);
                w.WriteString("query", s.Query);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    public static async Task WriteAsync(string path, IEnumerable<WorldQuestion> questions, CancellationToken ct)
    {
        var sb = new StringBuilder();
        foreach (var q in questions) sb.Append(ToLine(q)).Append('\n');
        await File.WriteAllTextAsync(path, sb.ToString(), new UTF8Encoding(false), ct).ConfigureAwait(false);
    }

    /// <summary>Reads a question file; a malformed line throws <see cref="InvalidDataException"/> naming the file and line.</summary>
    public static async Task<IReadOnlyList<WorldQuestion>> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Question file '{path}' does not exist.", path);
        var lines = await File.ReadAllLinesAsync(path, ct).ConfigureAwait(false);
        var result = new List<WorldQuestion>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            try
            {
                result.Add(Parse(lines[i]));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}, line {i + 1}: not a valid question ({ex.Message}).", ex);
            }
        }
        return result;
    }

    public static WorldQuestion Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        var answers = new List<string>();
        foreach (var a in r.GetProperty("answers").EnumerateArray()) answers.Add(a.GetString()!);
        var steps = new List<QuestionStep>();
        foreach (var s in r.GetProperty("path").EnumerateArray())
        {
            var ve = s.GetProperty("value_entity");
            steps.Add(new QuestionStep(
                s.GetProperty("entity").GetString()!,
                s.GetProperty("name").GetString()!,
                s.GetProperty("page").GetString()!,
                s.GetProperty("relation").GetString()!,
                s.GetProperty("value").GetString()!,
                ve.ValueKind == JsonValueKind.Null ? null : ve.GetString(),
                s.GetProperty("segment").GetInt32(),
                s.GetProperty("query").GetString()!));
        }
        return new WorldQuestion
        {
            Id = r.GetProperty("id").GetString()!,
            Source = r.GetProperty("source").GetString()!,
            Question = r.GetProperty("question").GetString()!,
            Answers = answers,
            Hops = r.GetProperty("hops").GetInt32(),
            Type = QuestionTypes.Parse(r.GetProperty("type").GetString()!),
            AnswerEntity = r.GetProperty("answer_entity").GetString()!,
            AnswerPage = r.GetProperty("answer_page").GetString()!,
            Path = steps,
        };
    }
}
