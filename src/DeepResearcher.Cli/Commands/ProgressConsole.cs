using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DeepResearcher.Recipes.Pipeline;

namespace DeepResearcher.Cli.Commands;

/// <summary>
/// The console of every long command (train, eval run, world demo, …): timestamped log lines on stderr, and the progress
/// of the current stage. On a terminal that progress is a bar under the log lines with the rate and the time left;
/// redirected to a file or a CI log, it is a plain line every tenth of the stage or every <see cref="PlainInterval"/>,
/// and at the end, never one per item.
/// </summary>
internal sealed class ProgressConsole(TextWriter error, bool isTerminal) : IProgress<string>, IProgress<ProgressUpdate>, IProgress<TrainingProgress>
{
    private const int BarWidth = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private string _bar = string.Empty;
    private string _stage = string.Empty;
    private TimeSpan _stageStart;
    private int _stageFirstDone;
    private TimeSpan _lastPlain;
    private int _lastPlainDone;
    private int _lastDone;

    /// <summary>Longest gap between two plain progress lines while the stage advances.</summary>
    public TimeSpan PlainInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The console on the command's stderr; a bar only when that is the process's own, unredirected stderr.</summary>
    public static ProgressConsole For(ParseResult parse)
    {
        TextWriter error = parse.InvocationConfiguration.Error;
        return new ProgressConsole(error, isTerminal: ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected);
    }

    public void Report(string value)
    {
        lock (_lock)
        {
            if (_bar.Length > 0)
            {
                error.Write("\r\u001b[2K");
            }

            WriteLine(value);
            if (_bar.Length > 0)
            {
                error.Write(_bar);
            }

            error.Flush();
        }
    }

    public void Report(TrainingProgress value) => Report(new ProgressUpdate(value.Stage, value.Done, value.Total, "step", value.Detail));

    public void Report(ProgressUpdate value)
    {
        lock (_lock)
        {
            // A stage that starts again (the next evaluation of a training run) is timed afresh.
            if (value.Stage != _stage || value.Done < _lastDone)
            {
                _stage = value.Stage;
                _stageStart = _clock.Elapsed;
                _stageFirstDone = value.Done;
                _lastPlain = _clock.Elapsed;
                _lastPlainDone = value.Done;
            }

            _lastDone = value.Done;
            bool finished = value.Done >= value.Total;
            if (isTerminal)
            {
                _bar = Render(value, withBar: true);
                error.Write("\r\u001b[2K" + _bar);
                if (finished)
                {
                    error.WriteLine();
                    _bar = string.Empty;
                }
            }
            else if (value.Done > _lastPlainDone
                     && (finished || value.Done - _lastPlainDone >= Math.Max(1, value.Total / 10) || _clock.Elapsed - _lastPlain >= PlainInterval))
            {
                WriteLine(Render(value, withBar: false));
                _lastPlain = _clock.Elapsed;
                _lastPlainDone = value.Done;
            }

            error.Flush();
        }
    }

    private void WriteLine(string value)
        => error.WriteLine($"[{_clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),6}s] {value}");

    private string Render(ProgressUpdate value, bool withBar)
    {
        double fraction = value.Total == 0 ? 1 : Math.Clamp((double)value.Done / value.Total, 0, 1);
        string eta = string.Empty;
        int doneHere = value.Done - _stageFirstDone;
        if (doneHere > 0 && value.Done < value.Total)
        {
            double perItem = (_clock.Elapsed - _stageStart).TotalSeconds / doneHere;
            // Two decimals below a second: concurrent questions finish in hundredths of a second each.
            string rate = perItem.ToString(perItem < 1 ? "F2" : "F1", CultureInfo.InvariantCulture);
            TimeSpan left = TimeSpan.FromSeconds(perItem * (value.Total - value.Done));
            string leftText = left.ToString(left.TotalHours >= 1 ? @"h\:mm\:ss" : @"mm\:ss", CultureInfo.InvariantCulture);
            eta = $" {rate} s/{value.Unit}, {leftText} left";
        }

        string detail = value.Detail.Length == 0 ? string.Empty : " " + value.Detail;
        if (!withBar)
        {
            return FormattableString.Invariant($"{value.Stage} {value.Done}/{value.Total} ({fraction * 100:F0} %){eta}{detail}");
        }

        int filled = (int)Math.Round(fraction * BarWidth);
        return FormattableString.Invariant($"{value.Stage,-5} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {value.Done}/{value.Total}{eta}{detail}");
    }
}
