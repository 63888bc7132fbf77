using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;

namespace DeepResearcher.Engine.Tests.Model;

public sealed class OptimizerTests
{
    [Fact]
    public void AdamW_MatchesTorchUpdateRuleOverSeveralSteps()
    {
        // 37 elements: two full Vector512 blocks plus a scalar tail.
        var p = new Parameter("w", 37);
        var rng = new Random(5);
        for (int i = 0; i < p.Length; i++) p.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        var w = p.Data.Select(v => (double)v).ToArray();
        var m = new double[p.Length];
        var v2 = new double[p.Length];
        var options = new AdamWOptions { Beta1 = 0.8f, Beta2 = 0.99f, Epsilon = 1e-3f, WeightDecay = 0.1f };
        var optimizer = new AdamW([p], options);
        float[] lrs = [0.1f, 0.05f, 0.02f, 0.2f];
        for (int step = 1; step <= lrs.Length; step++)
        {
            double lr = lrs[step - 1];
            for (int i = 0; i < p.Length; i++)
            {
                double g = Math.Sin(i * 0.7 + step) * (i % 3 + 1);
                p.Grad[i] = (float)g;
                w[i] *= 1 - lr * 0.1;
                m[i] = 0.8 * m[i] + 0.2 * g;
                v2[i] = 0.99 * v2[i] + 0.01 * g * g;
                double mHat = m[i] / (1 - Math.Pow(0.8, step));
                double vHat = v2[i] / (1 - Math.Pow(0.99, step));
                w[i] -= lr * mHat / (Math.Sqrt(vHat) + 1e-3);
            }
            optimizer.Step(lrs[step - 1]);
        }
        Assert.Equal(4, optimizer.StepCount);
        for (int i = 0; i < p.Length; i++) Assert.Equal(w[i], p.Data[i], 1e-5);
    }

    [Fact]
    public void AdamW_SkipsFrozenParameters()
    {
        var frozen = new Parameter("f", 3) { RequiresGrad = false };
        frozen.Data[0] = 1f;
        frozen.Grad[0] = 5f;
        new AdamW([frozen]).Step(0.1f);
        Assert.Equal(1f, frozen.Data[0]);
    }

    [Fact]
    public void ClipByGlobalNorm_ScalesOnlyAboveTheBound()
    {
        var a = new Parameter("a", 2);
        var b = new Parameter("b", 1);
        a.Grad[0] = 3f;
        a.Grad[1] = 0f;
        b.Grad[0] = 4f;
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm([a, b], 1f), 5);
        Assert.Equal(0.6f, a.Grad[0], 5);
        Assert.Equal(0.8f, b.Grad[0], 5);
        Assert.Equal(1f, GradientClipping.ClipByGlobalNorm([a, b], 10f), 4);
        Assert.Equal(0.6f, a.Grad[0], 5);
    }

    [Fact]
    public void LearningRateSchedules()
    {
        var constant = LearningRateSchedule.Constant(3e-4f);
        Assert.Equal(3e-4f, constant.At(0));
        Assert.Equal(3e-4f, constant.At(1000));
        var cosine = LearningRateSchedule.WarmupCosine(1f, warmupSteps: 4, totalSteps: 14, min: 0.1f);
        Assert.Equal(0.25f, cosine.At(0), 6);
        Assert.Equal(1f, cosine.At(3), 6);
        Assert.Equal(1f, cosine.At(4), 6);
        Assert.Equal(0.55f, cosine.At(9), 5);
        Assert.Equal(0.1f, cosine.At(14), 6);
        Assert.Equal(0.1f, cosine.At(100), 6);
    }
}
