using System.CommandLine;
using DeepResearcher.Server.Composition;
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
        var toolOptions = new ToolOptions();
        var serve = new Command("serve", "Serve POST /v1/tools/web_search, /v1/tools/browse_webpage and /v1/tools/batch, GET /healthz and /metrics (Prometheus) until Ctrl+C.")
        {
            port, host, callTimeout,
        };
        toolOptions.AddTo(serve);
        serve.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            (ToolboxSpec spec, IAsyncDisposable? renderer) = await toolOptions.ToSpecAsync(parse);
            await using IAsyncDisposable? _ = renderer;
            await using ComposedToolbox composed = await ToolboxComposer.CreateAsync(spec, cancellationToken);
            await using ToolServer server = await ToolServer.StartAsync(composed.Toolbox, new ToolServerOptions
            {
                Port = parse.GetValue(port),
                Host = parse.GetRequiredValue(host),
                CallTimeout = TimeSpan.FromSeconds(parse.GetValue(callTimeout)),
            }, new PlainLogProvider(parse.InvocationConfiguration.Error), cancellationToken);
            server.Metrics.Extras.Add(composed.Metrics.Render);
            TextWriter output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync($"tool server at {server.BaseUrl} ({composed.Description}); Ctrl+C stops");
            await output.FlushAsync(cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await output.WriteLineAsync("stopped");
            }

            return 0;
        }));
        tools.Subcommands.Add(serve);
        return tools;
    }
}
