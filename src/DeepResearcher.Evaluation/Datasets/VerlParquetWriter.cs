using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace DeepResearcher.Evaluation.Datasets;

/// <summary>
/// Writes a question set in the original's layout (<see cref="VerlColumns"/>), so verl and its peers read it as their
/// own: the raw question as the one user message, the aliases joined by <c>&lt;|answer_split|&gt;</c>, the id as
/// <c>extra_info.index</c>. The world's hop count and type ride along in <c>extra_info</c> only when the set has them.
/// </summary>
internal static class VerlParquetWriter
{
    public static async Task WriteAsync(string path, IReadOnlyList<QaExample> examples, string split, CancellationToken cancellationToken)
    {
        bool hops = examples.Any(e => e.Hops is not null);
        bool types = examples.Any(e => e.Type is not null);
        List<Field> extraFields = [new DataField<string>(VerlColumns.Index), new DataField<string>(VerlColumns.Split)];
        if (hops)
        {
            extraFields.Add(new DataField<int?>(VerlColumns.Hops));
        }

        if (types)
        {
            extraFields.Add(new DataField<string>(VerlColumns.Type));
        }

        var schema = new ParquetSchema(
            new DataField<string>(VerlColumns.DataSource),
            new ListField(VerlColumns.Prompt, new StructField(ListField.ElementName, new DataField<string>(VerlColumns.Role), new DataField<string>(VerlColumns.Content))),
            new DataField<string>(VerlColumns.Ability),
            new StructField(VerlColumns.RewardModel, new DataField<string>(VerlColumns.GroundTruth), new DataField<string>(VerlColumns.Style)),
            new StructField(VerlColumns.ExtraInfo, [.. extraFields]));

        var rows = new List<IDictionary<string, object?>>(examples.Count);
        foreach (QaExample example in examples)
        {
            if (example.Answers.FirstOrDefault(a => a.Contains(VerlColumns.AnswerSplit, StringComparison.Ordinal)) is { } joined)
            {
                throw new DataFileException(path, null, $"question '{example.Id}': the alias '{joined}' contains {VerlColumns.AnswerSplit}, which separates aliases in reward_model.ground_truth");
            }

            var extra = new Dictionary<string, object> { [VerlColumns.Index] = example.Id, [VerlColumns.Split] = split };
            if (hops)
            {
                extra[VerlColumns.Hops] = example.Hops!;
            }

            if (types)
            {
                extra[VerlColumns.Type] = example.Type!;
            }

            rows.Add(new Dictionary<string, object?>
            {
                [VerlColumns.DataSource] = example.Source,
                [VerlColumns.Prompt] = new List<Dictionary<string, object>> { new() { [VerlColumns.Role] = "user", [VerlColumns.Content] = example.Question } },
                [VerlColumns.Ability] = VerlColumns.AbilityValue,
                [VerlColumns.RewardModel] = new Dictionary<string, object> { [VerlColumns.GroundTruth] = string.Join(VerlColumns.AnswerSplit, example.Answers), [VerlColumns.Style] = VerlColumns.StyleValue },
                [VerlColumns.ExtraInfo] = extra,
            });
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (FileStream stream = File.Create(temp))
            {
                await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream, cancellationToken: cancellationToken);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
