using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// Rotary position embedding in the Hugging Face "rotate_half" layout: dimension i pairs with i + headDim/2,
/// rotated by position · θ^(−2i/headDim). Tables are built in double and grown on demand.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly int _half;
    private readonly double[] _inverseFrequency;
    private float[] _cos = [];
    private float[] _sin = [];
    private int _positions;

    public RotaryEmbedding(int headDim, double theta, RopeScaling? scaling = null)
    {
        HeadDim = headDim;
        _half = headDim / 2;
        _inverseFrequency = new double[_half];
        for (int i = 0; i < _half; i++)
        {
            _inverseFrequency[i] = scaling is null
                ? 1.0 / Math.Pow(theta, 2.0 * i / headDim)
                : scaling.Apply(1.0 / Math.Pow(theta, 2.0 * i / headDim));
        }
    }

    public int HeadDim { get; }

    public void EnsurePositions(int count)
    {
        if (count <= _positions) return;
        int capacity = Math.Max(count, _positions * 2);
        _cos = new float[capacity * _half];
        _sin = new float[capacity * _half];
        for (int p = 0; p < capacity; p++)
        {
            for (int i = 0; i < _half; i++)
            {
                double angle = p * _inverseFrequency[i];
                _cos[p * _half + i] = (float)Math.Cos(angle);
                _sin[p * _half + i] = (float)Math.Sin(angle);
            }
        }
        _positions = capacity;
    }

    /// <summary>Rotates each head of each row in place; x is [rows, heads·headDim].</summary>
    public void Forward(Span<float> x, ReadOnlySpan<int> positions, int heads) => Rotate(x, positions, heads, 1f);

    /// <summary>The rotation is orthogonal, so backward rotates the gradient by the negative angle.</summary>
    public void Backward(Span<float> dx, ReadOnlySpan<int> positions, int heads) => Rotate(dx, positions, heads, -1f);

    private void Rotate(Span<float> x, ReadOnlySpan<int> positions, int heads, float direction)
    {
        if (positions.IsEmpty) return;
        // Grow the tables before the rows are spread over threads: the work items only read them.
        int maxPosition = 0;
        foreach (int p in positions) maxPosition = Math.Max(maxPosition, p);
        if (maxPosition >= _positions) EnsurePositions(maxPosition + 1);
        int width = heads * HeadDim;
        int chunk = Math.Max(1, Rows.ChunkElements / width);
        ComputePool.Shared.For((positions.Length + chunk - 1) / chunk, new Rows
        {
            X = x, Positions = positions, Cos = _cos, Sin = _sin, Heads = heads, HeadDim = HeadDim, Chunk = chunk,
            Direction = direction,
        });
    }

    /// <summary>Rotates every head of one chunk of rows by its position's angles (rotate_half layout), or by their negatives for backward.</summary>
    private ref struct Rows : IParallelBody
    {
        public Span<float> X;
        public ReadOnlySpan<int> Positions;
        public ReadOnlySpan<float> Cos, Sin;
        public int Heads, HeadDim, Chunk;
        public float Direction;

        /// <summary>Elements per work item.</summary>
        public const int ChunkElements = 8192;

        public readonly void Invoke(int index)
        {
            int half = HeadDim / 2, width = Heads * HeadDim;
            int end = Math.Min(Positions.Length, (index + 1) * Chunk);
            for (int r = index * Chunk; r < end; r++)
            {
                int p = Positions[r];
                var cos = Cos.Slice(p * half, half);
                var sin = Sin.Slice(p * half, half);
                for (int h = 0; h < Heads; h++)
                {
                    var v = X.Slice(r * width + h * HeadDim, HeadDim);
                    var a = v[..half];
                    var b = v[half..];
                    int i = 0;
                    if (Vector512.IsHardwareAccelerated)
                    {
                        var direction = Vector512.Create(Direction);
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
                        float s = Direction * sin[i];
                        a[i] = ai * cos[i] - bi * s;
                        b[i] = bi * cos[i] + ai * s;
                    }
                }
            }
        }
    }
}
