using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace DeepResearcher.Server.Tests.Mcp;

/// <summary>
/// Somebody else's MCP search server on loopback, made with the same SDK: tools with their own names and a single
/// string argument each, answering plain text, as most MCP search servers do. Each tool is a name, its input schema
/// and what it answers to an argument value.
/// </summary>
internal sealed class ForeignMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ForeignMcpServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>The metadata each call carried, in order.</summary>
    public List<string> SeenMeta { get; } = [];

    public static async Task<ForeignMcpServer> StartAsync(IReadOnlyList<(string Name, string Schema, Func<string, CallToolResult> Answer)> tools, CancellationToken cancellationToken, int port = 0)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        ForeignMcpServer? self = null;
        builder.Services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "foreign-search", Version = "9.9" })
            .WithHttpTransport()
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult
            {
                Tools = [.. tools.Select(t => new Tool { Name = t.Name, Description = t.Name, InputSchema = JsonDocument.Parse(t.Schema).RootElement.Clone() })],
            }))
            .WithCallToolHandler((request, _) =>
            {
                CallToolRequestParams call = request.Params!;
                lock (self!.SeenMeta)
                {
                    self.SeenMeta.Add(call.Meta?.ToJsonString() ?? "null");
                }

                JsonElement value = call.Arguments!.Values.Single();
                return ValueTask.FromResult(tools.Single(t => t.Name == call.Name).Answer(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()));
            });
        WebApplication app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        self = new ForeignMcpServer(app, new Uri(address.TrimEnd('/') + "/mcp"));
        return self;
    }

    public static CallToolResult Text(string text, bool isError = false) => new() { Content = [new TextContentBlock { Text = text }], IsError = isError };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
