using System.ClientModel;
using System.Text;
using DeepResearcher.Testing;
using OpenAI;
using OpenAI.Chat;

namespace DeepResearcher.Server.Tests.Model;

/// <summary>The model server driven by the official OpenAI .NET SDK, as users' clients drive it.</summary>
public sealed class ModelServerSdkTests(ModelServerFixture fixture) : IClassFixture<ModelServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ChatClient Client(string model = "tiny") => new(model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = fixture.ApiUrl });

    private static ChatTool SearchTool => ChatTool.CreateFunctionTool("web_search", "Search the web.",
        BinaryData.FromString(TinyChatCheckpoint.SearchTool.Parameters.ToJsonString()));

    [Fact]
    public async Task Chat_answers_with_the_models_greedy_reply_and_usage()
    {
        ChatCompletion reply = (await Client().CompleteChatAsync([new UserChatMessage(TinyChatCheckpoint.PlainQuestion)], new ChatCompletionOptions { Temperature = 0 }, Ct)).Value;

        Assert.Equal(TinyChatCheckpoint.PlainReply, reply.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, reply.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, reply.Role);
        Assert.True(reply.Usage.InputTokenCount > 10);
        Assert.Equal(reply.Usage.InputTokenCount + reply.Usage.OutputTokenCount, reply.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task A_streamed_chat_concatenates_to_the_whole_reply()
    {
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (StreamingChatCompletionUpdate update in Client().CompleteChatStreamingAsync([new UserChatMessage(TinyChatCheckpoint.PlainQuestion)], new ChatCompletionOptions { Temperature = 0 }, Ct))
        {
            foreach (ChatMessageContentPart part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal(TinyChatCheckpoint.PlainReply, text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
    }

    [Fact]
    public async Task Tools_come_back_as_tool_calls_whole_and_streamed()
    {
        var options = new ChatCompletionOptions { Temperature = 0, Tools = { SearchTool } };
        ChatCompletion reply = (await Client().CompleteChatAsync([new UserChatMessage(TinyChatCheckpoint.ToolQuestion)], options, Ct)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, reply.FinishReason);
        ChatToolCall call = Assert.Single(reply.ToolCalls);
        Assert.Equal("web_search", call.FunctionName);
        Assert.Equal("{\"query\":[\"capital of Freedonia\"]}", call.FunctionArguments.ToString());

        var streamedArguments = new StringBuilder();
        string? name = null;
        ChatFinishReason? finish = null;
        await foreach (StreamingChatCompletionUpdate update in Client().CompleteChatStreamingAsync([new UserChatMessage(TinyChatCheckpoint.ToolQuestion)], options, Ct))
        {
            foreach (StreamingChatToolCallUpdate tool in update.ToolCallUpdates)
            {
                name ??= tool.FunctionName;
                streamedArguments.Append(tool.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("web_search", name);
        Assert.Equal(call.FunctionArguments.ToString(), streamedArguments.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);

        // A tool result in the conversation renders and generates.
        ChatCompletion next = (await Client().CompleteChatAsync(
            [new UserChatMessage(TinyChatCheckpoint.ToolQuestion), new AssistantChatMessage(reply), new ToolChatMessage(call.Id, "Fredville is the capital.")],
            new ChatCompletionOptions { Temperature = 0, Tools = { SearchTool }, MaxOutputTokenCount = 4 }, Ct)).Value;
        Assert.True(next.Usage.InputTokenCount > reply.Usage.InputTokenCount);
    }

    [Fact]
    public async Task Logprobs_and_stop_sequences_are_honoured()
    {
        var options = new ChatCompletionOptions { Temperature = 0, IncludeLogProbabilities = true, TopLogProbabilityCount = 2, StopSequences = { "there" } };
        ChatCompletion reply = (await Client().CompleteChatAsync([new UserChatMessage(TinyChatCheckpoint.PlainQuestion)], options, Ct)).Value;

        Assert.Equal("<think>greet</think>\n<answer>Hello ", reply.Content[0].Text);
        Assert.NotEmpty(reply.ContentTokenLogProbabilities);
        Assert.All(reply.ContentTokenLogProbabilities, t =>
        {
            Assert.Equal(2, t.TopLogProbabilities.Count);
            Assert.Equal(t.Token, t.TopLogProbabilities[0].Token);
            Assert.True(t.LogProbability <= 0);
        });
    }

    [Fact]
    public async Task An_adapter_is_its_own_model()
    {
        ChatCompletion reply = (await Client("tiny-lora").CompleteChatAsync([new UserChatMessage(TinyChatCheckpoint.PlainQuestion)], new ChatCompletionOptions { Temperature = 0 }, Ct)).Value;

        Assert.Equal("tiny-lora", reply.Model);
        Assert.Equal(TinyChatCheckpoint.PlainReply, reply.Content[0].Text);
    }

    [Fact]
    public async Task Errors_reach_the_sdk_with_their_status_and_the_server_stays_up()
    {
        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => Client("nope").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Ct));
        Assert.Equal(404, unknown.Status);
        Assert.Contains("The model 'nope' does not exist", unknown.Message, StringComparison.Ordinal);

        var cap = await Assert.ThrowsAsync<ClientResultException>(() => Client().CompleteChatAsync([new UserChatMessage("x")], new ChatCompletionOptions { MaxOutputTokenCount = 65 }, Ct));
        Assert.Equal(400, cap.Status);
        Assert.Contains("cap of 64", cap.Message, StringComparison.Ordinal);

        var overflow = await Assert.ThrowsAsync<ClientResultException>(() => Client().CompleteChatAsync([new UserChatMessage(string.Concat(Enumerable.Repeat("hello world ", 600)))], cancellationToken: Ct));
        Assert.Equal(400, overflow.Status);
        Assert.Contains("maximum context length", overflow.Message, StringComparison.Ordinal);

        ChatCompletion after = (await Client().CompleteChatAsync([new UserChatMessage(TinyChatCheckpoint.PlainQuestion)], new ChatCompletionOptions { Temperature = 0 }, Ct)).Value;
        Assert.Equal(TinyChatCheckpoint.PlainReply, after.Content[0].Text);
    }
}
