using System.CommandLine;
using DeepResearcher.Cli.Observability;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Server.Tools;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher tools serve</c>: the research tools as an HTTP service.</summary>
internal static class ToolsCommand
{
    public static Command Create()
    {
        var tools = new Command("tools", "The research tools (web_search, browse_webpage) as a service.");
        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 5000 };
        var host = new Option<string>("--host") { Description = "Address to bind; loopback by default (bind others only on a trusted network).", DefaultValueFactory = _ => "127.0.0.1" };
        var callTimeout = new Option<double>("--call-timeout") { Description = "Seconds a call may take before it answers with a timeout observation.", DefaultValueFactory = _ => 90 };
        var defaults = new ToolServerOptions();
        var maxQueries = new Option<int>("--max-queries") { Description = "Queries in one web_search call, at most; more is a 400 (the original sends at most 3).", DefaultValueFactory = _ => defaults.MaxQueriesPerCall };
        var maxQueryChars = new Option<int>("--max-query-chars") { Description = "Characters in one query, at most; longer is a 400.", DefaultValueFactory = _ => defaults.MaxQueryChars };
        var maxUrls = new Option<int>("--max-urls") { Description = "URLs in one browse_webpage call, at most; more is a 400.", DefaultValueFactory = _ => defaults.MaxUrlsPerCall };
        var maxUrlChars = new Option<int>("--max-url-chars") { Description = "Characters in one URL, at most; longer is a 400.", DefaultValueFactory = _ => defaults.MaxUrlChars };
        var maxQuestionChars = new Option<int>("--max-question-chars") { Description = "Characters of a call's question, at most; longer is a 400.", DefaultValueFactory = _ => defaults.MaxQuestionChars };
        var maxBodyBytes = new Option<long>("--max-body-bytes") { Description = "Bytes of a request body, at most; larger is a 413.", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var maxBatch = new Option<int>("--max-batch") { Description = "Calls in one /v1/tools/batch request, at most; more is a 400.", DefaultValueFactory = _ => defaults.MaxBatchSize };
        var maxPerTrajectory = new Option<int>("--max-calls-per-trajectory") { Description = "Calls of one trajectory in flight at once, at most; more is a 429.", DefaultValueFactory = _ => defaults.MaxConcurrentCallsPerTrajectory };
        var mcp = new Option<bool>("--mcp") { Description = $"Also serve the tools over the Model Context Protocol (streamable HTTP) at {ToolServer.McpPath} on the same host and port." };
        var mcpStdio = new Option<bool>("--mcp-stdio") { Description = "Serve the tools over MCP on stdin/stdout for a local client that starts this command (no HTTP; logs go to stderr)." };
        var toolOptions = new ToolOptions();
        var otlp = new OtlpOption();
        var serve = new Command("serve", "Serve POST /v1/tools/web_search, /v1/tools/browse_webpage and /v1/tools/batch, GET /healthz and /metrics (Prometheus), and with --mcp the same tools over MCP at /mcp, until Ctrl+C.")
        {
            port, host, callTimeout, maxQueries, maxQueryChars, maxUrls, maxUrlChars, maxQuestionChars, maxBodyBytes, maxBatch, maxPerTrajectory, mcp, mcpStdio,
        };
        toolOptions.AddTo(serve, remote: false);
        otlp.AddTo(serve);
        foreach (Option<int> cap in new[] { maxQueries, maxQueryChars, maxUrls, maxUrlChars, maxQuestionChars, maxBatch, maxPerTrajectory })
        {
            OptionRules.Require(cap, n => n >= 1, $"{cap.Name} must be at least 1");
        }

        OptionRules.Require(maxBodyBytes, n => n >= 1024, "--max-body-bytes must be at least 1024");
        serve.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            bool stdio = parse.GetValue(mcpStdio);
            if (stdio && parse.GetValue(mcp))
            {
                throw new UsageException("--mcp serves MCP over HTTP next to the REST routes, --mcp-stdio over stdin/stdout without HTTP: give one of them");
            }

            if (stdio && new Option[] { port, host, maxBodyBytes, maxBatch }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } httpOnly)
            {
                throw new UsageException($"--mcp-stdio serves no HTTP, so {httpOnly.Name} means nothing with it; leave it out, or use --mcp to serve MCP over HTTP");
            }

            using OtlpExport? telemetry = otlp.Start(parse, "deepresearcher-tools");
            (ToolboxSpec spec, IAsyncDisposable? renderer) = await toolOptions.ToSpecAsync(parse);
            await using IAsyncDisposable? _ = renderer;
            await using ComposedToolbox composed = await ToolboxComposer.CreateAsync(spec, cancellationToken);
            var serverOptions = new ToolServerOptions
            {
                Port = parse.GetValue(port),
                Host = parse.GetRequiredValue(host),
                CallTimeout = TimeSpan.FromSeconds(parse.GetValue(callTimeout)),
                MaxQueriesPerCall = parse.GetValue(maxQueries),
                MaxQueryChars = parse.GetValue(maxQueryChars),
                MaxUrlsPerCall = parse.GetValue(maxUrls),
                MaxUrlChars = parse.GetValue(maxUrlChars),
                MaxQuestionChars = parse.GetValue(maxQuestionChars),
                MaxBodyBytes = parse.GetValue(maxBodyBytes),
                MaxBatchSize = parse.GetValue(maxBatch),
                MaxConcurrentCallsPerTrajectory = parse.GetValue(maxPerTrajectory),
                ServeMcp = parse.GetValue(mcp),
                Meters = [composed.Metrics.Meter],
            };
            var log = new PlainLogProvider(parse.InvocationConfiguration.Error);
            if (stdio)
            {
                // stdout carries only MCP messages: what is served is said on stderr.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"MCP tool server on stdin/stdout ({composed.Description}); closing stdin stops");
                await McpStreamToolServer.RunStdioAsync(composed.Toolbox, serverOptions, log, cancellationToken);
                return 0;
            }

            await using ToolServer server = await ToolServer.StartAsync(composed.Toolbox, serverOptions, log, cancellationToken);
            TextWriter output = parse.InvocationConfiguration.Output;
            return await ServerConsole.RunUntilCancelledAsync(output, $"tool server at {server.BaseUrl} ({composed.Description}){(server.McpUrl is { } mcpUrl ? $", MCP at {mcpUrl}" : string.Empty)}", cancellationToken);
        }));
        tools.Subcommands.Add(serve);
        return tools;
    }
}
