using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Server.Model;
using DeepResearcher.Serving;
using DeepResearcher.Serving.Models;
using DeepResearcher.Testing;

namespace DeepResearcher.Server.Tests.Model;

/// <summary>The model server over raw HTTP: vLLM's extensions, the error JSON, caps, streaming wire format and the host's behaviour.</summary>
public sealed class ModelServerHttpTests(ModelServerFixture fixture) : IClassFixture<ModelServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string PlainChat(string extra = "") =>
        $$"""{"model": "tiny", "temperature": 0, "messages": [{"role": "user", "content": "{{TinyChatCheckpoint.PlainQuestion}}"}]{{extra}}}""";

    private async Task<(HttpStatusCode Status, JsonNode? Json, HttpResponseMessage Response)> PostAsync(string path, string body)
    {
        HttpResponseMessage response = await fixture.Http.PostAsync(new Uri(fixture.ApiUrl, path), new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    private static void AssertError(JsonNode? json, string messagePart)
    {
        JsonObject error = Assert.IsType<JsonObject>(json?["error"]);
        Assert.Equal(["message", "type", "param", "code"], error.Select(kv => kv.Key));
        Assert.Contains(messagePart, (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_ids_come_back_exact_and_n_gives_n_choices()
    {
        var (status, json, _) = await PostAsync("chat/completions", PlainChat(", \"return_token_ids\": true, \"n\": 2, \"top_k\": 5, \"seed\": 5, \"max_tokens\": 8").Replace("\"temperature\": 0", "\"temperature\": 1.2", StringComparison.Ordinal));

        Assert.True(status == HttpStatusCode.OK, json?.ToJsonString());
        int[] prompt = fixture.Catalog.Models[0].Tokenizer.Encode(TinyChatCheckpoint.PlainPrompt);
        Assert.Equal(prompt, json!["prompt_token_ids"]!.AsArray().Select(n => (int)n!));
        JsonArray choices = json["choices"]!.AsArray();
        Assert.Equal(2, choices.Count);
        Assert.Equal([0, 1], choices.Select(c => (int)c!["index"]!));
        int total = choices.Sum(c => c!["token_ids"]!.AsArray().Count);
        Assert.Equal(total, (int)json["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task Greedy_ids_over_http_equal_the_in_process_samplers_token_for_token()
    {
        var (_, json, _) = await PostAsync("chat/completions", PlainChat(", \"return_token_ids\": true, \"logprobs\": true, \"ignore_eos\": true"));

        int[] prompt = fixture.Catalog.Models[0].Tokenizer.Encode(TinyChatCheckpoint.PlainPrompt);
        await using var sampler = new DeepResearcher.Engine.Sampling.ContinuousBatchingSampler(TinyChatCheckpoint.LoadModel(), fixture.Catalog.Models[0].Tokenizer);
        var direct = await sampler.SubmitAsync(new DeepResearcher.Engine.Sampling.SamplingRequest(prompt, new DeepResearcher.Engine.Sampling.DecodingOptions { Temperature = 0, MaxNewTokens = 1024 - prompt.Length > 64 ? 64 : 1024 - prompt.Length }), Ct);

        JsonNode choice = json!["choices"]![0]!;
        Assert.Equal(direct.TokenIds, choice["token_ids"]!.AsArray().Select(n => (int)n!));
        Assert.Equal(direct.LogProbs, choice["logprobs"]!["content"]!.AsArray().Select(t => (float)t!["logprob"]!));
        Assert.Equal("length", (string?)choice["finish_reason"]);
    }

    [Fact]
    public async Task Tokens_as_token_ids_name_each_logprob_entry_by_its_id()
    {
        var (_, json, _) = await PostAsync("chat/completions", PlainChat(", \"logprobs\": true, \"return_tokens_as_token_ids\": true, \"return_token_ids\": true, \"max_tokens\": 4"));

        JsonNode choice = json!["choices"]![0]!;
        var ids = choice["token_ids"]!.AsArray().Select(n => (int)n!).ToArray();
        Assert.Equal(ids.Select(id => $"token_id:{id}"), choice["logprobs"]!["content"]!.AsArray().Select(t => (string)t!["token"]!));
    }

    [Fact]
    public async Task Continue_final_message_prefills_the_assistants_turn()
    {
        var (status, json, _) = await PostAsync("chat/completions", $$"""
            {"model": "tiny", "temperature": 0, "continue_final_message": true, "add_generation_prompt": false,
             "messages": [{"role": "user", "content": "{{TinyChatCheckpoint.PlainQuestion}}"}, {"role": "assistant", "content": "<think>greet</think>\n<answer>Hello"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(" there, friend</answer>", (string)json!["choices"]![0]!["message"]!["content"]!);
    }

    [Fact]
    public async Task Completions_take_token_ids_echo_and_logprobs()
    {
        int[] prompt = fixture.Catalog.Models[0].Tokenizer.Encode(TinyChatCheckpoint.PlainPrompt);
        var (status, json, _) = await PostAsync("completions", $$"""{"model": "tiny", "prompt": [{{string.Join(",", prompt)}}], "temperature": 0, "echo": true}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(TinyChatCheckpoint.PlainPrompt + TinyChatCheckpoint.PlainReply, (string)json!["choices"]![0]!["text"]!);
        Assert.Equal("text_completion", (string)json["object"]!);

        var (_, scored, _) = await PostAsync("completions", $$"""{"model": "tiny", "prompt": {{JsonValue.Create(TinyChatCheckpoint.PlainPrompt).ToJsonString()}}, "temperature": 0, "logprobs": 2, "max_tokens": 3}""");
        JsonNode logprobs = scored!["choices"]![0]!["logprobs"]!;
        Assert.Equal(3, logprobs["tokens"]!.AsArray().Count);
        Assert.Equal(3, logprobs["token_logprobs"]!.AsArray().Count);
        Assert.All(logprobs["top_logprobs"]!.AsArray(), top => Assert.Equal(2, top!.AsObject().Count));
        Assert.Equal("length", (string)scored["choices"]![0]!["finish_reason"]!);
    }

    [Fact]
    public async Task A_stream_is_server_sent_events_ending_in_done_with_usage_when_asked()
    {
        HttpResponseMessage response = await fixture.Http.PostAsync(new Uri(fixture.ApiUrl, "chat/completions"),
            new StringContent(PlainChat(", \"stream\": true, \"stream_options\": {\"include_usage\": true}"), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        string body = await response.Content.ReadAsStringAsync(Ct);
        string[] events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        JsonNode usageChunk = JsonNode.Parse(events[^2]["data: ".Length..])!;
        Assert.Empty(usageChunk["choices"]!.AsArray());
        Assert.True((int)usageChunk["usage"]!["completion_tokens"]! > 0);
        string text = string.Concat(events[..^2].Select(e => (string?)JsonNode.Parse(e["data: ".Length..])!["choices"]![0]!["delta"]!["content"]));
        Assert.Equal(TinyChatCheckpoint.PlainReply, text);
    }

    [Fact]
    public async Task Bad_bodies_get_openai_error_json_with_the_right_status()
    {
        var (status, json, _) = await PostAsync("chat/completions", "{\"model\": \"tiny\", \"messages\": [");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(json, "not valid JSON");

        (status, json, _) = await PostAsync("chat/completions", PlainChat(", \"temperature\": 1"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(json, "not valid JSON");

        (status, json, _) = await PostAsync("chat/completions", "[1, 2]");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(json, "must be a JSON object");

        (status, json, _) = await PostAsync("chat/completions", PlainChat(", \"n\": 5"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("n", (string?)json!["error"]!["param"]);
        AssertError(json, "'n' is 5, over this server's cap of 4 choices per request");

        (status, json, _) = await PostAsync("chat/completions", PlainChat(", \"max_tokens\": 65"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("max_tokens", (string?)json!["error"]!["param"]);
        AssertError(json, "'max_tokens' is 65, over this server's cap of 64");

        (status, json, _) = await PostAsync("chat/completions", PlainChat().Replace("\"tiny\"", "\"nope\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("model_not_found", (string?)json!["error"]!["code"]);
        AssertError(json, "The model 'nope' does not exist");

        (status, json, _) = await PostAsync("chat/completions", PlainChat().Replace(TinyChatCheckpoint.PlainQuestion, string.Concat(Enumerable.Repeat("hello world ", 600)), StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("context_length_exceeded", (string?)json!["error"]!["code"]);
        AssertError(json, "This model's maximum context length is 1024 tokens");

        // Expect: 100-continue lets the server refuse before the body is sent (otherwise the client may still be
        // sending when the 413 closes the connection, as with any server that refuses early).
        using (var large = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.ApiUrl, "chat/completions"))
        {
            Content = new StringContent(PlainChat($", \"user\": \"{new string('x', 70 * 1024)}\""), Encoding.UTF8, "application/json"),
        })
        {
            large.Headers.ExpectContinue = true;
            using HttpResponseMessage refused = await fixture.Http.SendAsync(large, Ct);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
            AssertError(JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct)), "over this server's cap of 65536 bytes");
        }

        (status, json, _) = await PostAsync("embeddings", "{}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(json, "no such endpoint");

        (status, _, _) = await PostAsync("chat/completions", PlainChat(", \"max_tokens\": 2"));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Models_health_and_metrics()
    {
        JsonNode models = JsonNode.Parse(await fixture.Http.GetStringAsync(new Uri(fixture.ApiUrl, "models"), Ct))!;
        Assert.Equal(["tiny", "tiny-lora"], models["data"]!.AsArray().Select(m => (string)m!["id"]!));
        Assert.Equal("tiny", (string?)models["data"]![1]!["parent"]);
        Assert.Equal(1024, (int)models["data"]![0]!["max_model_len"]!);

        HttpResponseMessage health = await fixture.Http.GetAsync(new Uri(fixture.Server.BaseUrl, "health"), Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        await PostAsync("chat/completions", PlainChat(", \"max_tokens\": 2"));
        string metrics = await fixture.Http.GetStringAsync(new Uri(fixture.Server.BaseUrl, "metrics"), Ct);
        var scrape = PrometheusScrape.Parse(metrics);
        Assert.True(scrape.Value("deepresearcher_model_requests_total", ("endpoint", "/v1/chat/completions"), ("status", "200")) >= 1);
        Assert.True(scrape.Value("deepresearcher_model_generation_tokens_total") >= 1);
        Assert.True(scrape.Value("deepresearcher_model_prompt_tokens_total") >= 1);
        Assert.Equal(0, scrape.Value("deepresearcher_model_running_sequences"));
        Assert.NotNull(scrape.Value("deepresearcher_model_peak_batch_size", ("model", "tiny")));
        Assert.NotNull(scrape.Value("deepresearcher_model_reused_prompt_tokens_total", ("model", "tiny")));
        Assert.Equal("counter", scrape.TypeOf("deepresearcher_model_requests_total"));
    }

    [Fact]
    public async Task A_full_server_answers_429_with_retry_after_and_a_client_that_disconnects_frees_its_slots()
    {
        // A job that holds all four slots until it is disposed, whatever its generation does meanwhile.
        await using (fixture.Service.StartChat((JsonObject)JsonNode.Parse(PlainChat(", \"n\": 4"))!))
        {
            var (busy, json, busyResponse) = await PostAsync("chat/completions", PlainChat());
            Assert.Equal(HttpStatusCode.TooManyRequests, busy);
            Assert.Equal("1", busyResponse.Headers.GetValues("Retry-After").Single());
            AssertError(json, "retry after");
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.ApiUrl, "chat/completions"))
        {
            Content = new StringContent(PlainChat(", \"stream\": true, \"ignore_eos\": true, \"n\": 4"), Encoding.UTF8, "application/json"),
        };
        HttpResponseMessage response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Stream stream = await response.Content.ReadAsStreamAsync(cancel.Token);
        Assert.True(await stream.ReadAsync(new byte[64], cancel.Token) > 0);
        await cancel.CancelAsync();
        response.Dispose();
        for (int i = 0; i < 200 && fixture.Service.Running > 0; i++)
        {
            await Task.Delay(25, Ct);
        }
        Assert.Equal(0, fixture.Service.Running);
        var (status, _, _) = await PostAsync("chat/completions", PlainChat(", \"max_tokens\": 2"));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task With_an_api_key_v1_needs_the_bearer_token_and_a_busy_port_is_a_clear_error()
    {
        await using ModelServer keyed = await ModelServer.StartAsync(fixture.Service, new ModelServerOptions { Port = 0, ApiKey = "s3cret" }, null, Ct);
        using var client = new HttpClient();
        HttpResponseMessage denied = await client.GetAsync(new Uri(keyed.BaseUrl, "v1/models"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        AssertError(JsonNode.Parse(await denied.Content.ReadAsStringAsync(Ct)), "API key");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(keyed.BaseUrl, "health"), Ct)).StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(keyed.BaseUrl, "v1/models"), Ct)).StatusCode);

        var busy = await Assert.ThrowsAsync<InvalidOperationException>(() => ModelServer.StartAsync(fixture.Service, new ModelServerOptions { Port = keyed.BaseUrl.Port }, null, Ct));
        Assert.Contains($"port {keyed.BaseUrl.Port} on 127.0.0.1 is already in use", busy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_adapter_that_does_not_fit_the_base_is_refused_with_its_name()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"dr-bad-adapter-{Guid.NewGuid():N}");
        try
        {
            var other = DeepResearcher.Engine.Model.TransformerModel.Create(new DeepResearcher.Engine.Model.TransformerConfig
            {
                VocabSize = 300, HiddenSize = 16, IntermediateSize = 32, NumLayers = 2, NumHeads = 2, NumKeyValueHeads = 1, TieWordEmbeddings = true,
            });
            other.AttachLora(2, 4, ["q_proj"]);
            await DeepResearcher.Engine.Checkpoints.LoraCheckpoint.SaveAsync(other, directory, cancellationToken: Ct);
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => ModelCatalog.LoadAsync(TinyChatCheckpoint.Instance.Directory, [new AdapterSource("bad", directory)], ModelServerFixture.Options, "tiny", Ct));
            Assert.Contains("adapter bad", error.Message, StringComparison.Ordinal);
            Assert.Contains("does not fit the base checkpoint", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
