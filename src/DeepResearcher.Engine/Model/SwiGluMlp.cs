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
        long t0 = KernelTimings.Start();
        GateProj.Forward(x, gate, rows);
        UpProj.Forward(x, up, rows);
        KernelTimings.Stop(TimedKernel.MlpProjectionForward, t0);
        t0 = KernelTimings.Start();
        ComputePool.Shared.For(SwiGluForwardChunks.ChunkCount(n), new SwiGluForwardChunks(gate, up, act));
        KernelTimings.Stop(TimedKernel.SwiGluForward, t0);
        t0 = KernelTimings.Start();
        DownProj.Forward(act, y, rows);
        KernelTimings.Stop(TimedKernel.MlpProjectionForward, t0);
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
        long t0 = KernelTimings.Start();
        DownProj.Backward(dy, act, dAct, rows, accumulateDx: false, Attention.LoraScratch(ws, rows, DownProj));
        KernelTimings.Stop(TimedKernel.MlpProjectionBackward, t0);
        t0 = KernelTimings.Start();
        ComputePool.Shared.For(SwiGluForwardChunks.ChunkCount(n), new SwiGluBackwardChunks(gate, up, dAct, dGate, dUp));
        KernelTimings.Stop(TimedKernel.SwiGluBackward, t0);
        t0 = KernelTimings.Start();
        GateProj.Backward(dGate, x, dx, rows, accumulateDx: false, Attention.LoraScratch(ws, rows, GateProj));
        UpProj.Backward(dUp, x, dx, rows, accumulateDx: true, Attention.LoraScratch(ws, rows, UpProj));
        KernelTimings.Stop(TimedKernel.MlpProjectionBackward, t0);
    }
}
