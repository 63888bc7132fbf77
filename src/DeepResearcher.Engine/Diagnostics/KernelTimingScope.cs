using System.Diagnostics;

namespace DeepResearcher.Engine.Diagnostics;

/// <summary>
/// The time of one kernel, from <see cref="KernelTimings.Time"/> to <see cref="Dispose"/> at the end of its
/// <c>using</c> block. A stack-only value: timing a kernel allocates nothing, and with timing off it holds a 0 start
/// and neither end reads the clock.
/// </summary>
public readonly ref struct KernelTimingScope
{
    private readonly TimedKernel _kernel;
    private readonly long _start;

    internal KernelTimingScope(TimedKernel kernel)
    {
        _kernel = kernel;
        _start = KernelTimings.Enabled ? Stopwatch.GetTimestamp() : 0;
    }

    public void Dispose() => KernelTimings.Record(_kernel, _start);
}
