using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;

namespace DeepResearcher.Engine.Tests.Model;

/// <summary>Every activation, gradient and optimiser result of the tiny Qwen2 against the float64 PyTorch reference.</summary>
public sealed class Qwen2ReferenceTests(ITestOutputHelper output) : IClassFixture<Qwen2Fixture>
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;
    private const double AdamTolerance = 1e-4;

    private static readonly string[] LoraTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    private Qwen2Fixture Fixture { get; } = new();

    [Fact]
    public void Forward_MatchesReference()
    {
        var f = Fixture;
        var model = Qwen2Fixture.LoadModel();
        var logProbs = new float[f.Tokens.Length];
        model.ForwardLogProbs(f.Batch, f.Targets, logProbs);
        var dLogProbs = new float[f.Tokens.Length];
        float loss = (float)TokenLoss.MaskedMeanNegativeLogLikelihood(logProbs, f.LossMask, dLogProbs);

        var comparisons = new List<TensorComparison>();
        for (int i = 0; i <= model.Config.NumLayers; i++)
            comparisons.Add(TensorComparison.Compare($"hidden.{i}", model.HiddenState(i), f.Expected.ReadFloat32($"hidden.{i}")));
        comparisons.Add(TensorComparison.Compare("hidden.final_norm", model.FinalHiddenState, f.Expected.ReadFloat32("hidden.final_norm")));
        comparisons.Add(TensorComparison.Compare("logprobs", logProbs, f.Expected.ReadFloat32("logprobs")));
        comparisons.Add(TensorComparison.Compare("loss", [loss], [f.Scalar("loss")]));

        var rows = Enumerable.Range(0, f.Tokens.Length).ToArray();
        var logits = new float[rows.Length * model.Config.VocabSize];
        model.ForwardLogits(f.Batch, rows, logits);
        comparisons.Add(TensorComparison.Compare("logits", logits, f.Expected.ReadFloat32("logits")));
        Report(comparisons);
        TensorComparison.AssertAll(comparisons, ForwardTolerance);
    }

    [Fact]
    public void Backward_GradientsMatchReference()
    {
        var f = Fixture;
        var model = Qwen2Fixture.LoadModel();
        model.ReserveActivations(maxTokens: 64, maxSequenceLength: 32);
        RunLossAndBackward(model, f);

        var comparisons = model.Parameters
            .Select(p => TensorComparison.Compare(p.Name, p.Grad, f.Expected.ReadFloat32("grad." + p.Name)))
            .ToList();
        Report(comparisons);
        Assert.Equal(f.Expected.Tensors.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), comparisons.Count);
        TensorComparison.AssertAll(comparisons, GradientTolerance);
    }

    [Fact]
    public void Backward_AccumulatesAcrossCalls()
    {
        var f = Fixture;
        var model = Qwen2Fixture.LoadModel();
        RunLossAndBackward(model, f);
        RunLossAndBackward(model, f);
        var comparisons = model.Parameters
            .Select(p => TensorComparison.Compare(p.Name, p.Grad, f.Expected.ReadFloat32("grad." + p.Name).Select(g => 2 * g).ToArray()))
            .ToList();
        TensorComparison.AssertAll(comparisons, GradientTolerance);
    }

    [Fact]
    public void AdamW_ThreeStepsMatchReference()
    {
        var f = Fixture;
        var model = Qwen2Fixture.LoadModel();
        var initial = model.Parameters.ToDictionary(p => p.Name, p => (float[])p.Data.Clone());
        var optimizer = new AdamW(model.Parameters, new AdamWOptions { Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f, WeightDecay = 0.01f });
        var losses = new List<float>();
        for (int step = 0; step < 3; step++)
        {
            optimizer.ZeroGrad();
            losses.Add(RunLossAndBackward(model, f));
            GradientClipping.ClipByGlobalNorm(model.Parameters, 1.0f);
            optimizer.Step(LearningRateSchedule.Constant(1e-2f).At(step));
        }
        var logProbs = new float[f.Tokens.Length];
        model.ForwardLogProbs(f.Batch, f.Targets, logProbs);
        losses.Add((float)TokenLoss.MaskedMeanNegativeLogLikelihood(logProbs, f.LossMask, new float[logProbs.Length]));

        var comparisons = new List<TensorComparison> { TensorComparison.Compare("adamw.losses", losses.ToArray(), f.Expected.ReadFloat32("adamw.losses")) };
        // Adam moves each weight by about lr·m̂/√v̂, a ratio of gradients: where the true gradient is tiny (k_proj.bias
        // dimensions that RoPE with θ = 1e6 barely rotates, |g| < 1e-5) float32 gradient noise of ~1e-7 changes that
        // ratio by more than 1e-4/lr, whatever the kernel's summation order. Those elements (~0.2%) are only checked
        // against Adam's step bound; AdamW_FirstStep_MatchesClosedForm checks the optimiser on them exactly.
        const float IllConditioned = 1e-5f;
        int skipped = 0;
        var parameterComparisons = model.Parameters.Select(p =>
        {
            var delta = f.Expected.ReadFloat32("adamw.delta." + p.Name);
            var grad = f.Expected.ReadFloat32("grad." + p.Name);
            var expected = new float[p.Length];
            var actual = new float[p.Length];
            for (int i = 0; i < p.Length; i++)
            {
                expected[i] = initial[p.Name][i] + delta[i];
                actual[i] = p.Data[i];
                if (MathF.Abs(grad[i]) < IllConditioned)
                {
                    skipped++;
                    Assert.True(MathF.Abs(p.Data[i] - initial[p.Name][i]) <= 3 * 1e-2f * 1.01f + 1e-6f, $"{p.Name}[{i}] moved further than three Adam steps allow");
                    actual[i] = expected[i];
                }
            }
            return TensorComparison.Compare(p.Name, actual, expected);
        }).ToList();
        Report(comparisons.Concat(parameterComparisons).ToList());
        output.WriteLine($"{skipped} ill-conditioned elements checked against the step bound only");
        Assert.InRange(skipped, 0, 400);
        TensorComparison.AssertAll(comparisons, ForwardTolerance * 10);
        // weights are O(1) and the reference delta is stored in f16 (±1.5e-5), so compare absolute differences
        var failures = parameterComparisons.Where(c => !(c.MaxAbs <= AdamTolerance)).Select(c => c.ToString()).ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void AdamW_FirstStep_MatchesClosedForm()
    {
        // From zero moments, step 1 of AdamW is w ← w(1 − lr·wd) − lr·g/(|g| + ε) exactly; feed it the reference gradients.
        var f = Fixture;
        var model = Qwen2Fixture.LoadModel();
        const float lr = 1e-2f, wd = 0.01f, eps = 1e-8f;
        var initial = model.Parameters.ToDictionary(p => p.Name, p => (float[])p.Data.Clone());
        foreach (var p in model.Parameters) f.Expected.ReadFloat32("grad." + p.Name).CopyTo(p.Grad, 0);
        float norm = GradientClipping.ClipByGlobalNorm(model.Parameters, 1.0f);
        double sumSquares = model.Parameters.Sum(p => f.Expected.ReadFloat32("grad." + p.Name).Sum(g => (double)g * g));
        Assert.Equal(Math.Sqrt(sumSquares), norm, 1e-5 * Math.Sqrt(sumSquares));
        double clip = Math.Min(1.0, 1.0 / (Math.Sqrt(sumSquares) + 1e-6));
        new AdamW(model.Parameters, new AdamWOptions { WeightDecay = wd, Epsilon = eps }).Step(lr);

        var comparisons = model.Parameters.Select(p =>
        {
            var grad = f.Expected.ReadFloat32("grad." + p.Name);
            var expected = new float[p.Length];
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i] * clip;
                expected[i] = (float)(initial[p.Name][i] * (1 - (double)lr * wd) - lr * g / (Math.Abs(g) + eps));
            }
            return TensorComparison.Compare(p.Name, p.Data, expected);
        }).ToList();
        var failures = comparisons.Where(c => !(c.MaxAbs <= 1e-6)).Select(c => c.ToString()).ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void GreedyDecode_MatchesReference()
    {
        var f = Fixture;
        var model = Qwen2Fixture.LoadModel();
        var prompt = f.ReadInts("decode.prompt");
        var expectedIds = f.ReadInts("decode.ids");
        var stepLogits = new float[expectedIds.Length * model.Config.VocabSize];
        var ids = GreedyDecoder.Generate(model, prompt, expectedIds.Length, stepLogits);
        var comparison = TensorComparison.Compare("decode.logits", stepLogits, f.Expected.ReadFloat32("decode.logits"));
        Report([comparison]);
        Assert.Equal(expectedIds, ids);
        TensorComparison.AssertAll([comparison], ForwardTolerance);
    }

    [Fact]
    public void Lora_GradientsMatchReferenceAndBaseStaysFrozen()
    {
        var f = Fixture;
        var model = Qwen2Fixture.LoadModel();
        var adapters = model.AttachLora(rank: 4, alpha: 8f, LoraTargets);
        Assert.Equal(2 * 7, adapters.Count);
        var linears = model.Layers.SelectMany(l => l.Linears).ToList();
        foreach (var linear in linears)
        {
            f.Expected.ReadFloat32("lora.A." + linear.Prefix, linear.Lora!.A.Data);
            f.Expected.ReadFloat32("lora.B." + linear.Prefix, linear.Lora.B.Data);
        }
        float loss = RunLossAndBackward(model, f);

        var comparisons = new List<TensorComparison> { TensorComparison.Compare("lora.loss", [loss], [f.Scalar("lora.loss")]) };
        foreach (var linear in linears)
        {
            comparisons.Add(TensorComparison.Compare(linear.Lora!.A.Name, linear.Lora.A.Grad, f.Expected.ReadFloat32("lora.grad_A." + linear.Prefix)));
            comparisons.Add(TensorComparison.Compare(linear.Lora.B.Name, linear.Lora.B.Grad, f.Expected.ReadFloat32("lora.grad_B." + linear.Prefix)));
        }
        Report(comparisons);
        TensorComparison.AssertAll(comparisons, GradientTolerance);
        Assert.All(model.Parameters, p => Assert.False(p.HasGrad, p.Name));
        Assert.Equal(2 * 14, model.TrainableParameters.Count());
    }

    internal static float RunLossAndBackward(TransformerModel model, Qwen2Fixture f)
    {
        var logProbs = new float[f.Tokens.Length];
        model.ForwardLogProbs(f.Batch, f.Targets, logProbs);
        var dLogProbs = new float[f.Tokens.Length];
        float loss = (float)TokenLoss.MaskedMeanNegativeLogLikelihood(logProbs, f.LossMask, dLogProbs);
        model.Backward(dLogProbs);
        return loss;
    }

    private void Report(IReadOnlyList<TensorComparison> comparisons)
    {
        foreach (var c in comparisons) output.WriteLine(c.ToString());
    }
}
