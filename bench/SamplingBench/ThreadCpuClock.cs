using System.Runtime.InteropServices;

/// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID): unlike the wall clock, it does not count time the neighbours' processes ran.</summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static double Seconds
    {
        get
        {
            if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out var time) != 0) return double.NaN;
            return time.Seconds + time.Nanoseconds * 1e-9;
        }
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
