using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tests.Model;

namespace DeepResearcher.Engine.Tests.Sampling;

/// <summary>Prefill + batched decode over KV caches against the full-recompute forward.</summary>
public sealed class CachedTransformerTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Fixture_DecodeStepsMatchFullForward()
    {
        var model = Qwen2Fixture.LoadModel();
        using var fixture = new Qwen2Fixture();
        var prompt = fixture.ReadInts("decode.prompt");
        var runner = new CachedTransformer(model, maxRows: 4);
        var worst = TeacherForced(model, runner, [prompt], [RandomModels.Tokens(10, model.Config.VocabSize, 7)]);
        output.WriteLine(worst.ToString());
        Assert.True(worst.ScaledError <= Tolerance, worst.ToString());
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 3)]
    [InlineData(true, 1)]
    [InlineData(true, 3)]
    public void RandomModel_BatchedDecodeMatchesFullForward(bool llama, int batch)
    {
        var model = RandomModels.Create(llama ? RandomModels.TinyLlama : RandomModels.TinyQwen, seed: 11);
        var runner = new CachedTransformer(model, maxRows: 5);
        int vocab = model.Config.VocabSize;
        int[] promptLengths = [12, 3, 7];
        var prompts = Enumerable.Range(0, batch).Select(s => RandomModels.Tokens(promptLengths[s], vocab, 100 + s)).ToArray();
        var continuations = Enumerable.Range(0, batch).Select(s => RandomModels.Tokens(9, vocab, 200 + s)).ToArray();
        var worst = TeacherForced(model, runner, prompts, continuations);
        output.WriteLine(worst.ToString());
        Assert.True(worst.ScaledError <= Tolerance, worst.ToString());
    }

    [Fact]
    public void BFloat16Weights_MatchFullForwardOfRoundedModel()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 5);
        RandomModels.RoundToBFloat16(model);
        var runner = new CachedTransformer(model, maxRows: 40, InferenceWeightType.BFloat16);
        int vocab = model.Config.VocabSize;
        // A 37-token prompt goes through the widened-GEMM path, the decode steps through the streaming kernel.
        var worst = TeacherForced(model, runner, [RandomModels.Tokens(37, vocab, 1), RandomModels.Tokens(4, vocab, 2)],
            [RandomModels.Tokens(6, vocab, 3), RandomModels.Tokens(6, vocab, 4)]);
        output.WriteLine(worst.ToString());
        Assert.True(worst.ScaledError <= Tolerance, worst.ToString());
    }

    [Fact]
    public void BFloat16Weights_DifferFromFloat32WhenWeightsAreNotRepresentable()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 5);
        var runner = new CachedTransformer(model, maxRows: 8, InferenceWeightType.BFloat16);
        var prompt = RandomModels.Tokens(5, model.Config.VocabSize, 1);
        var logits = new float[model.Config.VocabSize];
        runner.Prefill(runner.CreateCache(8), prompt, logits);
        var comparison = TensorComparison.Compare("bf16", logits, RandomModels.FullForwardLastLogits(model, prompt));
        Assert.True(comparison.MaxAbs > 0, "bfloat16 weights should round");
        Assert.True(comparison.ScaledError < 0.05, comparison.ToString());
    }

    [Fact]
    public void BFloat16Weights_FollowTheModelWhenItsWeightVersionMoves()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 5);
        RandomModels.RoundToBFloat16(model);
        var runner = new CachedTransformer(model, maxRows: 8, InferenceWeightType.BFloat16);
        var prompt = RandomModels.Tokens(4, model.Config.VocabSize, 1);
        foreach (var p in model.Parameters) Array.Reverse(p.Data); // representable in bfloat16 still
        var logits = new float[model.Config.VocabSize];
        runner.Prefill(runner.CreateCache(8), prompt, logits);
        var stale = TensorComparison.Compare("stale", logits, RandomModels.FullForwardLastLogits(model, prompt));
        // A direct write is invisible until it is declared: the copy follows the version, not the bytes.
        Assert.True(stale.ScaledError > 1e-3, stale.ToString());
        model.BumpWeightVersion();
        runner.Prefill(runner.CreateCache(8), prompt, logits);
        var fresh = TensorComparison.Compare("fresh", logits, RandomModels.FullForwardLastLogits(model, prompt));
        Assert.True(fresh.ScaledError <= Tolerance, fresh.ToString());
    }

    [Fact]
    public void LoraAdapters_AreApplied()
    {
        var model = RandomModels.Create(RandomModels.TinyLlama, seed: 3);
        var random = new Random(9);
        foreach (var adapter in model.AttachLora(2, 4f, ["q_proj", "v_proj", "down_proj"]))
        {
            adapter.InitializeDefault(random);
            for (int i = 0; i < adapter.B.Length; i++) adapter.B.Data[i] = 0.2f * (float)(random.NextDouble() - 0.5);
        }
        var runner = new CachedTransformer(model, maxRows: 8);
        int vocab = model.Config.VocabSize;
        var worst = TeacherForced(model, runner, [RandomModels.Tokens(6, vocab, 1), RandomModels.Tokens(2, vocab, 2)],
            [RandomModels.Tokens(4, vocab, 3), RandomModels.Tokens(4, vocab, 4)]);
        Assert.True(worst.ScaledError <= Tolerance, worst.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DecodeLogits_DoNotDependOnBatchComposition(bool lora)
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 8);
        if (lora)
        {
            var random = new Random(2);
            foreach (var adapter in model.AttachLora(4, 8f, ["q_proj", "o_proj", "up_proj"]))
            {
                adapter.InitializeDefault(random);
                for (int i = 0; i < adapter.B.Length; i++) adapter.B.Data[i] = 0.1f * (float)(random.NextDouble() - 0.5);
            }
        }
        var runner = new CachedTransformer(model, maxRows: 16);
        int vocab = model.Config.VocabSize;
        var prompt = RandomModels.Tokens(6, vocab, 1);
        var alone = runner.CreateCache(16);
        var aloneLogits = new float[vocab];
        runner.Prefill(alone, prompt, aloneLogits);
        runner.Decode([alone], [5], aloneLogits);

        var batched = new[] { runner.CreateCache(16), runner.CreateCache(16), runner.CreateCache(16) };
        runner.Prefill(batched[0], RandomModels.Tokens(3, vocab, 2), []);
        runner.Prefill(batched[1], prompt, []);
        runner.Prefill(batched[2], RandomModels.Tokens(9, vocab, 3), []);
        var batchedLogits = new float[3 * vocab];
        runner.Decode(batched, [1, 5, 2], batchedLogits);
        Assert.Equal(aloneLogits, batchedLogits.AsSpan(vocab, vocab).ToArray());
    }

    [Fact]
    public void LongPrompt_AttentionBlocksMatchFullForward()
    {
        // 75 prompt tokens in chunks of 40 rows: query blocks of 32 over cached and new keys, with a partial last block.
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 14);
        var runner = new CachedTransformer(model, maxRows: 40);
        int vocab = model.Config.VocabSize;
        var worst = TeacherForced(model, runner, [RandomModels.Tokens(75, vocab, 1), RandomModels.Tokens(33, vocab, 2)],
            [RandomModels.Tokens(3, vocab, 3), RandomModels.Tokens(3, vocab, 4)]);
        output.WriteLine(worst.ToString());
        Assert.True(worst.ScaledError <= Tolerance, worst.ToString());
    }

    [Theory]
    [InlineData(InferenceWeightType.Float32)]
    [InlineData(InferenceWeightType.BFloat16)]
    public void DecodeStep_AllocatesNothing(InferenceWeightType type)
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 15);
        var runner = new CachedTransformer(model, maxRows: 8, type);
        int vocab = model.Config.VocabSize;
        var caches = new[] { runner.CreateCache(40), runner.CreateCache(40) };
        runner.Prefill(caches[0], RandomModels.Tokens(5, vocab, 1), []);
        runner.Prefill(caches[1], RandomModels.Tokens(9, vocab, 2), []);
        var logits = new float[2 * vocab];
        int[] tokens = [1, 2];
        runner.Decode(caches, tokens, logits);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 5; step++) runner.Decode(caches, tokens, logits);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void BadInput_ThrowsNamingTheProblem()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 1);
        var runner = new CachedTransformer(model, maxRows: 4);
        var cache = runner.CreateCache(5);
        var tooLong = Assert.Throws<ArgumentException>(() => runner.Prefill(cache, new int[6], []));
        Assert.Contains("capacity of 5", tooLong.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => runner.Prefill(cache, [1, 500], []));
        Assert.Contains("500", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(0, cache.Length);
    }

    /// <summary>
    /// Prefills every prompt, then feeds the continuations one token per step to all sequences at once, comparing each
    /// step's logits with a full forward of that sequence so far; returns the worst comparison.
    /// </summary>
    private static TensorComparison TeacherForced(TransformerModel model, CachedTransformer runner, int[][] prompts, int[][] continuations)
    {
        int vocab = model.Config.VocabSize, batch = prompts.Length;
        var caches = prompts.Select(p => runner.CreateCache(p.Length + continuations[0].Length)).ToArray();
        var sequences = prompts.Select(p => new List<int>(p)).ToArray();
        var worst = new TensorComparison("none", 0, 0, 1);
        void Check(string name, ReadOnlySpan<float> actual, List<int> sequence)
        {
            var c = TensorComparison.Compare(name, actual, RandomModels.FullForwardLastLogits(model, [.. sequence]));
            if (!(c.ScaledError <= worst.ScaledError)) worst = c;
        }
        var logits = new float[batch * vocab];
        for (int s = 0; s < batch; s++)
        {
            runner.Prefill(caches[s], prompts[s], logits.AsSpan(0, vocab));
            Check($"prefill {s}", logits.AsSpan(0, vocab), sequences[s]);
        }
        for (int step = 0; step < continuations[0].Length; step++)
        {
            var tokens = continuations.Select(c => c[step]).ToArray();
            runner.Decode(caches, tokens, logits);
            for (int s = 0; s < batch; s++)
            {
                sequences[s].Add(tokens[s]);
                Check($"step {step} sequence {s}", logits.AsSpan(s * vocab, vocab), sequences[s]);
                Assert.Equal(sequences[s].Count, caches[s].Length);
            }
        }
        return worst;
    }
}
