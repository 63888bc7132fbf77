using System.Runtime.InteropServices;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Training.Policy;

namespace DeepResearcher.Training.Tests.Checkpoints;

/// <summary>A two-layer model and a next-token loss on batches drawn from the step number, so any step can be replayed.</summary>
internal static class TinyTraining
{
    public const ulong Seed = 7;

    public static TransformerConfig Config() => new()
    {
        VocabSize = 64,
        HiddenSize = 32,
        IntermediateSize = 48,
        NumLayers = 2,
        NumHeads = 4,
        NumKeyValueHeads = 2,
        QkvBias = true,
        TieWordEmbeddings = true,
        MaxPositionEmbeddings = 64,
    };

    public static TransformerModel CreateModel()
    {
        var model = TransformerModel.Create(Config());
        ModelInitializer.Initialize(model, Seed);
        return model;
    }

    public static AdamW CreateOptimizer(TransformerModel model) =>
        new(model.TrainableParameters, new AdamWOptions { WeightDecay = 0.01f });

    /// <summary>One optimizer step on the batch that belongs to <paramref name="step"/>.</summary>
    public static void Step(TransformerModel model, AdamW optimizer, int step)
    {
        var random = new Random(1000 + step);
        int[] lengths = [9, 7];
        int[] tokens = [.. Enumerable.Range(0, lengths.Sum()).Select(_ => random.Next(model.Config.VocabSize))];
        int[] targets = [.. tokens.Skip(1), 0];
        byte[] mask = [.. tokens.Select((_, i) => i % 5 == 4 ? (byte)0 : (byte)1)];
        var logProbs = new float[tokens.Length];
        var gradient = new float[tokens.Length];
        optimizer.ZeroGrad();
        model.ForwardLogProbs(new TokenBatch(tokens, lengths), targets, logProbs);
        TokenLoss.MaskedMeanNegativeLogLikelihood(logProbs, mask, gradient);
        model.Backward(gradient);
        optimizer.Step(3e-3f);
    }

    public static void AssertBitIdentical(IEnumerable<Parameter> expected, IEnumerable<Parameter> actual)
    {
        var actualByName = actual.ToDictionary(p => p.Name);
        int compared = 0;
        foreach (var p in expected)
        {
            Assert.True(actualByName.TryGetValue(p.Name, out var other), $"parameter {p.Name} is missing");
            AssertBitIdentical(p.Data, other.Data, p.Name);
            compared++;
        }
        Assert.Equal(compared, actualByName.Count);
    }

    public static void AssertBitIdentical(float[] expected, float[] actual, string name)
    {
        Assert.True(MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan())), $"{name} differs");
    }
}
