using DeepResearcher.Engine.Diagnostics;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Tests.Model;

/// <summary>
/// The parallel training step gives bit-identical log-probs, entropies and gradients run to run and whatever the
/// number of threads: work is split in fixed chunks and every reduction sums in a fixed order.
/// </summary>
[Collection("ComputePool.Shared settings")]
public sealed class TrainingDeterminismTests
{
    private static readonly TransformerConfig Config = new()
    {
        VocabSize = 300, HiddenSize = 64, IntermediateSize = 96, NumLayers = 2, NumHeads = 4, NumKeyValueHeads = 2,
        QkvBias = true, TieWordEmbeddings = true, RopeTheta = 10000,
    };

    [Fact]
    public void TrainingStep_IsBitIdenticalRunToRunAndAcrossThreadCounts()
    {
        var pool = ComputePool.Shared;
        int saved = pool.Parallelism;
        try
        {
            var first = RunStep(out var firstLogProbs, out var firstEntropy);
            var again = RunStep(out var againLogProbs, out var againEntropy);
            pool.Parallelism = 1;
            var serial = RunStep(out var serialLogProbs, out var serialEntropy);
            Assert.Equal(firstLogProbs, againLogProbs);
            Assert.Equal(firstEntropy, againEntropy);
            Assert.Equal(firstLogProbs, serialLogProbs);
            Assert.Equal(firstEntropy, serialEntropy);
            foreach (var name in first.Keys)
            {
                Assert.True(first[name].AsSpan().SequenceEqual(again[name]), $"{name} differs run to run");
                Assert.True(first[name].AsSpan().SequenceEqual(serial[name]), $"{name} differs between thread counts");
            }
        }
        finally
        {
            pool.Parallelism = saved;
        }
    }

    [Fact]
    public void KernelTimings_RecordOnlyWhileEnabled()
    {
        KernelTimings.Reset();
        RunStep(out _, out _);
        Assert.Equal(0, KernelTimings.CallCount(TimedKernel.AttentionCoreForward));
        try
        {
            KernelTimings.Enabled = true;
            RunStep(out _, out _);
        }
        finally
        {
            KernelTimings.Enabled = false;
        }
        // At least: tests of other classes may run a model at the same time and record too.
        Assert.True(KernelTimings.CallCount(TimedKernel.AttentionCoreForward) >= Config.NumLayers);
        Assert.True(KernelTimings.CallCount(TimedKernel.LmHeadBackward) >= 1);
        Assert.True(KernelTimings.Elapsed(TimedKernel.MlpProjectionBackward) > TimeSpan.Zero);
        Assert.Contains("| AttentionCoreBackward |", KernelTimings.FormatTable(1), StringComparison.Ordinal);
        KernelTimings.Reset();
    }

    /// <summary>One forward with entropy and one backward on a fresh seeded model; returns every gradient by name.</summary>
    private static Dictionary<string, float[]> RunStep(out float[] logProbs, out float[] entropy)
    {
        var model = TransformerModel.Create(Config);
        var random = new Random(7);
        foreach (var p in model.Parameters)
        {
            bool norm = p.Name.Contains("norm", StringComparison.Ordinal);
            for (int i = 0; i < p.Length; i++)
                p.Data[i] = norm ? 1f + 0.1f * (float)(random.NextDouble() * 2 - 1) : 0.1f * (float)(random.NextDouble() * 2 - 1);
        }
        // Two sequences longer than one attention block, so blocks, heads and sequences all become separate work items.
        int[] lengths = [150, 97];
        var tokens = new int[lengths.Sum()];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = random.Next(Config.VocabSize);
        var targets = tokens.Skip(1).Append(0).ToArray();
        var batch = new TokenBatch(tokens, lengths);
        logProbs = new float[tokens.Length];
        entropy = new float[tokens.Length];
        model.ForwardLogProbs(batch, targets, logProbs, entropy);
        var dLogProbs = new float[tokens.Length];
        var dEntropy = new float[tokens.Length];
        for (int t = 0; t < tokens.Length; t++)
        {
            dLogProbs[t] = t % 7 == 0 ? 0f : -1f / tokens.Length;
            dEntropy[t] = t % 5 == 0 ? 0f : 0.01f;
        }
        model.Backward(dLogProbs, dEntropy);
        return model.Parameters.ToDictionary(p => p.Name, p => (float[])p.Grad.Clone());
    }
}
