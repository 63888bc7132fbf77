using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// RMSNorm backward of one chunk of rows: dx += s·(w∘dy) − x·s³·⟨w∘dy, x⟩/dim, and the chunk's own dL/dw
/// (Σ over its rows of dy∘x·s) written to its slice of the partial buffer, or nothing when that buffer is empty.
/// </summary>
internal readonly ref struct RmsNormBackwardRows : IParallelBody
{
    private readonly ReadOnlySpan<float> _dy;
    private readonly ReadOnlySpan<float> _x;
    private readonly ReadOnlySpan<float> _weight;
    private readonly ReadOnlySpan<float> _rstd;
    private readonly Span<float> _dx;
    private readonly Span<float> _weightPartials;
    private readonly int _rows;
    private readonly int _dim;
    private readonly int _chunk;

    public RmsNormBackwardRows(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> rstd,
        Span<float> dx, Span<float> weightPartials, int rows, int dim, int chunk)
    {
        _dy = dy;
        _x = x;
        _weight = weight;
        _rstd = rstd;
        _dx = dx;
        _weightPartials = weightPartials;
        _rows = rows;
        _dim = dim;
        _chunk = chunk;
    }

    public void Invoke(int index)
    {
        int dim = _dim;
        var w = _weight[..dim];
        bool weightGrad = !_weightPartials.IsEmpty;
        var dw = weightGrad ? _weightPartials.Slice(index * dim, dim) : [];
        dw.Clear();
        int end = Math.Min(_rows, (index + 1) * _chunk);
        for (int r = index * _chunk; r < end; r++)
        {
            var xr = _x.Slice(r * dim, dim);
            var dyr = _dy.Slice(r * dim, dim);
            var dxr = _dx.Slice(r * dim, dim);
            float s = _rstd[r];
            float dot = WeightedDot(w, dyr, xr);
            float c = dot * s * s * s / dim;
            int i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var sv = Vector512.Create(s);
                var cv = Vector512.Create(c);
                for (; i + 16 <= dim; i += 16)
                {
                    var xv = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(xr), (nuint)i);
                    var dyv = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(dyr), (nuint)i);
                    var wv = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(w), (nuint)i);
                    (Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(dxr), (nuint)i) + sv * wv * dyv - xv * cv).StoreUnsafe(ref MemoryMarshal.GetReference(dxr), (nuint)i);
                    if (weightGrad)
                        (Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(dw), (nuint)i) + dyv * xv * sv).StoreUnsafe(ref MemoryMarshal.GetReference(dw), (nuint)i);
                }
            }
            for (; i < dim; i++)
            {
                dxr[i] += s * w[i] * dyr[i] - xr[i] * c;
                if (weightGrad) dw[i] += dyr[i] * xr[i] * s;
            }
        }
    }

    /// <summary>Σ w[i]·dy[i]·x[i], 16 lanes then a fixed-order horizontal sum.</summary>
    private static float WeightedDot(ReadOnlySpan<float> w, ReadOnlySpan<float> dy, ReadOnlySpan<float> x)
    {
        int i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && w.Length >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= w.Length; i += 16)
                acc += Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(w), (nuint)i) * Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(dy), (nuint)i) * Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)i);
            sum = Vector512.Sum(acc);
        }
        for (; i < w.Length; i++) sum += w[i] * dy[i] * x[i];
        return sum;
    }
}
