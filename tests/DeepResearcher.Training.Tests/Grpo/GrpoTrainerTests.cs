using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Policy;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Tests.Grpo;

public class GrpoTrainerTests
{
    private static TransformerModel NewModel()
    {
        var model = TransformerModel.Create(new TransformerConfig { VocabSize = 32, HiddenSize = 16, IntermediateSize = 32, NumLayers = 1, NumHeads = 2, NumKeyValueHeads = 1, TieWordEmbeddings = true });
        ModelInitializer.Initialize(model, 3);
        return model;
    }

    /// <summary>Prompt 1 2 3 4 then a 3-token completion; the loss covers the completion only.</summary>
    private static PolicySequence Completion(int[] completion, float advantage)
    {
        int[] ids = [1, 2, 3, 4, .. completion];
        byte[] mask = [0, 0, 0, 1, 1, 1];
        return new PolicySequence(ids[..^1], ids[1..], mask, new float[6], advantage);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly AdamParams NoDecay = new() { WeightDecay = 0, GradClipNorm = 1f };

    private static async Task<double> CompletionLogProbAsync(EngineBackend backend, PolicySequence sequence)
    {
        float[] logProbs = (await backend.ComputeLogProbsAsync([new TokenDatum(sequence.Inputs, sequence.Targets, sequence.Mask)], Ct))[0];
        return Enumerable.Range(0, sequence.Length).Where(t => sequence.Mask[t] == 1).Sum(t => (double)logProbs[t]);
    }

    [Fact]
    public async Task Raises_the_likelihood_of_positive_advantage_rollouts_and_lowers_the_negative_ones()
    {
        TransformerModel model = NewModel();
        await using var sampler = new ContinuousBatchingSampler(model);
        var update = new EngineBackend(sampler, new AdamW(model.TrainableParameters), 4096);
        var trainer = new GrpoTrainer(update, new EngineLogProbSource(NewModel(), 4096), new GrpoTrainerOptions { Adam = NoDecay, RecomputeOldLogProbs = true, Loss = new GrpoLossOptions { KlCoefficient = 0.001 } });
        PolicySequence good = Completion([5, 6, 7], +1f);
        PolicySequence bad = Completion([8, 9, 10], -1f);
        double goodBefore = await CompletionLogProbAsync(update, good);
        double badBefore = await CompletionLogProbAsync(update, bad);

        GrpoStepStats stats = default!;
        for (int step = 0; step < 5; step++)
        {
            stats = await trainer.UpdateAsync([good, bad], 0, 1e-2f, Ct);
        }

        double goodAfter = await CompletionLogProbAsync(update, good);
        double badAfter = await CompletionLogProbAsync(update, bad);
        Assert.True(goodAfter > goodBefore + 0.5, $"good: {goodBefore:F3} → {goodAfter:F3}");
        Assert.True(badAfter < badBefore - 0.5, $"bad: {badBefore:F3} → {badAfter:F3}");
        Assert.Equal(6, stats.PolicyTokens);
        Assert.True(stats.Kl > 0, "the policy moved away from the reference");
    }

    [Fact]
    public async Task Zero_advantages_at_the_reference_leave_the_weights_untouched()
    {
        TransformerModel model = NewModel();
        float[] before = [.. model.EmbedTokens.Data];
        await using var sampler = new ContinuousBatchingSampler(model);
        var update = new EngineBackend(sampler, new AdamW(model.TrainableParameters), 4096);
        var trainer = new GrpoTrainer(update, new EngineLogProbSource(NewModel(), 4096), new GrpoTrainerOptions { Adam = NoDecay, RecomputeOldLogProbs = true });

        GrpoStepStats stats = await trainer.UpdateAsync([Completion([5, 6, 7], 0f), Completion([8, 9, 10], 0f)], 0, 1e-2f, Ct);

        Assert.Equal(0, stats.GradNorm, 1e-7);
        Assert.Equal(before, model.EmbedTokens.Data);
    }

    [Fact]
    public async Task Several_ppo_epochs_move_the_ratio_off_one_and_clipping_engages()
    {
        TransformerModel model = NewModel();
        await using var sampler = new ContinuousBatchingSampler(model);
        var update = new EngineBackend(sampler, new AdamW(model.TrainableParameters), 4096);
        var trainer = new GrpoTrainer(update, null, new GrpoTrainerOptions
        {
            Adam = NoDecay,
            RecomputeOldLogProbs = true,
            PpoEpochs = 8,
            MiniBatchSize = 1,
            Loss = new GrpoLossOptions { KlCoefficient = 0 },
        });

        GrpoStepStats stats = await trainer.UpdateAsync([Completion([5, 6, 7], 2f), Completion([8, 9, 10], -2f)], 0, 5e-2f, Ct);

        Assert.Equal(16, stats.OptimizerSteps);
        Assert.True(stats.ClipFraction > 0, "after several epochs with a large step some ratios leave [0.8, 1.2]");
    }

    [Fact]
    public async Task A_kl_term_without_a_reference_model_is_refused()
    {
        TransformerModel model = NewModel();
        await using var sampler = new ContinuousBatchingSampler(model);
        var update = new EngineBackend(sampler, new AdamW(model.TrainableParameters), 4096);
        var trainer = new GrpoTrainer(update, null, new GrpoTrainerOptions());

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => trainer.UpdateAsync([Completion([5, 6, 7], 1f)], 0, 1e-3f, Ct));

        Assert.Contains("kl_coef", ex.Message, StringComparison.Ordinal);
    }
}
