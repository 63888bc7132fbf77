using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Testing;

namespace DeepResearcher.Server.Tests.Model;

/// <summary>
/// The project's own endpoint clients against <c>serve model</c>: the chat client (<c>research --model-url</c>, <c>eval
/// run --model-url</c>) and the token-level completions client (<c>--checkpoint</c>).
/// </summary>
public sealed class ResearchClientTests(ModelServerFixture fixture) : IClassFixture<ModelServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private OpenAICompletionsModel TokenClient(string model = "tiny") =>
        new(new OpenAIChatModelOptions { BaseUrl = fixture.ApiUrl, Model = model, ApiKey = "unused", MaxRetries = 0 }, new TokenizerView(fixture.Catalog.Models[0].Tokenizer));

    [Fact]
    public async Task The_token_client_samples_what_the_in_process_sampler_samples_with_the_engine_policys_seed()
    {
        BpeTokenizer tokenizer = fixture.Catalog.Models[0].Tokenizer;
        int[] context = tokenizer.Encode(TinyChatCheckpoint.PlainPrompt + "<think>", allowSpecialTokens: true);
        int endOfTurn = tokenizer.TokenToId("<|im_end|>")!.Value;
        await using var sampler = new ContinuousBatchingSampler(TinyChatCheckpoint.LoadModel(), tokenizer);
        foreach (float temperature in new[] { 0f, 1.3f })
        {
            var request = new GenerationRequest
            {
                Messages = [],
                ContextTokenIds = context,
                TrajectoryId = $"trajectory-{temperature}",
                Sampling = new SamplingOptions { Temperature = temperature, MaxTokens = 40, Seed = 11 },
            };

            ModelReply reply = await TokenClient().GenerateAsync(request, Ct);
            SamplingResult direct = await sampler.SubmitAsync(new SamplingRequest(context, new DecodingOptions
            {
                Temperature = temperature,
                MaxNewTokens = 40,
                StopTokenIds = [endOfTurn],
                Seed = TurnSeed.Derive(11, request.TrajectoryId, context.Length),
            }), Ct);

            Assert.Equal(direct.TokenIds, reply.TokenIds);
            Assert.Equal(direct.LogProbs, reply.LogProbs);
            Assert.Equal(tokenizer.Decode(direct.TokenIds), reply.Text);
            Assert.Equal(context.Length, reply.PromptTokens);
            Assert.Equal(direct.TokenIds.Length, reply.CompletionTokens);
            if (temperature == 0)
            {
                // The end-of-turn token comes back as sampled, as the agent needs it for an exact context.
                Assert.Equal("greet</think>\n<answer>Hello there, friend</answer><|im_end|>", reply.Text);
                Assert.Equal(FinishReason.Stop, reply.FinishReason);
            }
        }
    }

    [Fact]
    public async Task The_token_client_reports_the_servers_refusal_with_its_status_and_message()
    {
        var request = new GenerationRequest
        {
            Messages = [],
            ContextTokenIds = [1, 2, 3],
            Sampling = new SamplingOptions { Temperature = 0, MaxTokens = 4 },
        };

        var unknown = await Assert.ThrowsAsync<ChatModelException>(() => TokenClient("nope").GenerateAsync(request, Ct));
        Assert.Contains("answered HTTP 404 for model 'nope'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("The model 'nope' does not exist", unknown.Message, StringComparison.Ordinal);

        var capped = await Assert.ThrowsAsync<ChatModelException>(() => TokenClient().GenerateAsync(request with { Sampling = request.Sampling with { MaxTokens = 65 } }, Ct));
        Assert.Contains("answered HTTP 400", capped.Message, StringComparison.Ordinal);
        Assert.Contains("cap of 64", capped.Message, StringComparison.Ordinal);

        ModelReply after = await TokenClient().GenerateAsync(request, Ct);
        Assert.Equal(4, after.TokenIds!.Length);
        Assert.Equal(FinishReason.Length, after.FinishReason);
    }

    /// <summary>The engine tokenizer as the agent sees it (Training's EngineTokenizer, which this project does not reference).</summary>
    private sealed class TokenizerView(BpeTokenizer tokenizer) : ITextTokenizer
    {
        public int[] Encode(string text) => tokenizer.Encode(text, allowSpecialTokens: true);

        public int[] EncodeUntrusted(string text) => tokenizer.Encode(text, allowSpecialTokens: false);

        public string Decode(ReadOnlySpan<int> ids) => tokenizer.Decode(ids);
    }

    [Fact]
    public async Task The_agents_chat_client_continues_its_think_prefill_and_gets_its_stop_tag_back()
    {
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = fixture.ApiUrl, Model = "tiny", ApiKey = "unused", ContinueFinalMessage = true });

        ModelReply reply = await model.GenerateAsync(new GenerationRequest
        {
            Messages = [ChatMessage.User(TinyChatCheckpoint.PlainQuestion)],
            Prefill = "<think>",
            Sampling = new SamplingOptions { Temperature = 0, MaxTokens = 64, StopSequences = ["</tool_call>", "</answer>"] },
        }, Ct);

        Assert.Equal("greet</think>\n<answer>Hello there, friend</answer>", reply.Text);
        Assert.Equal(FinishReason.Stop, reply.FinishReason);
        Assert.True(reply.PromptTokens > 0 && reply.CompletionTokens > 0);
    }
}
