using System.Text.RegularExpressions;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Environments.World;
using DeepResearcher.Training.Checkpoints;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Toolbox;
using DeepResearcher.World.Building;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.Testing;

namespace DeepResearcher.Cli.Tests;

/// <summary>
/// A checkpoint trained by <c>train</c> in a tiny world, once per test class: short demonstrations on the first test
/// questions, recorded on the training world's port with the settings train researches in (one search, one browse of
/// the first result, one answer). A small model learns them in a few dozen steps, so the trained policy calls the
/// world's tools and answers, which is what a served checkpoint's tests need (a model that never completes a tool call
/// would read the same anywhere).
/// </summary>
public sealed partial class TrainedTinyRun : IAsyncLifetime
{
    public const int Questions = 2;

    private readonly TempDirectory _dir = new();

    public string Root => _dir.Path;

    public string World => Path.Combine(_dir.Path, "world");

    public string TestFile => Path.Combine(World, "questions", "test.jsonl");

    /// <summary>The first test questions: the demonstrated ones, and the ones train evaluates.</summary>
    public IReadOnlyList<WorldQuestion> First { get; private set; } = [];

    public int TrainPort { get; private set; }

    public string Train => Path.Combine(_dir.Path, "train");

    public string Checkpoint => Path.Combine(Train, "checkpoint");

    public async ValueTask InitializeAsync()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = World, Seed = 5, Size = WorldSize.Tiny }, null, ct);
        First = [.. (await QuestionJsonl.ReadAsync(TestFile, ct)).Take(Questions)];
        TrainPort = FreeLoopbackPort.Next();
        string demonstrations = Path.Combine(_dir.Path, "demonstrations.jsonl");
        await using (OfflineWorld served = await OfflineWorld.StartAsync(World, searchOverHttp: true, TrainPort, ct))
        {
            IToolbox toolbox = served.CreateToolbox(
                new ExtractivePageReader(new ExtractivePageReaderOptions { MaxSentencesPerSegment = 2 }), null, new WebToolboxOptions { ResultsPerQuery = 3, MaxSnippetChars = 100 });
            var options = new ResearchAgentOptions { SystemPrompt = AgentSettings.CompactSystemPrompt, ShowToolSchemas = false, MaxTurns = 4, MaxTokensPerTurn = 96, MaxContextTokens = 4096 };
            var demonstrator = new ShortDemonstrator(First[0].Path[0].Query, First[0].Answers[0]);
            var lines = new List<string>();
            foreach (WorldQuestion question in First)
            {
                Trajectory demo = await new ResearchAgent(demonstrator, toolbox, options).RunAsync(question.Question, ct, question.Id, "demo-" + question.Id);
                if (demo.Termination != TerminationReason.Answered)
                {
                    throw new InvalidOperationException($"the demonstration of {question.Id} did not answer: {demo.TerminationDetail}");
                }

                lines.Add(TrajectoryJson.Serialize(demo));
            }

            await File.WriteAllLinesAsync(demonstrations, lines, ct);
        }

        string config = _dir.Write("tiny.yaml", $"""
            world:
              dir: {World}
              port: {TrainPort}
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

        CliRun trained = await CliRun.InvokeAsync("train", "--config", config, "--out", Train);

        if (trained.ExitCode != 0)
        {
            throw new InvalidOperationException($"train failed with exit code {trained.ExitCode}:\n{trained.Error}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

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
}
