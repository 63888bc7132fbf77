using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Testing;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Policy;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Tests.Policy;

/// <summary>
/// The engine policy in the real agent loop: sampled ids and their log-probabilities go into the trajectory as
/// sampled, and the trainer's forward pass over that trajectory gives the same log-probabilities (the ratio of GRPO
/// starts at exactly 1, with no re-tokenisation drift).
/// </summary>
public class EnginePolicyTests
{
    [Fact]
    public async Task Sampling_log_probs_equal_the_trainers_forward_pass_on_the_recorded_trajectory()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        BpeTokenizer bpe = BpeTrainer.Train(
            [SystemPrompt.Render(new DateOnly(2026, 1, 1)), "What is the capital of Freedonia? The capital of Freedonia is Fredville.", "format error: the turn has no <think> block"],
            400, EngineTokenizer.ChatTokens);
        var tokenizer = new EngineTokenizer(bpe);
        var model = TransformerModel.Create(new TransformerConfig
        {
            VocabSize = bpe.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKeyValueHeads = 1,
            TieWordEmbeddings = true, QkvBias = true, MaxPositionEmbeddings = 8192,
        });
        ModelInitializer.Initialize(model, 4);
        await using var sampler = new ContinuousBatchingSampler(model, bpe, new ContinuousBatchingOptions { MaxBatchSize = 4, MaxTotalTokens = 65536 });
        var policy = new EnginePolicy(new EngineSampler(sampler), tokenizer);
        var agent = new ResearchAgent(policy, new ScriptedToolbox(), new ResearchAgentOptions
        {
            Today = new DateOnly(2026, 1, 1),
            MaxTurns = 3,
            MaxTokensPerTurn = 24,
            OnProtocolError = ProtocolErrorPolicy.FeedBack,
            Sampling = new Core.Agent.SamplingOptions { Temperature = 1.0f, Seed = 11 },
        });

        Trajectory trajectory = await agent.RunAsync("What is the capital of Freedonia?", ct, trajectoryId: "t1");

        Assert.Equal(3, trajectory.Turns.Count); // an untrained model breaks the protocol; feedback keeps it going
        Assert.All(trajectory.Segments.Where(s => s.Kind == SegmentKind.Policy), s => Assert.Equal(s.TokenIds!.Length, s.LogProbs!.Length));
        PolicySequence sequence = PolicySequence.FromTrajectory(trajectory, 1.0);
        var backend = new EngineBackend(sampler, new AdamW(model.TrainableParameters), 65536);
        float[] forward = (await backend.ComputeLogProbsAsync([new TokenDatum(sequence.Inputs, sequence.Targets, sequence.Mask)], ct))[0];
        int compared = 0;
        for (int t = 0; t < sequence.Length; t++)
        {
            if (sequence.Mask[t] == 1)
            {
                Assert.Equal(sequence.OldLogProbs[t], forward[t], 1e-4f);
                compared++;
            }
        }

        Assert.True(compared >= 3, $"compared {compared} policy tokens");
    }

    [Fact]
    public void A_tokenizer_without_an_end_of_turn_token_is_refused()
    {
        BpeTokenizer bpe = BpeTrainer.Train(["plain text only"], 300, ["<think>"]);
        var model = TransformerModel.Create(new TransformerConfig { VocabSize = bpe.VocabSize, HiddenSize = 16, IntermediateSize = 32, NumLayers = 1, NumHeads = 2, NumKeyValueHeads = 1, TieWordEmbeddings = true });
        using var sampler = new ContinuousBatchingSampler(model, bpe);

        var ex = Assert.Throws<ArgumentException>(() => new EnginePolicy(new EngineSampler(sampler), new EngineTokenizer(bpe)));

        Assert.Contains("<|im_end|>", ex.Message, StringComparison.Ordinal);
    }
}
