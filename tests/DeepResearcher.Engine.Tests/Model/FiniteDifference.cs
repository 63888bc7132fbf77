using System.Globalization;

namespace DeepResearcher.Engine.Tests.Model;

/// <summary>Central-difference gradient check of float32 code, with the loss accumulated in double.</summary>
public static class FiniteDifference
{
    /// <summary>
    /// Perturbs up to <paramref name="samples"/> elements of <paramref name="values"/> by ±h and compares
    /// (L(+h) − L(−h)) / 2h with <paramref name="analytic"/>; fails with every offending element listed.
    /// </summary>
    public static void Check(string name, float[] values, float[] analytic, Func<double> loss, int samples = 24, float h = 1e-2f, double tolerance = 2e-2)
    {
        var rng = new Random(name.Length * 7919 + values.Length);
        double scale = 0;
        foreach (float g in analytic) scale = Math.Max(scale, Math.Abs(g));
        var failures = new List<string>();
        var indices = values.Length <= samples ? Enumerable.Range(0, values.Length) : Enumerable.Range(0, samples).Select(_ => rng.Next(values.Length));
        foreach (int i in indices)
        {
            float original = values[i];
            values[i] = original + h;
            double plus = loss();
            values[i] = original - h;
            double minus = loss();
            values[i] = original;
            double numeric = (plus - minus) / (2.0 * h);
            double error = Math.Abs(numeric - analytic[i]);
            if (error > tolerance * Math.Max(scale, 1e-3))
                failures.Add(string.Format(CultureInfo.InvariantCulture, "[{0}] numeric {1:E4} analytic {2:E4}", i, numeric, analytic[i]));
        }
        Assert.True(failures.Count == 0, $"{name} (max |grad| {scale:E3}): {string.Join("; ", failures)}");
    }

    public static float[] Random(int length, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var result = new float[length];
        for (int i = 0; i < length; i++) result[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return result;
    }

    /// <summary>Σ r·y in double: a loss whose gradient with respect to y is r.</summary>
    public static double Project(ReadOnlySpan<float> y, ReadOnlySpan<float> r)
    {
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += (double)y[i] * r[i];
        return sum;
    }
}
