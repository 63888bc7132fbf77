using System.Runtime.CompilerServices;

namespace DeepResearcher.Engine.Kernels;

/// <summary>
/// Packing buffers of the thread that calls GEMM, reused across calls. Pinned so raw pointers into them stay valid,
/// and 64-byte aligned so packed panels start on a cache line.
/// </summary>
internal sealed unsafe class GemmScratch
{
    [ThreadStatic] private static GemmScratch? _current;

    private float[] _packedA = [];
    private float[] _packedB = [];
    private float[] _panelTail = [];

    public static GemmScratch Current => _current ??= new GemmScratch();

    /// <summary>Returns an aligned buffer of at least <paramref name="length"/> floats for packed A.</summary>
    public float* PackedA(int length) => Aligned(ref _packedA, length);

    /// <summary>Returns an aligned buffer of at least <paramref name="length"/> floats for packed B.</summary>
    public float* PackedB(int length) => Aligned(ref _packedB, length);

    /// <summary>Returns an aligned buffer for one zero-padded edge panel of B.</summary>
    public float* PanelTail(int length) => Aligned(ref _panelTail, length);

    private static float* Aligned(ref float[] buffer, int length)
    {
        const int Slack = 16;
        if (buffer.Length < length + Slack)
            buffer = GC.AllocateUninitializedArray<float>(length + Slack, pinned: true);
        var start = (nint)Unsafe.AsPointer(ref buffer[0]);
        return (float*)((start + 63) & ~(nint)63);
    }
}
