using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DeepResearcher.Engine.Diagnostics;

/// <summary>
/// Opt-in per-kernel wall-clock breakdown of the training forward and backward, in the spirit of nietras/Llm's timing
/// decorator. A kernel is timed by <c>using (KernelTimings.Time(kernel)) { … }</c>. Off by default: the scope then
/// neither reads the clock nor records, so the instrumented kernels cost one static read and one branch each. Kernels are timed on the calling thread
/// around whole (possibly parallel) kernels, never inside a pool loop, so the figures add up to the step time.
/// </summary>
public static class KernelTimings
{
    private static readonly long[] Ticks = new long[Enum.GetValues<TimedKernel>().Length];
    private static readonly long[] Calls = new long[Ticks.Length];

    /// <summary>Whether kernels record their time; set it before the steps to measure.</summary>
    public static bool Enabled { get; set; }

    /// <summary>Times <paramref name="kernel"/> until the returned scope is disposed, when timing is on.</summary>
    public static KernelTimingScope Time(TimedKernel kernel) => new(kernel);

    /// <summary>Adds the time since <paramref name="start"/> to <paramref name="kernel"/>; does nothing for a 0 start.</summary>
    internal static void Record(TimedKernel kernel, long start)
    {
        if (start == 0) return;
        long elapsed = Stopwatch.GetTimestamp() - start;
        Interlocked.Add(ref Ticks[(int)kernel], elapsed);
        Interlocked.Increment(ref Calls[(int)kernel]);
    }

    public static void Reset()
    {
        Array.Clear(Ticks);
        Array.Clear(Calls);
    }

    /// <summary>Total time recorded for <paramref name="kernel"/> since the last <see cref="Reset"/>.</summary>
    public static TimeSpan Elapsed(TimedKernel kernel) => Stopwatch.GetElapsedTime(0, Volatile.Read(ref Ticks[(int)kernel]));

    /// <summary>How many times <paramref name="kernel"/> was recorded since the last <see cref="Reset"/>.</summary>
    public static long CallCount(TimedKernel kernel) => Volatile.Read(ref Calls[(int)kernel]);

    /// <summary>A Markdown table: per kernel, milliseconds per step, calls per step and share of the recorded total.</summary>
    public static string FormatTable(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        double total = 0;
        foreach (var kernel in Enum.GetValues<TimedKernel>()) total += Elapsed(kernel).TotalMilliseconds;
        var text = new StringBuilder();
        text.AppendLine("| kernel | ms / step | calls / step | share |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var kernel in Enum.GetValues<TimedKernel>())
        {
            double ms = Elapsed(kernel).TotalMilliseconds;
            if (CallCount(kernel) == 0) continue;
            text.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:F2} | {2:F0} | {3:P1} |",
                kernel, ms / steps, (double)CallCount(kernel) / steps, total > 0 ? ms / total : 0));
        }
        text.AppendLine(string.Format(CultureInfo.InvariantCulture, "| total | {0:F2} | | |", total / steps));
        return text.ToString();
    }
}
