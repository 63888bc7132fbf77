using DeepResearcher.Engine.Checkpoints;

namespace DeepResearcher.Engine.Tests.Model;

/// <summary>
/// Per-token entropy and its gradient against the float64 PyTorch reference of
/// Fixtures/qwen2_tiny_entropy/make_entropy_fixture.py, on the tiny Qwen2 fixture's model and batch.
/// </summary>
public sealed class EntropyReferenceTests(ITestOutputHelper output) : IClassFixture<Qwen2Fixture>
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    private static readonly string ExpectedPath = Path.Combine(AppContext.BaseDirectory, "Fixtures", "qwen2_tiny_entropy", "expected.safetensors");

    private Qwen2Fixture Fixture { get; } = new();

    [Fact]
    public void Entropy_MatchesReferenceAndLeavesLogProbsUnchanged()
    {
        using var expected = SafetensorsFile.Open(ExpectedPath);
        var f = Fixture;
        var model = Qwen2Fixture.LoadModel();
        var plain = new float[f.Tokens.Length];
        model.ForwardLogProbs(f.Batch, f.Targets, plain);
        var logProbs = new float[f.Tokens.Length];
        var entropy = new float[f.Tokens.Length];
        model.ForwardLogProbs(f.Batch, f.Targets, logProbs, entropy);
        Assert.Equal(plain, logProbs);
        var comparison = TensorComparison.Compare("entropy", entropy, expected.ReadFloat32("entropy"));
        output.WriteLine(comparison.ToString());
        TensorComparison.AssertAll([comparison], ForwardTolerance);
    }

    [Theory]
    [InlineData(7, false)]   // several LM-head chunks, logits recomputed in backward
    [InlineData(64, false)]  // one chunk, recomputed
    [InlineData(7, true)]    // whole logits kept from forward; rows 0–2 have no gradient, so active rows are compacted
    public void EntropyBackward_GradientsMatchReference(int chunkRows, bool retainLogits)
    {
        using var expected = SafetensorsFile.Open(ExpectedPath);
        var f = Fixture;
        var model = Qwen2Fixture.LoadModel();
        model.LmHeadChunkRows = chunkRows;
        model.LmHeadRetainedLogitsBytes = retainLogits ? 1L << 30 : 0;
        var logProbs = new float[f.Tokens.Length];
        var entropy = new float[f.Tokens.Length];
        model.ForwardLogProbs(f.Batch, f.Targets, logProbs, entropy);
        model.Backward(expected.ReadFloat32("coef.logprobs"), expected.ReadFloat32("coef.entropy"));
        var comparisons = model.Parameters
            .Select(p => TensorComparison.Compare(p.Name, p.Grad, expected.ReadFloat32("grad." + p.Name)))
            .ToList();
        foreach (var c in comparisons) output.WriteLine(c.ToString());
        Assert.Equal(expected.Tensors.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), comparisons.Count);
        TensorComparison.AssertAll(comparisons, GradientTolerance);
    }
}
