using System.Text.Json.Nodes;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Scoring;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace DeepResearcher.Evaluation.Tests;

/// <summary>
/// The original's data/*.parquet (verl's layout) read and written: a fixture written by Arrow's C++ writer (pyarrow's)
/// in the original's exact layout, round trips through files the tests write, and the errors a wrong file gets.
/// </summary>
public sealed class VerlParquetDatasetTests
{
    private static string RepositoryFile(params string[] parts)
        => Path.Combine([typeof(VerlParquetDatasetTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!, .. parts]);

    private static string Fixture => RepositoryFile("tests", "DeepResearcher.Evaluation.Tests", "Fixtures", "verl", "dev-20.parquet");

    [Fact]
    public async Task The_fixture_in_the_originals_layout_reads_as_the_same_questions_as_the_dev_set_jsonl()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var dev = (await QaDataset.LoadAsync(RepositoryFile("data", "deepresearcher_dev.jsonl"), ct)).ToDictionary(e => e.Id, StringComparer.Ordinal);

        IReadOnlyList<QaExample> fixture = await QaDataset.LoadAsync(Fixture, ct);

        Assert.Equal(20, fixture.Count);
        Assert.Equal(["2wiki", "Bamboogle", "hotpotqa", "musique", "nq", "popqa", "tq"], fixture.Select(e => e.Source).Distinct().Order(StringComparer.Ordinal));
        foreach (QaExample example in fixture)
        {
            QaExample expected = dev[example.Id];
            Assert.Equal(expected.Source, example.Source);
            Assert.Equal(expected.Question, example.Question);
            Assert.Equal(expected.Answers, example.Answers);
        }

        // The set's most-aliased question, its 58 aliases joined by <|answer_split|> in one string.
        Assert.Equal(58, fixture.Max(e => e.Answers.Count));
    }

    [Fact]
    public async Task The_fixture_has_the_originals_nested_columns()
    {
        await using ParquetReader reader = await ParquetReader.CreateAsync(Fixture, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["data_source", "prompt", "ability", "reward_model", "extra_info"], reader.Schema.Fields.Select(f => f.Name));
        ListField prompt = Assert.IsType<ListField>(reader.Schema.Fields[1]);
        Assert.Equal(["role", "content"], Assert.IsType<StructField>(prompt.Item).Fields.Select(f => f.Name));
        Assert.Equal(["ground_truth", "style"], Assert.IsType<StructField>(reader.Schema.Fields[3]).Fields.Select(f => f.Name));
        Assert.Equal(["index", "split"], Assert.IsType<StructField>(reader.Schema.Fields[4]).Fields.Select(f => f.Name));
    }

    [Fact]
    public async Task A_written_parquet_file_reads_back_the_same_questions_and_has_the_verl_columns()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        QaExample[] examples =
        [
            new("w-1", "world", "Which river runs through the city where Ada Lind was born?", ["Vel", "the Vel river"]) { Hops = 2, Type = "bridge" },
            new("w-2", "world", "Is Kessa older than Brim?", ["yes"]) { Hops = 2, Type = "comparison" },
            new("nq_-850", "nq", "Who sang \"Ça plane pour moi\"? — naïve Unicode, 中文, emoji 🚀", ["Plastic Bertrand", "Roger Jouret"]),
        ];
        string path = dir.File("set.parquet");

        await QaDataset.WriteAsync(path, examples, ct, split: "train");
        IReadOnlyList<QaExample> back = await QaDataset.LoadAsync(path, ct);

        Assert.Equal(examples.Select(e => (e.Id, e.Source, e.Question, string.Join("|", e.Answers), e.Hops, e.Type)),
            back.Select(e => (e.Id, e.Source, e.Question, string.Join("|", e.Answers), e.Hops, e.Type)));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));

        // The raw values verl's loader and reward function see.
        await using FileStream stream = File.OpenRead(path);
        var rows = (await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: ct)).Data;
        IDictionary<string, object> first = rows[0];
        Assert.Equal("world", first["data_source"]);
        Assert.Equal("search & question answering", first["ability"]);
        var message = Assert.Single(Assert.IsAssignableFrom<System.Collections.IEnumerable>(first["prompt"]).Cast<IDictionary<string, object>>());
        Assert.Equal(("user", examples[0].Question), ((string)message["role"], (string)message["content"]));
        var reward = Assert.IsAssignableFrom<IDictionary<string, object>>(first["reward_model"]);
        Assert.Equal(("Vel<|answer_split|>the Vel river", "unknown"), ((string)reward["ground_truth"], (string)reward["style"]));
        var extra = Assert.IsAssignableFrom<IDictionary<string, object>>(first["extra_info"]);
        Assert.Equal(("w-1", "train"), ((string)extra["index"], (string)extra["split"]));
    }

    [Fact]
    public async Task A_set_without_hops_is_written_in_exactly_the_originals_columns()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string path = dir.File("plain.parquet");

        await QaDataset.WriteAsync(path, [new QaExample("a", "nq", "q?", ["x"])], ct);
        await using ParquetReader reader = await ParquetReader.CreateAsync(path, cancellationToken: ct);

        Assert.Equal(["index", "split"], Assert.IsType<StructField>(reader.Schema.Fields[4]).Fields.Select(f => f.Name));
    }

    [Fact]
    public async Task Jsonl_round_trips_and_parquet_converts_to_jsonl_and_back()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        IReadOnlyList<QaExample> fixture = await QaDataset.LoadAsync(Fixture, ct);

        await QaDataset.WriteAsync(dir.File("set.jsonl"), fixture, ct);
        IReadOnlyList<QaExample> jsonl = await QaDataset.LoadAsync(dir.File("set.jsonl"), ct);
        await QaDataset.WriteAsync(dir.File("again.parquet"), jsonl, ct, split: "dev");
        IReadOnlyList<QaExample> parquet = await QaDataset.LoadAsync(dir.File("again.parquet"), ct);

        Assert.Equal(fixture.Select(e => (e.Id, e.Source, e.Question, string.Join("|", e.Answers))), jsonl.Select(e => (e.Id, e.Source, e.Question, string.Join("|", e.Answers))));
        Assert.Equal(fixture.Select(e => (e.Id, e.Source, e.Question, string.Join("|", e.Answers))), parquet.Select(e => (e.Id, e.Source, e.Question, string.Join("|", e.Answers))));
        Assert.Equal(QaJsonlLine(fixture[0]), File.ReadLines(dir.File("set.jsonl")).First());
    }

    private static string QaJsonlLine(QaExample e) => new JsonObject
    {
        ["id"] = e.Id,
        ["source"] = e.Source,
        ["question"] = e.Question,
        ["answers"] = new JsonArray([.. e.Answers.Select(a => (JsonNode)a)]),
    }.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    [Fact]
    public async Task The_question_is_recovered_from_a_prompt_rendered_with_the_chat_template()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string rendered = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nWho wrote The Hobbit?<|im_end|>\n<|im_start|>assistant\n";
        string path = await WriteRawAsync(dir.File("rendered.parquet"), ct,
            Row("nq", [("system", "be brief"), ("user", rendered)], "J. R. R. Tolkien<|answer_split|>Tolkien", "nq_1"),
            Row("tq", [("user", "Plain question?")], "x", "tq_2"));

        IReadOnlyList<QaExample> examples = await QaDataset.LoadAsync(path, ct);

        Assert.Equal("Who wrote The Hobbit?", examples[0].Question);
        Assert.Equal(["J. R. R. Tolkien", "Tolkien"], examples[0].Answers);
        Assert.Equal("Plain question?", examples[1].Question);
        Assert.Equal("Who wrote The Hobbit?", VerlPrompt.Question(rendered));
        Assert.Equal("q", VerlPrompt.Question("<|im_start|>user\nq"));
    }

    [Fact]
    public async Task An_integer_index_and_a_list_or_search_r1_target_ground_truth_are_read_too()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var schema = new ParquetSchema(
            new DataField<string>("data_source"),
            new ListField("prompt", new StructField("element", new DataField<string>("role"), new DataField<string>("content"))),
            new StructField("reward_model", new StructField("ground_truth", new ListField("target", typeof(string))), new DataField<string>("style")),
            new StructField("extra_info", new DataField<long>("index"), new DataField<string>("split")));
        var rows = new List<IDictionary<string, object?>>
        {
            new Dictionary<string, object?>
            {
                ["data_source"] = "nq",
                ["prompt"] = new List<Dictionary<string, object?>> { new() { ["role"] = "user", ["content"] = "Capital of France?" } },
                ["reward_model"] = new Dictionary<string, object?> { ["ground_truth"] = new Dictionary<string, object?> { ["target"] = new List<ReadOnlyMemory<char>?> { "Paris".AsMemory(), "paris, france".AsMemory() } }, ["style"] = "rule" },
                ["extra_info"] = new Dictionary<string, object?> { ["index"] = 17L, ["split"] = "test" },
            },
        };
        string path = dir.File("search-r1.parquet");
        await using (FileStream stream = File.Create(path))
        {
            await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream, cancellationToken: ct);
        }

        QaExample example = Assert.Single(await QaDataset.LoadAsync(path, ct));

        Assert.Equal(("17", "nq", "Capital of France?"), (example.Id, example.Source, example.Question));
        Assert.Equal(["Paris", "paris, france"], example.Answers);
    }

    [Fact]
    public async Task A_file_without_a_column_of_the_layout_is_refused_naming_the_column()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string flat = dir.File("flat.parquet");
        await using (FileStream stream = File.Create(flat))
        {
            await ParquetSerializer.SerializeUntypedAsync(
                [new Dictionary<string, object?> { ["id"] = "a", ["question"] = "q", ["answer"] = "x" }],
                new ParquetSchema(new DataField<string>("id"), new DataField<string>("question"), new DataField<string>("answer")), stream, cancellationToken: ct);
        }

        string noTruth = dir.File("no-truth.parquet");
        await using (FileStream stream = File.Create(noTruth))
        {
            await ParquetSerializer.SerializeUntypedAsync(
                [new Dictionary<string, object?>
                {
                    ["data_source"] = "nq",
                    ["prompt"] = new List<Dictionary<string, object?>> { new() { ["role"] = "user", ["content"] = "q" } },
                    ["reward_model"] = new Dictionary<string, object?> { ["style"] = "rule" },
                    ["extra_info"] = new Dictionary<string, object?> { ["index"] = "a" },
                }],
                new ParquetSchema(
                    new DataField<string>("data_source"),
                    new ListField("prompt", new StructField("element", new DataField<string>("role"), new DataField<string>("content"))),
                    new StructField("reward_model", new DataField<string>("style")),
                    new StructField("extra_info", new DataField<string>("index"))), stream, cancellationToken: ct);
        }

        DataFileException a = await Assert.ThrowsAsync<DataFileException>(() => QaDataset.LoadAsync(flat, ct));
        DataFileException b = await Assert.ThrowsAsync<DataFileException>(() => QaDataset.LoadAsync(noTruth, ct));

        Assert.Contains("missing column 'data_source'", a.Message, StringComparison.Ordinal);
        Assert.Contains("found id, question, answer", a.Message, StringComparison.Ordinal);
        Assert.StartsWith(flat + ":", a.Message, StringComparison.Ordinal);
        Assert.Contains("missing column 'reward_model.ground_truth'", b.Message, StringComparison.Ordinal);
        Assert.Contains("reward_model {style}", b.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_files_and_bad_rows_are_errors_naming_the_file_and_the_row()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string notParquet = dir.Write("text.parquet", "{\"id\": \"a\"}\n");
        string duplicate = await WriteRawAsync(dir.File("dup.parquet"), ct, Row("nq", [("user", "q1")], "a", "x"), Row("nq", [("user", "q2")], "b", "x"));
        string emptyTruth = await WriteRawAsync(dir.File("empty.parquet"), ct, Row("nq", [("user", "q1")], "a", "x"), Row("nq", [("user", "q2")], "", "y"));

        DataFileException a = await Assert.ThrowsAsync<DataFileException>(() => QaDataset.LoadAsync(notParquet, ct));
        DataFileException b = await Assert.ThrowsAsync<DataFileException>(() => QaDataset.LoadAsync(duplicate, ct));
        DataFileException c = await Assert.ThrowsAsync<DataFileException>(() => QaDataset.LoadAsync(emptyTruth, ct));
        DataFileException d = await Assert.ThrowsAsync<DataFileException>(() => QaDataset.LoadAsync(dir.File("absent.parquet"), ct));

        Assert.Contains("not a readable parquet file", a.Message, StringComparison.Ordinal);
        Assert.Contains("row 2: duplicate extra_info.index 'x' (first seen in row 1)", b.Message, StringComparison.Ordinal);
        Assert.Contains("row 2: reward_model.ground_truth is empty", c.Message, StringComparison.Ordinal);
        Assert.Contains("file not found", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_score_reads_the_originals_parquet_as_it_reads_jsonl()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        IReadOnlyList<QaExample> fixture = await QaDataset.LoadAsync(Fixture, ct);
        await QaDataset.WriteAsync(dir.File("data.jsonl"), fixture, ct);
        string predictions = dir.Write("pred.jsonl", string.Concat(fixture.Select((e, i) =>
            new JsonObject { ["id"] = e.Id, ["prediction"] = i % 2 == 0 ? e.Answers[^1] : "wrong" }.ToJsonString() + "\n")));

        ScoreReport fromParquet = await PredictionScorer.ScoreFilesAsync(predictions, Fixture, missingAsEmpty: false, ct);
        ScoreReport fromJsonl = await PredictionScorer.ScoreFilesAsync(predictions, dir.File("data.jsonl"), missingAsEmpty: false, ct);

        Assert.Equal(20, fromParquet.Overall.Count);
        Assert.Equal(0.5, fromParquet.Overall.ExactMatch, 12);
        Assert.Equal(fromJsonl.Overall.F1, fromParquet.Overall.F1, 12);
    }

    private static Dictionary<string, object?> Row(string source, (string Role, string Content)[] messages, string truth, string index) => new()
    {
        ["data_source"] = source,
        ["prompt"] = messages.Select(m => new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
        ["ability"] = "search & question answering",
        ["reward_model"] = new Dictionary<string, object?> { ["ground_truth"] = truth, ["style"] = "unknown" },
        ["extra_info"] = new Dictionary<string, object?> { ["index"] = index, ["split"] = "test" },
    };

    private static async Task<string> WriteRawAsync(string path, CancellationToken ct, params Dictionary<string, object?>[] rows)
    {
        var schema = new ParquetSchema(
            new DataField<string>("data_source"),
            new ListField("prompt", new StructField("element", new DataField<string>("role"), new DataField<string>("content"))),
            new DataField<string>("ability"),
            new StructField("reward_model", new DataField<string>("ground_truth"), new DataField<string>("style")),
            new StructField("extra_info", new DataField<string>("index"), new DataField<string>("split")));
        await using FileStream stream = File.Create(path);
        await ParquetSerializer.SerializeUntypedAsync([.. rows.Cast<IDictionary<string, object?>>()], schema, stream, cancellationToken: ct);
        return path;
    }
}
