using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// Backward of act = silu(g) ∘ u over one chunk: dU = dAct ∘ silu(g), dG = dAct ∘ u ∘ σ(g)(1 + g(1 − σ(g))), in one pass.
/// </summary>
internal readonly ref struct SwiGluBackwardChunks : IParallelBody
{
    private readonly ReadOnlySpan<float> _gate;
    private readonly ReadOnlySpan<float> _up;
    private readonly ReadOnlySpan<float> _dActivation;
    private readonly Span<float> _dGate;
    private readonly Span<float> _dUp;

    public SwiGluBackwardChunks(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, ReadOnlySpan<float> dActivation, Span<float> dGate, Span<float> dUp)
    {
        _gate = gate;
        _up = up;
        _dActivation = dActivation;
        _dGate = dGate;
        _dUp = dUp;
    }

    public void Invoke(int index)
    {
        int chunk = SwiGluForwardChunks.ChunkElements;
        int start = index * chunk, length = Math.Min(chunk, _gate.Length - start);
        var gate = _gate.Slice(start, length);
        var up = _up.Slice(start, length);
        var dAct = _dActivation.Slice(start, length);
        var dGate = _dGate.Slice(start, length);
        var dUp = _dUp.Slice(start, length);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512<float>.One;
            for (; i + 16 <= length; i += 16)
            {
                var g = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(gate), (nuint)i);
                var d = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(dAct), (nuint)i);
                var sigmoid = one / (one + Vector512.Exp(-g));
                (d * (g * sigmoid)).StoreUnsafe(ref MemoryMarshal.GetReference(dUp), (nuint)i);
                (d * Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(up), (nuint)i) * sigmoid * (one + g * (one - sigmoid))).StoreUnsafe(ref MemoryMarshal.GetReference(dGate), (nuint)i);
            }
        }
        for (; i < length; i++)
        {
            float g = gate[i], sig = 1f / (1f + MathF.Exp(-g));
            dUp[i] = dAct[i] * (g * sig);
            dGate[i] = dAct[i] * up[i] * sig * (1f + g * (1f - sig));
        }
    }
}
