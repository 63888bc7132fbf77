using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Policy;

namespace DeepResearcher.Training.Tests.Backends;

/// <summary>The in-process engine behind the policy-backend contract: weight versions, named losses, accumulation.</summary>
public sealed class EngineBackendTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TransformerModel NewModel(ulong seed = 3)
    {
        var model = TransformerModel.Create(new TransformerConfig { VocabSize = 48, HiddenSize = 16, IntermediateSize = 32, NumLayers = 2, NumHeads = 2, NumKeyValueHeads = 1, TieWordEmbeddings = true, MaxPositionEmbeddings = 256 });
        ModelInitializer.Initialize(model, seed);
        return model;
    }

    private static TokenDatum Datum(int[] ids, int promptTokens)
    {
        byte[] mask = [.. Enumerable.Range(1, ids.Length - 1).Select(t => t >= promptTokens ? (byte)1 : (byte)0)];
        return new TokenDatum(ids[..^1], ids[1..], mask);
    }

    [Theory]
    [InlineData(InferenceWeightType.Float32)]
    [InlineData(InferenceWeightType.BFloat16)]
    public async Task A_training_step_is_seen_by_the_next_sample_without_any_refresh_call(InferenceWeightType weightType)
    {
        TransformerModel model = NewModel();
        await using var sampler = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { WeightType = weightType });
        var backend = new EngineBackend(sampler, new AdamW(model.TrainableParameters), 4096);
        var decoding = new DecodingOptions { Temperature = 0, MaxNewTokens = 5 };
        int[] prompt = [1, 2, 3, 4, 5, 6, 7, 8];
        PolicySample first = await backend.SampleAsync(new SamplingRequest(prompt, decoding) { ConversationId = "c" }, Ct);
        long reused = sampler.ReusedPromptTokens;

        // One SFT step on the sampled turn, large enough to change what greedy decoding picks.
        int[] turn = [.. prompt, .. first.TokenIds];
        await backend.ForwardBackwardAsync([Datum(turn, prompt.Length - 1)], LossFunction.CrossEntropy, null, Ct);
        OptimStepResult step = await backend.OptimStepAsync(new AdamParams { LearningRate = 0.05f, WeightDecay = 0 }, Ct);

        Assert.True(step.WeightVersion > first.WeightVersion, "an optimizer step moves the weight version");
        Assert.Equal(step.WeightVersion, backend.WeightVersion);
        int[] next = [.. turn, 9, 10];
        PolicySample second = await backend.SampleAsync(new SamplingRequest(next, decoding) { ConversationId = "c" }, Ct);
        Assert.Equal(step.WeightVersion, second.WeightVersion);
        // The conversation's cache holds keys and values of the old weights: it must not be reused.
        Assert.Equal(reused, sampler.ReusedPromptTokens);
        await using var fresh = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { WeightType = weightType });
        SamplingResult expected = await fresh.SubmitAsync(new SamplingRequest(next, decoding), Ct);
        Assert.Equal(expected.TokenIds, second.TokenIds);
        Assert.Equal(expected.LogProbs, second.LogProbs);
    }

    [Fact]
    public async Task The_cross_entropy_is_the_mean_over_the_calls_masked_tokens_whatever_the_micro_batches()
    {
        TokenDatum[] data = [Datum([1, 2, 3, 4, 5, 6], 3), Datum([7, 8, 9, 10], 1), Datum([11, 12, 13, 14, 15], 4)];
        async Task<(double Loss, float Norm)> RunAsync(int microBatchTokens)
        {
            TransformerModel model = NewModel();
            await using var sampler = new ContinuousBatchingSampler(model);
            var backend = new EngineBackend(sampler, new AdamW(model.TrainableParameters), microBatchTokens);
            ForwardBackwardResult result = await backend.ForwardBackwardAsync(data, LossFunction.CrossEntropy, null, Ct);
            OptimStepResult step = await backend.OptimStepAsync(new AdamParams { GradClipNorm = 1e9f }, Ct);
            return (result.Loss, step.GradNorm);
        }

        (double wholeLoss, float wholeNorm) = await RunAsync(4096);
        (double splitLoss, float splitNorm) = await RunAsync(1);

        Assert.Equal(wholeLoss, splitLoss, 1e-6);
        Assert.Equal(wholeNorm, splitNorm, 1e-4f);
        // The masked tokens: 3 + 3 + 1 of them; an untrained model is near ln V on each.
        Assert.InRange(wholeLoss, Math.Log(48) * 0.8, Math.Log(48) * 1.2);
    }

    [Fact]
    public async Task The_grpo_loss_names_the_input_it_is_missing()
    {
        TransformerModel model = NewModel();
        await using var sampler = new ContinuousBatchingSampler(model);
        var backend = new EngineBackend(sampler, new AdamW(model.TrainableParameters), 4096);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => backend.ForwardBackwardAsync([Datum([1, 2, 3, 4], 1)], LossFunction.Grpo, new GrpoLossOptions(), Ct));

        Assert.Contains("SamplingLogProbs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_without_a_forward_backward_sees_no_stale_gradients()
    {
        TransformerModel model = NewModel();
        await using var sampler = new ContinuousBatchingSampler(model);
        var backend = new EngineBackend(sampler, new AdamW(model.TrainableParameters), 4096);
        await backend.ForwardBackwardAsync([Datum([1, 2, 3, 4, 5], 2)], LossFunction.CrossEntropy, null, Ct);
        OptimStepResult first = await backend.OptimStepAsync(new AdamParams(), Ct);

        OptimStepResult second = await backend.OptimStepAsync(new AdamParams(), Ct);

        Assert.True(first.GradNorm > 0);
        Assert.Equal(0f, second.GradNorm);
        Assert.True(second.WeightVersion > first.WeightVersion);
    }
}
