using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>act = silu(gate) ∘ up over one chunk of elements, in one pass (sigmoid, two products fused).</summary>
internal readonly ref struct SwiGluForwardChunks : IParallelBody
{
    /// <summary>Elements per work item.</summary>
    public const int ChunkElements = 16384;

    private readonly ReadOnlySpan<float> _gate;
    private readonly ReadOnlySpan<float> _up;
    private readonly Span<float> _activation;

    public SwiGluForwardChunks(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> activation)
    {
        _gate = gate;
        _up = up;
        _activation = activation;
    }

    public static int ChunkCount(int length) => (length + ChunkElements - 1) / ChunkElements;

    public void Invoke(int index)
    {
        int start = index * ChunkElements, length = Math.Min(ChunkElements, _gate.Length - start);
        var gate = _gate.Slice(start, length);
        var up = _up.Slice(start, length);
        var act = _activation.Slice(start, length);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= length; i += 16)
            {
                var g = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(gate), (nuint)i);
                var sigmoid = Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-g));
                (g * sigmoid * Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(up), (nuint)i)).StoreUnsafe(ref MemoryMarshal.GetReference(act), (nuint)i);
            }
        }
        for (; i < length; i++)
        {
            float g = gate[i];
            act[i] = g * (1f / (1f + MathF.Exp(-g))) * up[i];
        }
    }
}
