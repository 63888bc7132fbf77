using System.Numerics.Tensors;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>RMSNorm forward of one chunk of rows.</summary>
internal readonly ref struct RmsNormForwardRows : IParallelBody
{
    private readonly ReadOnlySpan<float> _x;
    private readonly ReadOnlySpan<float> _weight;
    private readonly Span<float> _y;
    private readonly Span<float> _rstd;
    private readonly int _rows;
    private readonly int _dim;
    private readonly int _chunk;
    private readonly float _eps;

    public RmsNormForwardRows(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> rstd, int rows, int dim, int chunk, float eps)
    {
        _x = x;
        _weight = weight;
        _y = y;
        _rstd = rstd;
        _rows = rows;
        _dim = dim;
        _chunk = chunk;
        _eps = eps;
    }

    public void Invoke(int index)
    {
        int dim = _dim;
        var w = _weight[..dim];
        int end = Math.Min(_rows, (index + 1) * _chunk);
        for (int r = index * _chunk; r < end; r++)
        {
            var xr = _x.Slice(r * dim, dim);
            var yr = _y.Slice(r * dim, dim);
            float s = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(xr) / dim + _eps);
            _rstd[r] = s;
            TensorPrimitives.Multiply(xr, s, yr);
            TensorPrimitives.Multiply(yr, w, yr);
        }
    }
}
