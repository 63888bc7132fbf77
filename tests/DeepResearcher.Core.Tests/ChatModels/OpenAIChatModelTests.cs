using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Testing;

namespace DeepResearcher.Core.Tests.ChatModels;

public class OpenAIChatModelTests
{
    private static GenerationRequest Request(int maxTokens = 100) => new()
    {
        Messages = [ChatMessage.System("S"), ChatMessage.User("Q")],
        Sampling = new SamplingOptions { MaxTokens = maxTokens, Temperature = 0.5f, TopP = 0.9f, TopK = 20, Seed = 7 },
    };

    [Fact]
    public async Task Retries_after_429_honouring_Retry_After()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.Enqueue(ScriptedReply.Error(429, "rate limited", retryAfterSeconds: "0"), ScriptedReply.Text("<think>a</think><answer>b</answer>"));
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "m" });

        ModelReply reply = await model.GenerateAsync(Request(), TestContext.Current.CancellationToken);

        Assert.Equal("<think>a</think><answer>b</answer>", reply.Text);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Sends_sampling_options_and_records_usage()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.EnqueueText("<think>a</think><answer>b</answer>");
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "qwen" });

        ModelReply reply = await model.GenerateAsync(Request(), TestContext.Current.CancellationToken);

        var request = server.Requests[0];
        Assert.Equal("qwen", request["model"]!.GetValue<string>());
        Assert.Equal(0.5, request["temperature"]!.GetValue<double>(), 1e-6);
        Assert.Equal(0.9, request["top_p"]!.GetValue<double>(), 1e-6);
        Assert.Equal(20, request["top_k"]!.GetValue<int>());
        Assert.Equal(7, request["seed"]!.GetValue<long>());
        Assert.True(reply.PromptTokens > 0);
        Assert.True(reply.CompletionTokens > 0);
        Assert.Equal(FinishReason.Stop, reply.FinishReason);
    }

    [Fact]
    public async Task Restores_the_stop_string_the_server_cut()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.EnqueueText("<think>a</think>\n<answer>b</answer>\nmore text");
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "m" });

        ModelReply reply = await model.GenerateAsync(Request(), TestContext.Current.CancellationToken);

        Assert.Equal("<think>a</think>\n<answer>b</answer>", reply.Text);
    }

    [Fact]
    public async Task A_length_cut_turn_is_returned_as_is()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.Enqueue(ScriptedReply.Text("<think>a long thought", "length"));
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "m" });

        ModelReply reply = await model.GenerateAsync(Request(), TestContext.Current.CancellationToken);

        Assert.Equal("<think>a long thought", reply.Text);
        Assert.Equal(FinishReason.Length, reply.FinishReason);
    }

    [Fact]
    public async Task Reads_the_key_from_the_environment_and_never_puts_it_in_errors()
    {
        const string secret = "sk-test-very-secret-key";
        string variable = "DR_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
            server.Enqueue(ScriptedReply.Error(401, "invalid api key"));
            var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "m", ApiKeyEnvironmentVariable = variable });

            var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GenerateAsync(Request(), TestContext.Current.CancellationToken));

            Assert.Equal("Bearer " + secret, server.RequestHeaders[0]["Authorization"]);
            Assert.Contains("401", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, ex.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Malformed_json_from_the_server_is_a_clear_error()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.Enqueue(new ScriptedReply { RawBody = "{\"choices\": [" });
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "m" });

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GenerateAsync(Request(), TestContext.Current.CancellationToken));

        Assert.Contains(server.BaseUrl.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_clear_error()
    {
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = new Uri("http://127.0.0.1:9/v1/"), Model = "m", MaxRetries = 0, Timeout = TimeSpan.FromSeconds(5) });

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GenerateAsync(Request(), TestContext.Current.CancellationToken));

        Assert.Contains("127.0.0.1:9", ex.Message, StringComparison.Ordinal);
    }
}
