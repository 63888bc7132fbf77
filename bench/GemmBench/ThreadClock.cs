using System.Diagnostics;
using System.Runtime.InteropServices;

/// <summary>
/// CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID). On a machine shared with other jobs it
/// leaves out the time the thread sat preempted, so single-thread figures stay comparable between runs.
/// </summary>
static partial class ThreadClock
{
    const int ThreadCpuTimeClock = 3;

    public static bool IsSupported { get; } = OperatingSystem.IsLinux();

    /// <summary>Seconds of CPU time this thread has used, or wall-clock seconds where that is unavailable.</summary>
    public static double Now()
    {
        if (IsSupported && ClockGetTime(ThreadCpuTimeClock, out var time) == 0)
            return time.Seconds + time.Nanoseconds * 1e-9;
        return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
