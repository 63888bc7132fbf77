using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Testing;

namespace DeepResearcher.Server.Tests.Model;

/// <summary>The project's own endpoint client (what <c>research --model-url</c> and <c>eval run</c> use) against <c>serve model</c>.</summary>
public sealed class ResearchClientTests(ModelServerFixture fixture) : IClassFixture<ModelServerFixture>
{
    [Fact]
    public async Task The_agents_chat_client_continues_its_think_prefill_and_gets_its_stop_tag_back()
    {
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = fixture.ApiUrl, Model = "tiny", ApiKey = "unused", ContinueFinalMessage = true });

        ModelReply reply = await model.GenerateAsync(new GenerationRequest
        {
            Messages = [ChatMessage.User(TinyChatCheckpoint.PlainQuestion)],
            Prefill = "<think>",
            Sampling = new SamplingOptions { Temperature = 0, MaxTokens = 64, StopSequences = ["</tool_call>", "</answer>"] },
        }, TestContext.Current.CancellationToken);

        Assert.Equal("greet</think>\n<answer>Hello there, friend</answer>", reply.Text);
        Assert.Equal(FinishReason.Stop, reply.FinishReason);
        Assert.True(reply.PromptTokens > 0 && reply.CompletionTokens > 0);
    }
}
