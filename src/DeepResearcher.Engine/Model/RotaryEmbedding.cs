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
            _inverseFrequency[i] = scaling is null
                ? 1.0 / Math.Pow(theta, 2.0 * i / headDim)
                : scaling.Apply(1.0 / Math.Pow(theta, 2.0 * i / headDim));
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
        int width = heads * HeadDim;
        for (int r = 0; r < positions.Length; r++)
        {
            int p = positions[r];
            if (p >= _positions) EnsurePositions(p + 1);
            var cos = _cos.AsSpan(p * _half, _half);
            var sin = _sin.AsSpan(p * _half, _half);
            for (int h = 0; h < heads; h++)
            {
                var v = x.Slice(r * width + h * HeadDim, HeadDim);
                for (int i = 0; i < _half; i++)
                {
                    float a = v[i], b = v[i + _half];
                    float s = direction * sin[i];
                    v[i] = a * cos[i] - b * s;
                    v[i + _half] = b * cos[i] + a * s;
                }
            }
        }
    }
}
