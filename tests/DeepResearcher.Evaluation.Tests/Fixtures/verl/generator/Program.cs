using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using ParquetSharp;
using ParquetSharp.Arrow;

// generate DEV_JSONL OUT.parquet [ROWS]: the first rows of each source of the original's dev set, in the original's
//   data/*.parquet layout (verl's: data_source, prompt, ability, reward_model, extra_info), as pandas + pyarrow write it.
// check FILE.parquet: reads a parquet file with Arrow and prints its schema and first rows (an independent reader for
//   files the project writes, e.g. 'deepresearcher data export').
return args switch
{
    ["generate", string input, string output, ..] => Generate(input, output, args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 20),
    ["check", string file] => await CheckAsync(file),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: generate DEV_JSONL OUT.parquet [ROWS] | check FILE.parquet");
    return 2;
}

static int Generate(string input, string output, int count)
{
    var rows = File.ReadLines(input).Where(l => l.Trim().Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    var sources = rows.Select(r => r.GetProperty("source").GetString()!).Distinct().ToList();
    // Round-robin over the sources in file order, so every source is in the fixture; the most-aliased question of the
    // set goes first, for the separator's sake.
    var bySource = sources.ToDictionary(s => s, s => new Queue<JsonElement>(rows.Where(r => r.GetProperty("source").GetString() == s)));
    JsonElement mostAliases = rows.MaxBy(r => r.GetProperty("answers").GetArrayLength());
    var chosen = new List<JsonElement> { mostAliases };
    while (chosen.Count < count && bySource.Values.Any(q => q.Count > 0))
    {
        foreach (string source in sources)
        {
            if (chosen.Count < count && bySource[source].TryDequeue(out JsonElement row) && row.GetProperty("id").GetString() != mostAliases.GetProperty("id").GetString())
            {
                chosen.Add(row);
            }
        }
    }

    var message = new StructType([new Field("role", StringType.Default, true), new Field("content", StringType.Default, true)]);
    var promptType = new ListType(new Field("element", message, true));
    var rewardType = new StructType([new Field("ground_truth", StringType.Default, true), new Field("style", StringType.Default, true)]);
    var extraType = new StructType([new Field("index", StringType.Default, true), new Field("split", StringType.Default, true)]);
    Schema schema = new Schema.Builder()
        .Field(f => f.Name("data_source").DataType(StringType.Default).Nullable(true))
        .Field(f => f.Name("prompt").DataType(promptType).Nullable(true))
        .Field(f => f.Name("ability").DataType(StringType.Default).Nullable(true))
        .Field(f => f.Name("reward_model").DataType(rewardType).Nullable(true))
        .Field(f => f.Name("extra_info").DataType(extraType).Nullable(true))
        .Build();

    int n = chosen.Count;
    StringArray Strings(Func<JsonElement, string> value)
    {
        var builder = new StringArray.Builder();
        foreach (JsonElement row in chosen)
        {
            builder.Append(value(row));
        }

        return builder.Build();
    }

    var messages = new StructArray(message, n, [Strings(_ => "user"), Strings(r => r.GetProperty("question").GetString()!)], ArrowBuffer.Empty, 0);
    var offsets = new ArrowBuffer.Builder<int>();
    for (int i = 0; i <= n; i++)
    {
        offsets.Append(i);
    }

    var prompt = new ListArray(promptType, n, offsets.Build(), messages, ArrowBuffer.Empty, 0);
    var reward = new StructArray(rewardType, n,
        [Strings(r => string.Join("<|answer_split|>", r.GetProperty("answers").EnumerateArray().Select(a => a.GetString()))), Strings(_ => "unknown")], ArrowBuffer.Empty, 0);
    var extra = new StructArray(extraType, n, [Strings(r => r.GetProperty("id").GetString()!), Strings(_ => "dev")], ArrowBuffer.Empty, 0);
    var batch = new RecordBatch(schema, [Strings(r => r.GetProperty("source").GetString()!), prompt, Strings(_ => "search & question answering"), reward, extra], n);

    using WriterProperties properties = new WriterPropertiesBuilder().Compression(Compression.Snappy).CreatedBy("parquet-cpp-arrow (ParquetSharp), DeepResearcher.NET fixture").Build();
    using ArrowWriterProperties arrowProperties = new ArrowWriterPropertiesBuilder().StoreSchema().Build();
    string temp = output + ".tmp";
    using (var writer = new FileWriter(temp, schema, properties, arrowProperties))
    {
        writer.WriteRecordBatch(batch);
        writer.Close();
    }

    File.Move(temp, output, overwrite: true);
    Console.WriteLine($"wrote {n} rows ({string.Join(", ", chosen.GroupBy(r => r.GetProperty("source").GetString()).Select(g => $"{g.Key} {g.Count()}"))}) to {output}");
    return 0;
}

static async Task<int> CheckAsync(string file)
{
    using var reader = new FileReader(file);
    Console.WriteLine("schema: " + string.Join("; ", reader.Schema.FieldsList.Select(f => $"{f.Name}: {Describe(f.DataType)}")));
    using Apache.Arrow.Ipc.IArrowArrayStream batches = reader.GetRecordBatchReader();
    int total = 0;
    while (await batches.ReadNextRecordBatchAsync() is { } batch)
    {
        for (int i = 0; i < batch.Length && total + i < 3; i++)
        {
            var prompt = (ListArray)batch.Column("prompt");
            var messages = (StructArray)prompt.GetSlicedValues(i);
            var content = (StringArray)messages.Fields[((StructType)messages.Data.DataType).GetFieldIndex("content")];
            var reward = (StructArray)batch.Column("reward_model");
            var truth = (StringArray)reward.Fields[((StructType)reward.Data.DataType).GetFieldIndex("ground_truth")];
            Console.WriteLine($"row {total + i + 1}: {((StringArray)batch.Column("data_source")).GetString(i)} | {content.GetString(0)} | {truth.GetString(i)}");
        }

        total += batch.Length;
    }

    Console.WriteLine($"{total} rows");
    return 0;
}

static string Describe(IArrowType type) => type switch
{
    ListType list => $"list<{list.ValueField.Name}: {Describe(list.ValueDataType)}>",
    StructType s => $"struct<{string.Join(", ", s.Fields.Select(f => $"{f.Name}: {Describe(f.DataType)}"))}>",
    _ => type.Name,
};
