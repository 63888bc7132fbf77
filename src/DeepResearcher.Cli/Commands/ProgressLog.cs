using System.Diagnostics;
using System.Globalization;

namespace DeepResearcher.Cli.Commands;

/// <summary>Progress as plain, timestamped log lines on stderr: readable in CI logs and in a terminal alike.</summary>
internal sealed class ProgressLog(TextWriter error) : IProgress<string>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();

    public void Report(string value)
    {
        lock (_lock)
        {
            error.WriteLine($"[{_clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),6}s] {value}");
        }
    }
}
