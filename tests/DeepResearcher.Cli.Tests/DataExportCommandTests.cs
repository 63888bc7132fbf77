using System.Text.Json.Nodes;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Cli.Tests;

/// <summary><c>data export</c> and the commands that read what it writes: the original's parquet wherever JSONL is read.</summary>
public class DataExportCommandTests
{
    private static readonly string DevData = Path.Combine(AppContext.BaseDirectory, "data", "deepresearcher_dev.jsonl");

    [Fact]
    public async Task The_dev_set_exported_as_parquet_scores_as_the_jsonl_does()
    {
        using var dir = new TempDirectory();
        string parquet = Path.Combine(dir.Path, "dev.parquet");
        string predictions = dir.Write("pred.jsonl", string.Concat(File.ReadLines(DevData).Select(line =>
        {
            JsonNode row = JsonNode.Parse(line)!;
            return new JsonObject { ["id"] = row["id"]!.GetValue<string>(), ["prediction"] = row["answers"]![0]!.GetValue<string>() }.ToJsonString() + "\n";
        })));

        CliRun export = await CliRun.InvokeAsync("data", "export", "--data", DevData, "--split", "dev", "--out", parquet);
        CliRun score = await CliRun.InvokeAsync("eval", "score", "--predictions", predictions, "--data", parquet, "--json");

        Assert.Equal(0, export.ExitCode);
        Assert.Contains("wrote 875 questions", export.Output, StringComparison.Ordinal);
        Assert.Contains("as parquet", export.Output, StringComparison.Ordinal);
        Assert.Equal(0, score.ExitCode);
        JsonObject report = JsonNode.Parse(score.Output)!.AsObject();
        Assert.Equal(875, report["overall"]!["count"]!.GetValue<int>());
        Assert.Equal(1.0, report["overall"]!["em"]!.GetValue<double>());
        Assert.Equal(7, report["sources"]!.AsObject().Count);
    }

    [Fact]
    public async Task Parquet_exports_back_to_jsonl_with_the_same_lines()
    {
        using var dir = new TempDirectory();
        string parquet = Path.Combine(dir.Path, "dev.parquet");
        string jsonl = Path.Combine(dir.Path, "dev.txt");

        CliRun toParquet = await CliRun.InvokeAsync("data", "export", "--data", DevData, "--out", parquet);
        CliRun toJsonl = await CliRun.InvokeAsync("data", "export", "--data", parquet, "--format", "jsonl", "--out", jsonl);

        Assert.Equal((0, 0), (toParquet.ExitCode, toJsonl.ExitCode));
        IReadOnlyList<QaExample> original = await QaDataset.LoadAsync(DevData, TestContext.Current.CancellationToken);
        IReadOnlyList<QaExample> back = await QaDataset.LoadAsync(jsonl, TestContext.Current.CancellationToken);
        Assert.Equal(original.Select(e => (e.Id, e.Source, e.Question, string.Join("|", e.Answers))), back.Select(e => (e.Id, e.Source, e.Question, string.Join("|", e.Answers))));
        Assert.Equal(Directory.GetFiles(dir.Path).Order(StringComparer.Ordinal), new[] { jsonl, parquet }.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_parquet_file_of_another_layout_is_refused_with_the_missing_column_by_every_reader()
    {
        using var dir = new TempDirectory();
        // A valid parquet file, but not verl's: the id, question and answers columns of a flat table.
        string other = Path.Combine(dir.Path, "other.parquet");
        await using (FileStream stream = File.Create(other))
        {
            await Parquet.Serialization.ParquetSerializer.SerializeUntypedAsync(
                [new Dictionary<string, object?> { ["id"] = "a", ["question"] = "q", ["answers"] = "x" }],
                new Parquet.Schema.ParquetSchema(new Parquet.Schema.DataField<string>("id"), new Parquet.Schema.DataField<string>("question"), new Parquet.Schema.DataField<string>("answers")),
                stream, cancellationToken: TestContext.Current.CancellationToken);
        }

        string predictions = dir.Write("pred.jsonl", "{\"id\": \"a\", \"prediction\": \"x\"}\n");

        CliRun score = await CliRun.InvokeAsync("eval", "score", "--predictions", predictions, "--data", other);
        CliRun export = await CliRun.InvokeAsync("data", "export", "--data", other, "--out", Path.Combine(dir.Path, "o.jsonl"));
        CliRun filter = await CliRun.InvokeAsync("data", "filter", "--data", other, "--out", Path.Combine(dir.Path, "o.jsonl"), "--no-quality", "--no-contamination");

        foreach (CliRun run in new[] { score, export, filter })
        {
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("missing column 'data_source'", run.Error, StringComparison.Ordinal);
            Assert.Contains(other, run.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Data_filter_writes_the_kept_questions_as_parquet_when_asked_by_extension()
    {
        using var dir = new TempDirectory();
        string kept = Path.Combine(dir.Path, "kept.parquet");

        CliRun run = await CliRun.InvokeAsync("data", "filter", "--data", DevData, "--out", kept, "--no-quality", "--no-contamination", "--mix", "nq=1,hotpotqa=3", "--mix-total", "8");

        Assert.Equal(0, run.ExitCode);
        IReadOnlyList<QaExample> mix = await QaDataset.LoadAsync(kept, TestContext.Current.CancellationToken);
        Assert.Equal((2, 6), (mix.Count(e => e.Source == "nq"), mix.Count(e => e.Source == "hotpotqa")));
    }

    [Fact]
    public async Task Train_takes_the_question_files_from_the_command_line_and_checks_them_first()
    {
        using var dir = new TempDirectory();
        string train = dir.Write("train.parquet", "not read by --print-config");
        string outDir = Path.Combine(dir.Path, "out");

        CliRun printed = await CliRun.InvokeAsync("train", "--train-files", train, "--print-config");
        CliRun missing = await CliRun.InvokeAsync("train", "--val-files", Path.Combine(dir.Path, "absent.parquet"), "--out", outDir);

        Assert.Equal(0, printed.ExitCode);
        Assert.Contains($"  train_files: {train}\n", printed.Output, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("data.val_files", missing.Error, StringComparison.Ordinal);
        Assert.Contains("absent.parquet' does not exist", missing.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }
}
