using System.CommandLine;
using DeepResearcher.Cli.Observability;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>--otlp-endpoint URL</c>, shared by the commands that research, evaluate, train or serve.</summary>
internal sealed class OtlpOption
{
    private readonly Option<string?> _endpoint = new("--otlp-endpoint")
    {
        Description = "Export traces (agent turns, tool calls, search requests, page fetches, reader calls) and metrics over OTLP/HTTP protobuf to this collector base, e.g. http://127.0.0.1:4318 (/v1/traces and /v1/metrics are appended). A collector that is down never blocks the run.",
    };

    public void AddTo(Command command) => command.Options.Add(_endpoint);

    /// <summary>The export, started, or null without the option.</summary>
    /// <exception cref="UsageException">The value is not an absolute http(s) URL.</exception>
    public OtlpExport? Start(ParseResult parse, string serviceName)
    {
        if (parse.GetValue(_endpoint) is not { } value)
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--otlp-endpoint '{value}' is not an absolute http(s) URL; give the collector's OTLP/HTTP base, e.g. http://127.0.0.1:4318");
        }

        return OtlpExport.Start(uri, serviceName);
    }
}
