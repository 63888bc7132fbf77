using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Environments.World;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Policy;
using DeepResearcher.Training.Rollouts;
using DeepResearcher.Training.Sft;
using DeepResearcher.World.Building;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Training.Tests.Sft;

/// <summary>The supervised warm start end to end on a tiny world: demonstrations → tokenizer → model → falling loss.</summary>
public sealed class SupervisedWarmStartTests : IAsyncLifetime
{
    private string _root = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "dr-sft-" + Guid.NewGuid().ToString("N"));
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = _root, Seed = 5, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Sft_on_expert_demonstrations_lowers_the_policy_token_loss()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using OfflineWorld world = await OfflineWorld.StartAsync(_root, searchOverHttp: false, ct);
        IReadOnlyList<WorldQuestion> questions = [.. (await QuestionJsonl.ReadAsync(WorldFiles.FullPath(_root, WorldFiles.QuestionFile(QuestionSplit.Train)), ct)).Take(6)];
        var agentOptions = new ResearchAgentOptions { Today = new DateOnly(2026, 1, 1) };

        // 1. Text demonstrations, to train a tokenizer on exactly the text the model will see.
        IReadOnlyList<DemonstrationResult> texts = await DemonstrationRun.RunAsync(world, questions, ExpertNoise.None, 1, 4, null, ct);
        BpeTokenizer bpe = BpeTrainer.Train(texts.Select(r => r.Trajectory.Text()), 600, EngineTokenizer.ChatTokens);
        var tokenizer = new EngineTokenizer(bpe);

        // 2. The same demonstrations, token-exact.
        var sequences = new List<PolicySequence>();
        foreach (WorldQuestion question in questions)
        {
            var policy = new TokenizingChatModel(new ExpertDemonstrator(question), tokenizer);
            Trajectory trajectory = await new ResearchAgent(policy, world.CreateToolbox(), agentOptions).RunAsync(question.Question, ct, question.Id);
            Assert.Equal(TerminationReason.Answered, trajectory.Termination);
            Assert.Equal(trajectory.Text(), tokenizer.Decode(trajectory.TokenIds()));
            sequences.Add(PolicySequence.FromTrajectory(trajectory, 1.0));
        }

        // 3. A small model from scratch and a few SFT steps on a fixed batch.
        var model = TransformerModel.Create(new TransformerConfig
        {
            VocabSize = bpe.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKeyValueHeads = 1,
            TieWordEmbeddings = true, QkvBias = true, RopeTheta = 10000, MaxPositionEmbeddings = 8192,
        });
        ModelInitializer.Initialize(model, 1);
        await using var sampler = new ContinuousBatchingSampler(model);
        var trainer = new SupervisedTrainer(new EngineBackend(sampler, new AdamW(model.TrainableParameters), 16384), new AdamParams { WeightDecay = 0, GradClipNorm = 1f });
        List<PolicySequence> batch = [.. sequences.Take(2)];

        var losses = new List<double>();
        for (int step = 0; step < 12; step++)
        {
            losses.Add(await trainer.StepAsync(batch, 1e-2f, TestContext.Current.CancellationToken));
        }

        Assert.True(losses[0] > Math.Log(bpe.VocabSize) * 0.8, $"an untrained model starts near ln V = {Math.Log(bpe.VocabSize):F2}: {losses[0]:F2}");
        // The mean of the last three steps: at lr 1e-2 Adam bounces by up to ~0.7 nats from one step to the next, and the
        // world's free port (digits in every URL) changes the tokens run to run, so a single last step is a coin toss.
        double last = losses[^3..].Average();
        Assert.True(last < losses[0] - 1.5, $"loss should fall by more than 1.5 nats (first step against the mean of the last three): {string.Join(", ", losses.Select(l => l.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    [Fact]
    public void Initialisation_is_deterministic_and_scaled()
    {
        TransformerModel Make()
        {
            var m = TransformerModel.Create(new TransformerConfig { VocabSize = 64, HiddenSize = 32, IntermediateSize = 64, NumLayers = 4, NumHeads = 2, NumKeyValueHeads = 1, QkvBias = true });
            ModelInitializer.Initialize(m, 9);
            return m;
        }

        TransformerModel a = Make();
        TransformerModel b = Make();

        Assert.Equal(a.EmbedTokens.Data, b.EmbedTokens.Data);
        double std = Math.Sqrt(a.EmbedTokens.Data.Average(x => (double)x * x));
        Assert.InRange(std, 0.017, 0.023);
        Parameter norm = a.Parameters.First(p => p.Name.EndsWith("norm.weight", StringComparison.Ordinal));
        Assert.All(norm.Data, x => Assert.Equal(1f, x));
        Parameter down = a.Parameters.First(p => p.Name.Contains("down_proj", StringComparison.Ordinal));
        double downStd = Math.Sqrt(down.Data.Average(x => (double)x * x));
        Assert.InRange(downStd, 0.02 / Math.Sqrt(8) * 0.8, 0.02 / Math.Sqrt(8) * 1.2);
    }
}
