using System.Globalization;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Cli.Commands;

/// <summary>Warnings and errors as plain timestamped lines on stderr, for servers started from the command line.</summary>
internal sealed class PlainLogProvider(TextWriter error) : ILoggerProvider
{
    private readonly Lock _lock = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message)
    {
        lock (_lock)
        {
            error.WriteLine($"{DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {level.ToString().ToLowerInvariant()}: {message}");
        }
    }

    private sealed class Logger(PlainLogProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception) + (exception is null ? string.Empty : " " + exception.Message));
            }
        }
    }
}
