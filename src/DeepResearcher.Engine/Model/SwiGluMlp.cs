using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepResearcher.Engine.Diagnostics;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>y = down_proj(silu(gate_proj x) ∘ up_proj x).</summary>
public sealed class SwiGluMlp
{
    private readonly int _ffn;
    private float[] _gate = [];
    private float[] _up = [];
    private float[] _activation = [];

    public SwiGluMlp(string prefix, TransformerConfig config)
    {
        _ffn = config.IntermediateSize;
        GateProj = new Linear(prefix + ".gate_proj", config.HiddenSize, _ffn, bias: false);
        UpProj = new Linear(prefix + ".up_proj", config.HiddenSize, _ffn, bias: false);
        DownProj = new Linear(prefix + ".down_proj", _ffn, config.HiddenSize, bias: false);
    }

    public Linear GateProj { get; }

    public Linear UpProj { get; }

    public Linear DownProj { get; }

    internal void Reserve(int tokens, Workspace ws)
    {
        int n = tokens * _ffn;
        Workspace.Take(ref _gate, n);
        Workspace.Take(ref _up, n);
        Workspace.Take(ref _activation, n);
        Workspace.Take(ref ws.DHidden, n);
        Workspace.Take(ref ws.DGate, n);
        Workspace.Take(ref ws.DUp, n);
    }

    internal void Forward(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        int n = rows * _ffn;
        var gate = Workspace.Take(ref _gate, n);
        var up = Workspace.Take(ref _up, n);
        var act = Workspace.Take(ref _activation, n);
        using (KernelTimings.Time(TimedKernel.MlpProjectionForward))
        {
            GateProj.Forward(x, gate, rows);
            UpProj.Forward(x, up, rows);
        }
        using (KernelTimings.Time(TimedKernel.SwiGluForward))
        {
            ComputePool.Shared.For(ForwardChunks.ChunkCount(n), new ForwardChunks { Gate = gate, Up = up, Activation = act });
        }
        using (KernelTimings.Time(TimedKernel.MlpProjectionForward))
        {
            DownProj.Forward(act, y, rows);
        }
    }

    /// <summary>act = silu(gate) ∘ up over one chunk of elements, in one pass (sigmoid, two products fused).</summary>
    private ref struct ForwardChunks : IParallelBody
    {
        public ReadOnlySpan<float> Gate, Up;
        public Span<float> Activation;

        /// <summary>Elements per work item.</summary>
        public const int ChunkElements = 16384;

        public static int ChunkCount(int length) => (length + ChunkElements - 1) / ChunkElements;

        public readonly void Invoke(int index)
        {
            int start = index * ChunkElements, length = Math.Min(ChunkElements, Gate.Length - start);
            var gate = Gate.Slice(start, length);
            var up = Up.Slice(start, length);
            var act = Activation.Slice(start, length);
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

    internal void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int rows, Workspace ws)
    {
        int n = rows * _ffn;
        var gate = _gate.AsSpan(0, n);
        var up = _up.AsSpan(0, n);
        var act = _activation.AsSpan(0, n);
        var dAct = Workspace.Take(ref ws.DHidden, n);
        var dGate = Workspace.Take(ref ws.DGate, n);
        var dUp = Workspace.Take(ref ws.DUp, n);
        using (KernelTimings.Time(TimedKernel.MlpProjectionBackward))
        {
            DownProj.Backward(dy, act, dAct, rows, accumulateDx: false, Attention.LoraScratch(ws, rows, DownProj));
        }
        using (KernelTimings.Time(TimedKernel.SwiGluBackward))
        {
            ComputePool.Shared.For(ForwardChunks.ChunkCount(n), new BackwardChunks
            {
                Gate = gate, Up = up, DActivation = dAct, DGate = dGate, DUp = dUp,
            });
        }
        using (KernelTimings.Time(TimedKernel.MlpProjectionBackward))
        {
            GateProj.Backward(dGate, x, dx, rows, accumulateDx: false, Attention.LoraScratch(ws, rows, GateProj));
            UpProj.Backward(dUp, x, dx, rows, accumulateDx: true, Attention.LoraScratch(ws, rows, UpProj));
        }
    }

    /// <summary>
    /// Backward of act = silu(g) ∘ u over one chunk: dU = dAct ∘ silu(g), dG = dAct ∘ u ∘ σ(g)(1 + g(1 − σ(g))), in one pass.
    /// </summary>
    private ref struct BackwardChunks : IParallelBody
    {
        public ReadOnlySpan<float> Gate, Up, DActivation;
        public Span<float> DGate, DUp;

        public readonly void Invoke(int index)
        {
            int chunk = ForwardChunks.ChunkElements;
            int start = index * chunk, length = Math.Min(chunk, Gate.Length - start);
            var gate = Gate.Slice(start, length);
            var up = Up.Slice(start, length);
            var dAct = DActivation.Slice(start, length);
            var dGate = DGate.Slice(start, length);
            var dUp = DUp.Slice(start, length);
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
}
