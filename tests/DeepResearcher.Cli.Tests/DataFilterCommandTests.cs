using System.Text.Json.Nodes;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Filtering;
using DeepResearcher.Testing;

namespace DeepResearcher.Cli.Tests;

public class DataFilterCommandTests
{
    [Fact]
    public async Task Drops_low_quality_and_contaminated_questions_and_logs_every_reason()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("data.jsonl", string.Join('\n',
            "{\"id\": \"a\", \"source\": \"nq\", \"question\": \"Who is the current mayor of Springfield?\", \"answers\": [\"Joe Quimby\"]}",
            "{\"id\": \"b\", \"source\": \"nq\", \"question\": \"What is the best movie ever made?\", \"answers\": [\"Casablanca\"]}",
            "{\"id\": \"c\", \"source\": \"tq\", \"question\": \"What is the capital of France?\", \"answers\": [\"Paris\"]}",
            "{\"id\": \"d\", \"source\": \"hotpotqa\", \"question\": \"Who founded the company that distributed the film UHF?\", \"answers\": [\"Mike Medavoy\"]}",
            "{\"id\": \"e\", \"source\": \"2wiki\", \"question\": \"Which river is longer, the Xa or the Yb?\", \"answers\": [\"Xa\"]}") + "\n");
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        int closedBookCalls = 0;
        server.Fallback = ScriptedReply.From(request =>
        {
            string prompt = request["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
            if (prompt.StartsWith("Give a short answer", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref closedBookCalls);
                return prompt.Contains("France", StringComparison.Ordinal) ? "It is Paris." : "I am not sure.";
            }

            return prompt switch
            {
                _ when prompt.Contains("current mayor", StringComparison.Ordinal) => "It changes with elections. <answer>time sensitive</answer>",
                _ when prompt.Contains("best movie", StringComparison.Ordinal) => "A matter of taste. <answer>subjective</answer>",
                _ when prompt.Contains("river", StringComparison.Ordinal) => "hmm, hard to say",
                _ => "A fact. <answer>good</answer>",
            };
        });
        string output = Path.Combine(dir.Path, "kept.jsonl");

        CliRun run = await CliRun.InvokeAsync("data", "filter", "--data", data, "--out", output, "--model-url", server.BaseUrl.ToString(), "--model", "base", "--samples", "4", "--concurrency", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        string[] kept = File.ReadAllLines(output);
        Assert.Equal("d", JsonNode.Parse(Assert.Single(kept))!["id"]!.GetValue<string>());
        var drops = File.ReadAllLines(output + ".drops.jsonl").Select(l => JsonNode.Parse(l)!).ToDictionary(d => d["id"]!.GetValue<string>(), d => d["reason"]!.GetValue<string>());
        Assert.Equal("time_sensitive", drops["a"]);
        Assert.Equal("subjective", drops["b"]);
        Assert.Equal("contaminated", drops["c"]);
        Assert.Equal("quality_label_unavailable", drops["e"]);
        Assert.Contains("kept 1 of 5 questions", run.Output, StringComparison.Ordinal);
        Assert.Equal(1 + 4, closedBookCalls); // c stops at its first contaminated sample; d needs all 4
    }

    [Fact]
    public async Task Filters_need_a_model_unless_disabled()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("data.jsonl", "{\"id\": \"a\", \"source\": \"nq\", \"question\": \"q\", \"answers\": [\"x\"]}\n");

        CliRun missing = await CliRun.InvokeAsync("data", "filter", "--data", data, "--out", Path.Combine(dir.Path, "o.jsonl"));
        CliRun disabled = await CliRun.InvokeAsync("data", "filter", "--data", data, "--out", Path.Combine(dir.Path, "o.jsonl"), "--no-quality", "--no-contamination");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--model-url", missing.Error, StringComparison.Ordinal);
        Assert.Equal(0, disabled.ExitCode);
    }

    [Fact]
    public void The_mix_follows_the_ratios_and_is_deterministic()
    {
        var examples = new List<QaExample>();
        foreach (string source in new[] { "nq", "tq", "hotpotqa", "2wiki" })
        {
            for (int i = 0; i < 100; i++)
            {
                examples.Add(new QaExample($"{source}-{i}", source, "q", ["a"]));
            }
        }

        var ratios = TrainingMix.ParseRatios("nq=1,tq=1,hotpotqa=3,2wiki=3");
        (IReadOnlyList<QaExample> first, IReadOnlyList<string> shortfalls) = TrainingMix.Build(examples, ratios, 80, 7);
        (IReadOnlyList<QaExample> second, _) = TrainingMix.Build(examples, ratios, 80, 7);
        (_, IReadOnlyList<string> short200) = TrainingMix.Build(examples, ratios, 400, 7);

        Assert.Equal(10, first.Count(e => e.Source == "nq"));
        Assert.Equal(30, first.Count(e => e.Source == "2wiki"));
        Assert.Equal(first.Select(e => e.Id), second.Select(e => e.Id));
        Assert.Empty(shortfalls);
        Assert.Contains(short200, s => s.StartsWith("hotpotqa: 100 of the 150", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => TrainingMix.ParseRatios("nq=0"));
    }
}
