using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>Rotates every head of one chunk of rows by its position's angles (rotate_half layout), or by their negatives for backward.</summary>
internal readonly ref struct RopeRows : IParallelBody
{
    /// <summary>Elements per work item.</summary>
    public const int ChunkElements = 8192;

    private readonly Span<float> _x;
    private readonly ReadOnlySpan<int> _positions;
    private readonly ReadOnlySpan<float> _cos;
    private readonly ReadOnlySpan<float> _sin;
    private readonly int _heads;
    private readonly int _headDim;
    private readonly int _chunk;
    private readonly float _direction;

    public RopeRows(Span<float> x, ReadOnlySpan<int> positions, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, int heads, int headDim, int chunk, float direction)
    {
        _x = x;
        _positions = positions;
        _cos = cos;
        _sin = sin;
        _heads = heads;
        _headDim = headDim;
        _chunk = chunk;
        _direction = direction;
    }

    public void Invoke(int index)
    {
        int half = _headDim / 2, width = _heads * _headDim;
        int end = Math.Min(_positions.Length, (index + 1) * _chunk);
        for (int r = index * _chunk; r < end; r++)
        {
            int p = _positions[r];
            var cos = _cos.Slice(p * half, half);
            var sin = _sin.Slice(p * half, half);
            for (int h = 0; h < _heads; h++)
            {
                var v = _x.Slice(r * width + h * _headDim, _headDim);
                var a = v[..half];
                var b = v[half..];
                int i = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    var direction = Vector512.Create(_direction);
                    for (; i + 16 <= half; i += 16)
                    {
                        var av = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(a), (nuint)i);
                        var bv = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(b), (nuint)i);
                        var c = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(cos), (nuint)i);
                        var s = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(sin), (nuint)i) * direction;
                        (av * c - bv * s).StoreUnsafe(ref MemoryMarshal.GetReference(a), (nuint)i);
                        (bv * c + av * s).StoreUnsafe(ref MemoryMarshal.GetReference(b), (nuint)i);
                    }
                }
                for (; i < half; i++)
                {
                    float ai = a[i], bi = b[i];
                    float s = _direction * sin[i];
                    a[i] = ai * cos[i] - bi * s;
                    b[i] = bi * cos[i] + ai * s;
                }
            }
        }
    }
}
