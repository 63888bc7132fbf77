using System.Collections;
using System.Globalization;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace DeepResearcher.Evaluation.Datasets;

/// <summary>
/// Reads the original's data/*.parquet (verl's layout, <see cref="VerlColumns"/>): the question from the prompt's user
/// turn (<see cref="VerlPrompt"/>), the aliases from <c>reward_model.ground_truth</c>, the id from
/// <c>extra_info.index</c>. A file without one of those columns is refused up front, naming the column.
/// </summary>
internal static class VerlParquetReader
{
    private static readonly ParquetOptions Options = new() { TreatByteArrayAsString = true };

    public static async Task<IReadOnlyList<QaExample>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFileException(path, null, "file not found");
        }

        IList<Dictionary<string, object>> rows;
        await using (FileStream stream = File.OpenRead(path))
        {
            ParquetSchema schema;
            try
            {
                await using ParquetReader reader = await ParquetReader.CreateAsync(stream, Options, leaveStreamOpen: true, cancellationToken);
                schema = reader.Schema;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new DataFileException(path, null, $"not a readable parquet file ({ex.Message})");
            }

            CheckSchema(path, schema);
            stream.Position = 0;
            try
            {
                rows = (await ParquetSerializer.DeserializeUntypedAsync(stream, Options, cancellationToken: cancellationToken)).Data;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new DataFileException(path, null, $"the parquet data could not be read ({ex.Message})");
            }
        }

        if (rows.Count == 0)
        {
            throw new DataFileException(path, null, "the file has no rows");
        }

        var examples = new List<QaExample>(rows.Count);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rows.Count; i++)
        {
            int row = i + 1;
            QaExample example = ToExample(path, row, rows[i]);
            if (!ids.TryAdd(example.Id, row))
            {
                throw new DataFileException(path, null, $"row {row}: duplicate {VerlColumns.ExtraInfo}.{VerlColumns.Index} '{example.Id}' (first seen in row {ids[example.Id]})");
            }

            examples.Add(example);
        }

        return examples;
    }

    private static void CheckSchema(string path, ParquetSchema schema)
    {
        string found = string.Join(", ", schema.Fields.Select(Describe));
        DataFileException Missing(string column, string expected) => new(path, null,
            $"not the original's (verl's) dataset layout: missing column '{column}' ({expected}); found {found}. Expected {VerlColumns.Required}, as in the original's data/*.parquet (or use JSONL)");
        Field? Top(string name) => schema.Fields.FirstOrDefault(f => f.Name == name);

        if (Top(VerlColumns.DataSource) is not DataField)
        {
            throw Missing(VerlColumns.DataSource, "a string per row");
        }

        if (Top(VerlColumns.Prompt) is not ListField { Item: StructField message } || !Has(message, VerlColumns.Content))
        {
            throw Missing($"{VerlColumns.Prompt}[].{VerlColumns.Content}", "a list of {role, content} messages");
        }

        if (Top(VerlColumns.RewardModel) is not StructField reward || !Has(reward, VerlColumns.GroundTruth))
        {
            throw Missing($"{VerlColumns.RewardModel}.{VerlColumns.GroundTruth}", $"the aliases joined by {VerlColumns.AnswerSplit}");
        }

        if (Top(VerlColumns.ExtraInfo) is not StructField extra || !Has(extra, VerlColumns.Index))
        {
            throw Missing($"{VerlColumns.ExtraInfo}.{VerlColumns.Index}", "the question's id");
        }
    }

    private static bool Has(StructField field, string name) => field.Fields.Any(f => f.Name == name);

    private static string Describe(Field field) => field switch
    {
        StructField s => $"{s.Name} {{{string.Join(", ", s.Fields.Select(f => f.Name))}}}",
        ListField l => $"{l.Name} [list]",
        _ => field.Name,
    };

    private static QaExample ToExample(string path, int row, IDictionary<string, object> values)
    {
        DataFileException Bad(string problem) => new(path, null, $"row {row}: {problem}");

        string source = Scalar(Get(values, VerlColumns.DataSource)) ?? "unknown";
        IDictionary<string, object>? extra = Get(values, VerlColumns.ExtraInfo) as IDictionary<string, object>;
        string id = Scalar(Get(extra, VerlColumns.Index)) is { Length: > 0 } index
            ? index
            : throw Bad($"{VerlColumns.ExtraInfo}.{VerlColumns.Index} is empty (every question needs an id)");

        // The user turn, as the original takes it from the rendered prompt; prompt[0] when no message says its role.
        List<IDictionary<string, object>> messages = Get(values, VerlColumns.Prompt) is IEnumerable list and not string
            ? [.. list.OfType<IDictionary<string, object>>()]
            : [];
        IDictionary<string, object>? user = messages.FirstOrDefault(m => Scalar(Get(m, VerlColumns.Role)) == "user") ?? messages.FirstOrDefault();
        string question = Scalar(Get(user, VerlColumns.Content)) is { } content
            ? VerlPrompt.Question(content)
            : throw Bad($"{VerlColumns.Prompt} has no message with {VerlColumns.Content} (expected [{{\"role\":\"user\",\"content\": question}}])");
        if (string.IsNullOrWhiteSpace(question))
        {
            throw Bad($"the question in {VerlColumns.Prompt} is empty");
        }

        IDictionary<string, object>? reward = Get(values, VerlColumns.RewardModel) as IDictionary<string, object>;
        List<string> answers = Aliases(Get(reward, VerlColumns.GroundTruth));
        if (answers.Count == 0)
        {
            throw Bad($"{VerlColumns.RewardModel}.{VerlColumns.GroundTruth} is empty (expected aliases joined by {VerlColumns.AnswerSplit})");
        }

        return new QaExample(id, source, question, answers)
        {
            Hops = Get(extra, VerlColumns.Hops) switch
            {
                int hops => hops,
                long hops => (int)hops,
                _ => null,
            },
            Type = Scalar(Get(extra, VerlColumns.Type)),
        };
    }

    /// <summary>
    /// The original's aliases joined by <see cref="VerlColumns.AnswerSplit"/>; also a plain list of strings, or
    /// Search-R1's <c>{"target": [...]}</c>, which the same readers meet in verl-layout files.
    /// </summary>
    private static List<string> Aliases(object? groundTruth) => groundTruth switch
    {
        null => [],
        IDictionary<string, object> map => Aliases(Get(map, "target")),
        string or ReadOnlyMemory<char> => Scalar(groundTruth)!.Split(VerlColumns.AnswerSplit).Where(a => a.Length > 0).ToList(),
        IEnumerable items => [.. items.Cast<object?>().SelectMany(Aliases)],
        _ => [.. Scalar(groundTruth)!.Split(VerlColumns.AnswerSplit).Where(a => a.Length > 0)],
    };

    private static object? Get(IDictionary<string, object>? values, string key) => values is not null && values.TryGetValue(key, out object? value) ? value : null;

    private static string? Scalar(object? value) => value switch
    {
        null => null,
        string s => s,
        ReadOnlyMemory<char> m => m.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
