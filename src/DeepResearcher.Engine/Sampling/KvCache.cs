using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// The keys (after RoPE) and values of one sequence's tokens in every layer, each layer [capacity, kvHeads · headDim].
/// <see cref="Length"/> tokens are valid; an incremental forward appends after them.
/// </summary>
public sealed class KvCache
{
    private readonly int _layers;
    private readonly int _kvDim;
    private readonly float[][] _keys;
    private readonly float[][] _values;

    public KvCache(TransformerConfig config, int capacity)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _layers = config.NumLayers;
        _kvDim = config.KeyValueDim;
        _keys = new float[_layers][];
        _values = new float[_layers][];
        if ((long)capacity * _kvDim > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"a KV cache of {capacity} tokens x {_kvDim} floats does not fit one array");
        for (int l = 0; l < _layers; l++)
        {
            _keys[l] = new float[capacity * _kvDim];
            _values[l] = new float[capacity * _kvDim];
        }
        Capacity = capacity;
    }

    /// <summary>Tokens the cache can hold.</summary>
    public int Capacity { get; private set; }

    /// <summary>Tokens cached so far; their positions are 0 … Length − 1.</summary>
    public int Length { get; internal set; }

    /// <summary>Floats per token per layer: kvHeads · headDim.</summary>
    public int KeyValueDim => _kvDim;

    /// <summary>Forgets the cached tokens, keeping the memory.</summary>
    public void Clear() => Length = 0;

    /// <summary>Keeps the first <paramref name="length"/> tokens (a shared prefix) and forgets the rest.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    /// <summary>Grows the capacity to at least <paramref name="capacity"/> tokens, keeping the cached ones.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity <= Capacity) return;
        int grown = (int)Math.Min(Math.Max(capacity, 2L * Capacity), Array.MaxLength / _kvDim);
        if (grown < capacity) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "KV cache layer too large");
        for (int l = 0; l < _layers; l++)
        {
            Array.Resize(ref _keys[l], grown * _kvDim);
            Array.Resize(ref _values[l], grown * _kvDim);
        }
        Capacity = grown;
    }

    internal Span<float> Keys(int layer) => _keys[layer];

    internal Span<float> Values(int layer) => _values[layer];
}
