using System.Globalization;

namespace DeepResearcher.Engine.Tests.Model;

/// <summary>Max-abs and max-rel differences between an actual and an expected tensor, for assertion messages.</summary>
public sealed record TensorComparison(string Name, double MaxAbs, double MaxRel, double ExpectedScale)
{
    /// <summary>Max-abs difference relative to the largest expected magnitude: robust where single elements are near zero.</summary>
    public double ScaledError => ExpectedScale == 0 ? MaxAbs : MaxAbs / ExpectedScale;

    public static TensorComparison Compare(string name, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
            throw new ArgumentException($"{name}: {actual.Length} values, expected {expected.Length}");
        double maxAbs = 0, maxRel = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++) scale = Math.Max(scale, Math.Abs(expected[i]));
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(diff)) diff = double.PositiveInfinity;
            maxAbs = Math.Max(maxAbs, diff);
            // element-wise relative error, floored so values that are ~0 relative to the tensor don't dominate
            maxRel = Math.Max(maxRel, diff / Math.Max(Math.Abs(expected[i]), 1e-3 * scale + 1e-30));
        }
        return new TensorComparison(name, maxAbs, maxRel, scale);
    }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "{0}: max-abs {1:E2}, max-rel {2:E2}, scaled {3:E2} (|expected| ≤ {4:E2})", Name, MaxAbs, MaxRel, ScaledError, ExpectedScale);

    /// <summary>Asserts every comparison's scaled error is within tolerance; the message lists all of them.</summary>
    public static void AssertAll(IReadOnlyList<TensorComparison> comparisons, double tolerance)
    {
        var report = string.Join(Environment.NewLine, comparisons.Select(c => c.ToString()));
        var failures = comparisons.Where(c => !(c.ScaledError <= tolerance)).Select(c => c.Name).ToList();
        Assert.True(failures.Count == 0, $"over tolerance {tolerance:E1}: {string.Join(", ", failures)}{Environment.NewLine}{report}");
    }
}
