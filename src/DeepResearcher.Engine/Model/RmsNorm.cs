namespace DeepResearcher.Engine.Model;

/// <summary>y = w ∘ x / sqrt(mean(x²) + ε), row by row.</summary>
public static class RmsNorm
{
    /// <summary>Writes y and the per-row reciprocal RMS that backward needs.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> rstd, int rows, int dim, float eps)
    {
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * dim, dim);
            var yr = y.Slice(r * dim, dim);
            double sumSquares = 0;
            for (int i = 0; i < dim; i++) sumSquares += (double)xr[i] * xr[i];
            float s = (float)(1.0 / Math.Sqrt(sumSquares / dim + eps));
            rstd[r] = s;
            for (int i = 0; i < dim; i++) yr[i] = weight[i] * (xr[i] * s);
        }
    }

    /// <summary>Adds dL/dx into <paramref name="dx"/> and, when given, dL/dw into <paramref name="dWeight"/>.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> rstd,
        Span<float> dx, Span<float> dWeight, int rows, int dim)
    {
        bool weightGrad = !dWeight.IsEmpty;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * dim, dim);
            var dyr = dy.Slice(r * dim, dim);
            var dxr = dx.Slice(r * dim, dim);
            float s = rstd[r];
            // dx = s·(w∘dy) − x·s³·⟨w∘dy, x⟩/dim
            double dot = 0;
            for (int i = 0; i < dim; i++) dot += (double)weight[i] * dyr[i] * xr[i];
            float c = (float)(dot * s * s * s / dim);
            for (int i = 0; i < dim; i++) dxr[i] += s * weight[i] * dyr[i] - xr[i] * c;
            if (weightGrad)
                for (int i = 0; i < dim; i++) dWeight[i] += dyr[i] * xr[i] * s;
        }
    }
}
