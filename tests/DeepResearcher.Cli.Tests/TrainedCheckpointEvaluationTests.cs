using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Environments.World;
using DeepResearcher.Training.Checkpoints;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Toolbox;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Questions;
using DeepResearcher.Testing;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Cli.Tests;

/// <summary>
/// Issue 22: a checkpoint trained by <c>train</c> scores the same under <c>eval run --checkpoint</c>, on a world served on
/// another port, with no agent flags: the world's URLs do not name the port, and the agent settings come from the checkpoint.
/// </summary>
public sealed partial class TrainedCheckpointEvaluationTests : IDisposable
{
    private const int Questions = 2;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Eval_run_on_the_trained_checkpoint_reproduces_trains_after_grpo_figure_exactly()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        // Short demonstrations on the first test questions, recorded on the training world's port with the settings
        // train researches in: one search, one browse of the first result, one answer. A small model learns them in a
        // few dozen steps, so its evaluation reads search results and pages, which is what names URLs (a model that
        // never completes a tool call would read the same anywhere).
        string world = Path.Combine(_dir.Path, "world");
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = world, Seed = 5, Size = WorldSize.Tiny }, null, ct);
        string testFile = Path.Combine(world, "questions", "test.jsonl");
        IReadOnlyList<WorldQuestion> first = [.. (await QuestionJsonl.ReadAsync(testFile, ct)).Take(Questions)];
        int trainPort = FreeLoopbackPort.Next();
        string demonstrations = Path.Combine(_dir.Path, "demonstrations.jsonl");
        await using (OfflineWorld served = await OfflineWorld.StartAsync(world, searchOverHttp: true, trainPort, ct))
        {
            IToolbox toolbox = served.CreateToolbox(
                new ExtractivePageReader(new ExtractivePageReaderOptions { MaxSentencesPerSegment = 2 }), null, new WebToolboxOptions { ResultsPerQuery = 3, MaxSnippetChars = 100 });
            var options = new ResearchAgentOptions { SystemPrompt = AgentSettings.CompactSystemPrompt, ShowToolSchemas = false, MaxTurns = 4, MaxTokensPerTurn = 96, MaxContextTokens = 4096 };
            var demonstrator = new ShortDemonstrator(first[0].Path[0].Query, first[0].Answers[0]);
            var lines = new List<string>();
            foreach (WorldQuestion question in first)
            {
                Trajectory demo = await new ResearchAgent(demonstrator, toolbox, options).RunAsync(question.Question, ct, question.Id, "demo-" + question.Id);
                Assert.Equal(TerminationReason.Answered, demo.Termination);
                lines.Add(TrajectoryJson.Serialize(demo));
            }

            await File.WriteAllLinesAsync(demonstrations, lines, ct);
        }

        string config = _dir.Write("tiny.yaml", $"""
            world:
              dir: {world}
              port: {trainPort}
            model:
              vocab_size: 1024
              hidden_size: 64
              num_layers: 2
              num_heads: 2
              num_kv_heads: 1
              intermediate_size: 128
            data:
              train_batch_size: 2
              eval_questions: {Questions}
              max_turns: 4
              max_response_length: 96
              max_model_len: 4096
            rollout:
              n: 2
              val_n: 0
            actor:
              lr: 0.00001
            sft:
              pretrain_steps: 0
              steps: 120
              lr: 0.004
              lr_schedule: constant
              demonstrations: {demonstrations}
              batch_size: {Questions}
              demo_noise: none
              save_freq: 0
            trainer:
              total_steps: 1
              save_freq: 0
            """);
        string train = Path.Combine(_dir.Path, "train");

        CliRun trained = await CliRun.InvokeAsync("train", "--config", config, "--out", train);

        Assert.True(trained.ExitCode == 0, trained.Error);
        JsonObject afterGrpo = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(train, "evals", "after-grpo.json"), ct))!.AsObject();
        double trainSetF1 = afterGrpo["set_f1"]!.GetValue<double>();
        double trainToolCalls = afterGrpo["tool_calls"]!.GetValue<double>();
        string eval = Path.Combine(_dir.Path, "eval");

        CliRun evaluated = await CliRun.InvokeAsync("eval", "run", "--checkpoint", Path.Combine(train, "checkpoint"), "--world", world,
            "--data", testFile, "--limit", Questions.ToString(CultureInfo.InvariantCulture), "--concurrency", "1", "--out", eval);

        Assert.True(evaluated.ExitCode == 0, evaluated.Error);
        Assert.NotEqual(trainPort, ServedPort(evaluated.Error));
        string[] expected = Results(Path.Combine(train, "run", "results.jsonl"));
        string[] actual = Results(Path.Combine(eval, "results.jsonl"));
        Assert.Equal(expected, actual);
        double evalSetF1 = File.ReadAllLines(Path.Combine(eval, "results.jsonl")).Select(l => JsonNode.Parse(l)!["set_f1"]!.GetValue<double>()).Average();
        Assert.Equal(trainSetF1, evalSetF1);
        List<Trajectory> trainTrajectories = await ReadAsync(Path.Combine(train, "evals", "after-grpo", "trajectories.jsonl"), ct);
        List<Trajectory> evalTrajectories = await ReadAsync(Path.Combine(eval, "trajectories.jsonl"), ct);
        Assert.Equal(trainToolCalls, evalTrajectories.Average(t => (double)t.ToolCallCount()));
        // What the policy read and wrote, turn by turn: the same tokens, the world's URLs included.
        Assert.Equal(Texts(trainTrajectories), Texts(evalTrajectories));
        Assert.True(evalTrajectories.Any(t => t.ToolCallCount("web_search") > 0), string.Join("\n---\n", evalTrajectories.Select(t => t.Text())));
        Assert.Contains(evalTrajectories, t => t.Text().Contains("'url': 'http://world.local/", StringComparison.Ordinal));
        JsonObject settingsFrom = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(eval, "run.json"), ct))!["config"]!["agent_settings_from"]!.AsObject();
        Assert.All(settingsFrom, p => Assert.Equal("checkpoint", p.Value!.GetValue<string>()));
    }

    private static async Task<List<Trajectory>> ReadAsync(string path, CancellationToken ct)
    {
        List<Trajectory> trajectories = [];
        await foreach (Trajectory t in TrajectoryJson.ReadAsync(path, ct))
        {
            trajectories.Add(t);
        }

        return trajectories;
    }

    private static string[] Texts(List<Trajectory> trajectories)
        => [.. trajectories.OrderBy(t => t.QuestionId, StringComparer.Ordinal).Select(t => t.QuestionId + "\n" + t.Text())];

    /// <summary>Search the same query, browse the first result, give the same answer, whatever the question.</summary>
    private sealed partial class ShortDemonstrator(string query, string answer) : IChatModel
    {
        public string Name => "short-demonstrator";

        public bool SupportsPrefill => true;

        public Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
        {
            int turn = request.Messages.Count(m => m.Role == ChatRole.Assistant);
            string text = turn switch
            {
                0 => $"search\n</think>\n<tool_call>\n{{\"name\": \"web_search\", \"arguments\": {{\"query\": [\"{query}\"]}}}}\n</tool_call>",
                1 => $"read\n</think>\n<tool_call>\n{{\"name\": \"browse_webpage\", \"arguments\": {{\"url_list\": [\"{FirstUrl().Match(request.Messages[^1].Content).Groups["url"].Value}\"]}}}}\n</tool_call>",
                _ => $"answer\n</think>\n<answer>{answer}</answer>",
            };
            return Task.FromResult(new ModelReply { Text = text });
        }

        [GeneratedRegex("'url': '(?<url>[^']+)'")]
        private static partial Regex FirstUrl();
    }

    private static string[] Results(string path)
        => [.. File.ReadAllLines(path).Select(l => JsonNode.Parse(l)!).Select(n => $"{n["id"]} | {n["prediction"]} | {n["set_f1"]} | {n["termination"]}").Order(StringComparer.Ordinal)];

    private static int ServedPort(string log)
        => int.Parse(ServedAt().Match(log).Groups["port"].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"served at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ServedAt();
}
