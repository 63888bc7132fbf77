using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepResearcher.Cli.Tests;

public class EvalScoreCommandTests
{
    private static readonly string DevData = Path.Combine(AppContext.BaseDirectory, "data", "deepresearcher_dev.jsonl");

    [Fact]
    public async Task Gold_predictions_score_EM_1_for_every_source_of_the_dev_set()
    {
        using var dir = new TempDirectory();
        var lines = File.ReadLines(DevData).Select(line =>
        {
            JsonNode row = JsonNode.Parse(line)!;
            return new JsonObject { ["id"] = row["id"]!.GetValue<string>(), ["prediction"] = row["answers"]![0]!.GetValue<string>() }.ToJsonString();
        });
        string predictions = dir.Write("pred.jsonl", string.Join('\n', lines) + "\n");

        CliRun run = await CliRun.InvokeAsync("eval", "score", "--predictions", predictions, "--data", DevData, "--json");

        Assert.Equal(0, run.ExitCode);
        JsonObject report = JsonNode.Parse(run.Output)!.AsObject();
        JsonObject sources = report["sources"]!.AsObject();
        Assert.Equal(["2wiki", "Bamboogle", "hotpotqa", "musique", "nq", "popqa", "tq"], sources.Select(s => s.Key).Order(StringComparer.Ordinal));
        foreach ((string source, JsonNode? scores) in sources)
        {
            Assert.Equal(1.0, scores!["em"]!.GetValue<double>());
            Assert.Equal(125, scores["count"]!.GetValue<int>());
        }

        Assert.Equal(875, report["overall"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Prints_a_table_with_partial_credit()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("data.jsonl",
            "{\"id\": \"a\", \"source\": \"nq\", \"question\": \"q1\", \"answers\": [\"Paris\"]}\n" +
            "{\"id\": \"b\", \"source\": \"nq\", \"question\": \"q2\", \"answers\": [\"New York\"]}\n" +
            "{\"id\": \"c\", \"source\": \"tq\", \"question\": \"q3\", \"answers\": [\"blue\"]}\n");
        string predictions = dir.Write("pred.jsonl",
            "{\"id\": \"a\", \"prediction\": \"Paris\"}\n{\"id\": \"b\", \"prediction\": \"new new york\"}\n{\"id\": \"c\", \"prediction\": \"red\"}\n");

        CliRun run = await CliRun.InvokeAsync("eval", "score", "--predictions", predictions, "--data", data);

        Assert.Equal(0, run.ExitCode);
        string[] rows = run.Output.Split('\n');
        // nq: EM (1+0)/2 = 50; F1 (1+0.8)/2 = 90; set-F1 (1+1)/2 = 100; cover-EM 100
        Assert.Contains(rows, r => r.StartsWith("nq ", StringComparison.Ordinal) && r.Contains("  2    50.0    90.0   100.0     100.0", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("tq ", StringComparison.Ordinal) && r.Contains("  1     0.0     0.0     0.0       0.0", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("overall", StringComparison.Ordinal) && r.Contains("  3    33.3    60.0    66.7      66.7", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"prediction\": \"x\"}\n", "pred.jsonl:1: missing \"id\"")]
    [InlineData("{\"id\": \"a\", \"prediction\": \"x\"}\n{oops\n", "pred.jsonl:2: not valid JSON")]
    [InlineData("", "pred.jsonl: the file is empty")]
    [InlineData("{\"id\": \"zzz\", \"prediction\": \"x\"}\n", "pred.jsonl:1: id 'zzz' is not in")]
    [InlineData("{\"id\": \"a\", \"prediction\": \"x\"}\n{\"id\": \"a\", \"prediction\": \"y\"}\n", "pred.jsonl:2: duplicate prediction for id 'a'")]
    [InlineData("[1, 2]\n", "pred.jsonl:1: expected a JSON object")]
    [InlineData("{\"id\": \"a\", \"prediction\": [\"x\"]}\n", "pred.jsonl:1: \"prediction\" must be a string")]
    public async Task Bad_prediction_files_get_a_clear_error_naming_file_and_line(string content, string expected)
    {
        using var dir = new TempDirectory();
        string data = dir.Write("data.jsonl", "{\"id\": \"a\", \"source\": \"nq\", \"question\": \"q\", \"answers\": [\"x\"]}\n");
        string predictions = dir.Write("pred.jsonl", content);

        CliRun run = await CliRun.InvokeAsync("eval", "score", "--predictions", predictions, "--data", data);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal); // no stack trace
    }

    [Theory]
    [InlineData("{\"id\": \"a\", \"source\": \"nq\", \"answers\": [\"x\"]}\n", "data.jsonl:1: missing \"question\"")]
    [InlineData("{\"id\": \"a\", \"source\": \"nq\", \"question\": \"q\"}\n", "data.jsonl:1: missing \"answers\"")]
    [InlineData("{\"id\": \"a\", \"source\": \"nq\", \"question\": \"q\", \"answers\": \"x\"}\n", "data.jsonl:1: \"answers\" must be an array")]
    [InlineData("{\"id\": \"a\", \"question\": \"q\", \"answers\": [\"x\"]}\n{\"id\": \"a\", \"question\": \"q\", \"answers\": [\"x\"]}\n", "data.jsonl:2: duplicate id 'a'")]
    public async Task Bad_data_files_get_a_clear_error(string content, string expected)
    {
        using var dir = new TempDirectory();
        string data = dir.Write("data.jsonl", content);
        string predictions = dir.Write("pred.jsonl", "{\"id\": \"a\", \"prediction\": \"x\"}\n");

        CliRun run = await CliRun.InvokeAsync("eval", "score", "--predictions", predictions, "--data", data);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_predictions_fail_unless_scored_as_empty()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("data.jsonl",
            "{\"id\": \"a\", \"source\": \"nq\", \"question\": \"q\", \"answers\": [\"x\"]}\n{\"id\": \"b\", \"source\": \"nq\", \"question\": \"q\", \"answers\": [\"y\"]}\n");
        string predictions = dir.Write("pred.jsonl", "{\"id\": \"a\", \"prediction\": \"x\"}\n");

        CliRun strict = await CliRun.InvokeAsync("eval", "score", "--predictions", predictions, "--data", data);
        CliRun lenient = await CliRun.InvokeAsync("eval", "score", "--predictions", predictions, "--data", data, "--missing-as-empty", "--json");

        Assert.Equal(2, strict.ExitCode);
        Assert.Contains("1 of 2 questions", strict.Error, StringComparison.Ordinal);
        Assert.Contains("--missing-as-empty", strict.Error, StringComparison.Ordinal);
        Assert.Equal(0, lenient.ExitCode);
        Assert.Equal(0.5, JsonNode.Parse(lenient.Output)!["overall"]!["em"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_missing_file_is_named()
    {
        CliRun run = await CliRun.InvokeAsync("eval", "score", "--predictions", "/nonexistent/p.jsonl", "--data", DevData);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("/nonexistent/p.jsonl: file not found", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_required_options_are_reported_with_usage()
    {
        CliRun run = await CliRun.InvokeAsync("eval", "score");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--predictions", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scores_json_is_valid()
        => Assert.NotNull(JsonSerializer.Deserialize<JsonObject>("{}"));
}
