using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Serving.Generation;
using DeepResearcher.Serving.Wire;
using DeepResearcher.Testing;

namespace DeepResearcher.Serving.Tests;

public sealed class CompletionServiceTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Chat(string question, bool tools = false, string extra = "")
    {
        string toolsJson = tools ? $", \"tools\": [{{\"type\": \"function\", \"function\": {TinyChatCheckpoint.SearchTool.ToOpenAIFunction()["function"]!.ToJsonString()}}}]" : string.Empty;
        return (JsonObject)JsonNode.Parse($$"""{"model": "tiny", "messages": [{"role": "user", "content": {{JsonValue.Create(question).ToJsonString()}}}], "temperature": 0{{toolsJson}}{{extra}}}""")!;
    }

    private async Task<ChatCompletion> CompleteAsync(JsonObject body)
    {
        await using ChatCompletionJob job = fixture.Service.StartChat(body);
        return await job.CompleteAsync(Ct);
    }

    [Fact]
    public async Task Greedy_output_equals_the_in_process_sampler_token_for_token()
    {
        ChatCompletion reply = await CompleteAsync(Chat(TinyChatCheckpoint.PlainQuestion, extra: ", \"return_token_ids\": true, \"logprobs\": true"));

        int[] prompt = fixture.Model.Tokenizer.Encode(TinyChatCheckpoint.PlainPrompt);
        int end = fixture.Model.EndOfTurnId!.Value;
        await using var sampler = new ContinuousBatchingSampler(TinyChatCheckpoint.LoadModel(), fixture.Model.Tokenizer);
        SamplingResult direct = await sampler.SubmitAsync(new SamplingRequest(prompt, new DecodingOptions { Temperature = 0, MaxNewTokens = 64, StopTokenIds = [end] }), Ct);

        Assert.Equal(prompt, reply.PromptTokenIds);
        ChatChoice choice = Assert.Single(reply.Choices);
        Assert.Equal(direct.TokenIds, choice.TokenIds);
        Assert.Equal(direct.LogProbs, choice.Logprobs!.Content.Select(t => t.Logprob));
        Assert.Equal(TinyChatCheckpoint.PlainReply, choice.Message.Content);
        Assert.Equal("stop", choice.FinishReason);
        Assert.Equal(new Usage(prompt.Length, direct.TokenIds.Length), reply.Usage);
    }

    [Fact]
    public async Task With_tools_the_hermes_call_is_a_tool_call_and_the_think_block_reasoning()
    {
        ChatCompletion reply = await CompleteAsync(Chat(TinyChatCheckpoint.ToolQuestion, tools: true));

        ChatChoice choice = Assert.Single(reply.Choices);
        Assert.Equal("tool_calls", choice.FinishReason);
        Assert.Null(choice.Message.Content);
        Assert.Equal("I should search.", choice.Message.ReasoningContent);
        ToolCallOut call = Assert.Single(choice.Message.ToolCalls!);
        Assert.Equal("web_search", call.Function.Name);
        Assert.Equal("{\"query\":[\"capital of Freedonia\"]}", call.Function.Arguments);
        Assert.StartsWith("call_", call.Id, StringComparison.Ordinal);

        // tool_choice none: the same reply as the model wrote it.
        ChatCompletion raw = await CompleteAsync(Chat(TinyChatCheckpoint.ToolQuestion, tools: true, extra: ", \"tool_choice\": \"none\""));
        Assert.Equal(TinyChatCheckpoint.ToolReply, raw.Choices[0].Message.Content);
    }

    [Fact]
    public async Task A_streamed_reply_concatenates_to_the_whole_one()
    {
        foreach (bool tools in new[] { false, true })
        {
            JsonObject body = Chat(tools ? TinyChatCheckpoint.ToolQuestion : TinyChatCheckpoint.PlainQuestion, tools, ", \"stream\": true, \"stream_options\": {\"include_usage\": true}, \"stop\": [\"friend\"]");
            ChatCompletion whole = await CompleteAsync((JsonObject)body.DeepClone());
            var content = new StringBuilder();
            var reasoning = new StringBuilder();
            var calls = new List<ToolCallOut>();
            Usage? usage = null;
            string? finish = null;
            await using (ChatCompletionJob job = fixture.Service.StartChat(body))
            {
                await foreach (ChatCompletionChunk chunk in job.StreamAsync(Ct))
                {
                    usage ??= chunk.Usage;
                    foreach (ChunkChoice c in chunk.Choices)
                    {
                        content.Append(c.Delta.Content);
                        reasoning.Append(c.Delta.ReasoningContent);
                        calls.AddRange(c.Delta.ToolCalls ?? []);
                        finish ??= c.FinishReason;
                    }
                }
            }

            Assert.Equal(whole.Choices[0].Message.Content ?? string.Empty, content.ToString());
            Assert.Equal(whole.Choices[0].Message.ReasoningContent ?? string.Empty, reasoning.ToString());
            Assert.Equal(whole.Choices[0].Message.ToolCalls?.Select(c => c.Function) ?? [], calls.Select(c => c.Function));
            Assert.Equal(whole.Choices[0].FinishReason, finish);
            Assert.Equal(whole.Usage, usage);
        }
    }

    [Fact]
    public async Task A_stop_string_ends_the_text_before_it_and_is_the_stop_reason()
    {
        ChatCompletion reply = await CompleteAsync(Chat(TinyChatCheckpoint.PlainQuestion, extra: ", \"stop\": [\"there\"]"));
        Assert.Equal("<think>greet</think>\n<answer>Hello ", reply.Choices[0].Message.Content);
        Assert.Equal("stop", reply.Choices[0].FinishReason);
        Assert.Equal("there", reply.Choices[0].StopReason);

        ChatCompletion kept = await CompleteAsync(Chat(TinyChatCheckpoint.PlainQuestion, extra: ", \"stop\": [\"there\"], \"include_stop_str_in_output\": true"));
        Assert.Equal("<think>greet</think>\n<answer>Hello there", kept.Choices[0].Message.Content);
    }

    [Fact]
    public async Task Top_logprobs_list_the_most_likely_tokens_first_and_the_greedy_pick_is_the_first()
    {
        ChatCompletion reply = await CompleteAsync(Chat(TinyChatCheckpoint.PlainQuestion, extra: ", \"logprobs\": true, \"top_logprobs\": 3, \"max_tokens\": 5"));

        ChatChoice choice = reply.Choices[0];
        Assert.Equal("length", choice.FinishReason);
        Assert.Equal(5, choice.Logprobs!.Content.Count);
        foreach (TokenLogProbOut token in choice.Logprobs.Content)
        {
            Assert.Equal(3, token.TopLogprobs.Count);
            Assert.Equal(token.Token, token.TopLogprobs[0].Token);
            Assert.Equal(token.Logprob, token.TopLogprobs[0].Logprob);
            Assert.True(token.TopLogprobs[0].Logprob >= token.TopLogprobs[1].Logprob && token.TopLogprobs[1].Logprob >= token.TopLogprobs[2].Logprob);
            Assert.Equal(Encoding.UTF8.GetBytes(token.Token).Select(b => (int)b), token.Bytes);
        }
    }

    [Fact]
    public async Task Seeded_choices_differ_from_each_other_and_repeat_across_requests()
    {
        const string Extra = ", \"temperature\": 1.5, \"seed\": 11, \"n\": 3, \"max_tokens\": 12, \"return_token_ids\": true";
        JsonObject body = Chat(TinyChatCheckpoint.PlainQuestion);
        body.Remove("temperature");
        foreach ((string key, JsonNode? value) in (JsonObject)JsonNode.Parse("{" + Extra[1..] + "}")!)
        {
            body[key] = value?.DeepClone();
        }
        ChatCompletion first = await CompleteAsync((JsonObject)body.DeepClone());
        ChatCompletion second = await CompleteAsync(body);

        Assert.Equal(3, first.Choices.Count);
        Assert.Equal(first.Choices.Select(c => c.TokenIds), second.Choices.Select(c => c.TokenIds));
        Assert.True(first.Choices.Select(c => string.Join(",", c.TokenIds!)).Distinct().Count() > 1);
    }

    [Fact]
    public async Task Continue_final_message_goes_on_from_the_assistants_text()
    {
        JsonObject body = (JsonObject)JsonNode.Parse($$"""
            {"model": "tiny", "temperature": 0, "continue_final_message": true, "add_generation_prompt": false, "return_token_ids": true,
             "messages": [{"role": "user", "content": "{{TinyChatCheckpoint.PlainQuestion}}"}, {"role": "assistant", "content": "<think>greet</think>\n<answer>Hello"}]}
            """)!;
        ChatCompletion reply = await CompleteAsync(body);

        Assert.Equal(fixture.Model.Tokenizer.Encode(TinyChatCheckpoint.PlainPrompt + "<think>greet</think>\n<answer>Hello"), reply.PromptTokenIds);
        Assert.Equal(" there, friend</answer>", reply.Choices[0].Message.Content);
    }

    [Fact]
    public async Task Text_completions_take_token_ids_and_echo_the_prompt()
    {
        int[] prompt = fixture.Model.Tokenizer.Encode(TinyChatCheckpoint.PlainPrompt);
        JsonObject body = new()
        {
            ["model"] = "tiny",
            ["prompt"] = new JsonArray([.. prompt.Select(id => (JsonNode)id)]),
            ["temperature"] = 0,
            ["echo"] = true,
            ["return_token_ids"] = true,
        };
        await using TextCompletionJob job = fixture.Service.StartCompletion(body);
        TextCompletion reply = await job.CompleteAsync(Ct);

        TextChoice choice = Assert.Single(reply.Choices);
        Assert.Equal(TinyChatCheckpoint.PlainPrompt + TinyChatCheckpoint.PlainReply, choice.Text);
        Assert.Equal(prompt, choice.PromptTokenIds);
        Assert.Equal(fixture.Model.EndOfTurnId, choice.TokenIds![^1]);
        Assert.Equal(prompt.Length, reply.Usage!.PromptTokens);
    }

    [Fact]
    public async Task Context_overflow_and_the_concurrency_limit_are_refused_before_generating()
    {
        var overflow = Assert.Throws<ServingException>(() => fixture.Service.StartChat(Chat(string.Concat(Enumerable.Repeat("hello world ", 600)))));
        Assert.Equal((400, "context_length_exceeded"), (overflow.Status, overflow.Code));
        Assert.Contains("maximum context length is 1024 tokens", overflow.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<ServingException>(() => fixture.Service.StartChat((JsonObject)JsonNode.Parse("""{"model": "nope", "messages": [{"role": "user", "content": "x"}]}""")!));
        Assert.Equal((404, "model_not_found"), (unknown.Status, unknown.Code));
        Assert.Contains("'tiny'", unknown.Message, StringComparison.Ordinal);

        await using ChatCompletionJob held = fixture.Service.StartChat(Chat(TinyChatCheckpoint.PlainQuestion, extra: ", \"n\": 4, \"ignore_eos\": true"));
        var busy = Assert.Throws<ServingException>(() => fixture.Service.StartChat(Chat(TinyChatCheckpoint.PlainQuestion)));
        Assert.Equal(429, busy.Status);
        Assert.Equal(1, busy.RetryAfterSeconds);
        await held.DisposeAsync();
        Assert.Equal(0, fixture.Service.Running);
        await using ChatCompletionJob after = fixture.Service.StartChat(Chat(TinyChatCheckpoint.PlainQuestion));
    }
}
