using System.Diagnostics;
using System.Globalization;
using DeepResearcher.Training.Pipeline;

namespace DeepResearcher.Cli.Commands;

/// <summary>
/// The training run's console: timestamped log lines, and on a terminal a progress bar under them that shows the
/// stage, its step, the rate and the time left. Redirected to a file or CI log, only the lines are written.
/// </summary>
internal sealed class TrainingConsole(TextWriter error, bool isTerminal) : IProgress<string>, IProgress<TrainingProgress>
{
    private const int BarWidth = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private string _bar = string.Empty;
    private string _stage = string.Empty;
    private TimeSpan _stageStart;
    private int _stageFirstStep;

    public void Report(string value)
    {
        lock (_lock)
        {
            if (_bar.Length > 0)
            {
                error.Write("\r\u001b[2K");
            }

            error.WriteLine($"[{_clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),6}s] {value}");
            if (_bar.Length > 0)
            {
                error.Write(_bar);
            }

            error.Flush();
        }
    }

    public void Report(TrainingProgress value)
    {
        if (!isTerminal)
        {
            return;
        }

        lock (_lock)
        {
            if (value.Stage != _stage)
            {
                _stage = value.Stage;
                _stageStart = _clock.Elapsed;
                _stageFirstStep = value.Done;
            }

            _bar = Render(value);
            error.Write("\r\u001b[2K" + _bar);
            if (value.Done >= value.Total)
            {
                error.WriteLine();
                _bar = string.Empty;
            }

            error.Flush();
        }
    }

    private string Render(TrainingProgress value)
    {
        double fraction = value.Total == 0 ? 1 : Math.Clamp((double)value.Done / value.Total, 0, 1);
        int filled = (int)Math.Round(fraction * BarWidth);
        string eta = string.Empty;
        int doneHere = value.Done - _stageFirstStep;
        if (doneHere > 0 && value.Done < value.Total)
        {
            double perStep = (_clock.Elapsed - _stageStart).TotalSeconds / doneHere;
            eta = FormattableString.Invariant($" {perStep:F1} s/step, {TimeSpan.FromSeconds(perStep * (value.Total - value.Done)):mm\\:ss} left");
        }

        return FormattableString.Invariant($"{value.Stage,-5} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {value.Done}/{value.Total}{eta} {value.Detail}");
    }
}
