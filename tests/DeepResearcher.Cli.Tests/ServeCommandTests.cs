using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Testing;

namespace DeepResearcher.Cli.Tests;

/// <summary><c>serve model</c> from the command line: it serves until cancelled, and bad input is one clear line.</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serves_the_checkpoint_until_cancelled()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        int port = FreeLoopbackPort.Next();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var output = new StringWriter();
        var error = new StringWriter();
        Task<int> serving = DeepResearcherCli.InvokeAsync(["serve", "model", TinyChatCheckpoint.Instance.Directory, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--served-model-name", "tiny"], output, error, stop.Token);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        for (int i = 0; i < 400 && !serving.IsCompleted; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri("health", UriKind.Relative), ct)).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50, ct);
        }

        Assert.False(serving.IsCompleted, error.ToString());
        string body = $$"""{"model": "tiny", "temperature": 0, "messages": [{"role": "user", "content": "{{TinyChatCheckpoint.PlainQuestion}}"}]}""";
        HttpResponseMessage reply = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), ct);
        JsonNode json = JsonNode.Parse(await reply.Content.ReadAsStringAsync(ct))!;
        Assert.Equal(TinyChatCheckpoint.PlainReply, (string?)json["choices"]![0]!["message"]!["content"]);

        await stop.CancelAsync();
        Assert.Equal(0, await serving);
        Assert.Contains($"model server at http://127.0.0.1:{port}/v1", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("qwen2.5 template, context 1024 tokens", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_checkpoint_a_busy_port_and_an_unset_key_variable_are_one_line_errors()
    {
        CliRunAssert.OneLineError(await CliRun.InvokeAsync("serve", "model", "/no/such/checkpoint"), "error: checkpoint directory /no/such/checkpoint does not exist");

        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        CliRunAssert.OneLineError(await CliRun.InvokeAsync("serve", "model", TinyChatCheckpoint.Instance.Directory, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            $"error: port {port} on 127.0.0.1 is already in use");

        CliRunAssert.OneLineError(await CliRun.InvokeAsync("serve", "model", TinyChatCheckpoint.Instance.Directory, "--api-key-env", "DR_TEST_SURELY_UNSET_KEY"),
            "error: --api-key-env names DR_TEST_SURELY_UNSET_KEY, which is not set");
    }

    [Fact]
    public async Task An_adapter_that_does_not_fit_the_checkpoint_is_a_one_line_error_naming_it()
    {
        using var dir = new TempDirectory();
        string adapter = Path.Combine(dir.Path, "other-lora");
        var other = DeepResearcher.Engine.Model.TransformerModel.Create(new DeepResearcher.Engine.Model.TransformerConfig
        {
            VocabSize = 300, HiddenSize = 16, IntermediateSize = 32, NumLayers = 2, NumHeads = 2, NumKeyValueHeads = 1, TieWordEmbeddings = true,
        });
        other.AttachLora(2, 4, ["q_proj"]);
        await DeepResearcher.Engine.Checkpoints.LoraCheckpoint.SaveAsync(other, adapter, cancellationToken: TestContext.Current.CancellationToken);

        CliRun run = await CliRun.InvokeAsync("serve", "model", TinyChatCheckpoint.Instance.Directory, "--port", "0", "--adapter", "bad=" + adapter);

        CliRunAssert.OneLineError(run, $"error: adapter bad ({adapter}) does not fit the base checkpoint {TinyChatCheckpoint.Instance.Directory}");
    }
}
