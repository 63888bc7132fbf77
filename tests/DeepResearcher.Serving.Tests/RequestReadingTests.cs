using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Serving.Requests;

namespace DeepResearcher.Serving.Tests;

public sealed class RequestReadingTests
{
    private static readonly ServingOptions Limits = new() { MaxTokensCap = 100, MaxChoices = 4 };

    private static JsonObject Body(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static ServingException Refused(string json) => Assert.Throws<ServingException>(() => ChatRequest.Read(Body(json), Limits));

    [Fact]
    public void Messages_tools_and_sampling_fields_are_read_into_the_projects_types()
    {
        ChatRequest request = ChatRequest.Read(Body("""
            {"model": "m", "unknown_field": {"x": 1},
             "messages": [{"role": "developer", "content": "sys"}, {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
                          {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "web_search", "arguments": "{\"query\": [\"q\"]}"}}]},
                          {"role": "tool", "tool_call_id": "c1", "content": "result"}],
             "tools": [{"type": "function", "function": {"name": "web_search", "parameters": {"type": "object"}}}],
             "temperature": 0, "top_p": 0.5, "top_k": -1, "seed": 3, "max_completion_tokens": 7, "stop": "END", "stop_token_ids": [5],
             "n": 2, "logprobs": true, "top_logprobs": 3, "return_token_ids": true, "stream": true, "stream_options": {"include_usage": true}}
            """), Limits);

        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.Tool], request.Messages.Select(m => m.Role));
        Assert.Equal("ab", request.Messages[1].Content);
        Assert.Equal("q", request.Messages[2].ToolCalls![0].Arguments["query"]![0]!.GetValue<string>());
        Assert.True(request.ParseToolCalls);
        Assert.True(request.Stream && request.IncludeUsage);
        SamplingFields s = request.Sampling;
        Assert.Equal((0f, 0.5f, 0, 3, 7, 2, 3), (s.Temperature, s.TopP, s.TopK, s.Seed!.Value, s.MaxTokens!.Value, s.N, s.TopLogProbs));
        Assert.Equal(["END"], s.Stop);
        Assert.Equal([5], s.StopTokenIds);
        Assert.True(s.LogProbs && s.ReturnTokenIds);
    }

    [Fact]
    public void Caps_and_unsupported_fields_are_400s_that_name_the_field()
    {
        const string Messages = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
        Assert.Equal(("max_tokens", 400), Pair(Refused($$"""{"model": "m", {{Messages}}, "max_tokens": 101}""")));
        Assert.Contains("cap of 100", Refused($$"""{"model": "m", {{Messages}}, "max_tokens": 101}""").Message, StringComparison.Ordinal);
        Assert.Equal(("n", 400), Pair(Refused($$"""{"model": "m", {{Messages}}, "n": 5}""")));
        Assert.Equal(("presence_penalty", 400), Pair(Refused($$"""{"model": "m", {{Messages}}, "presence_penalty": 0.5}""")));
        Assert.Equal(("top_logprobs", 400), Pair(Refused($$"""{"model": "m", {{Messages}}, "top_logprobs": 2}""")));
        Assert.Equal(("tool_choice", 400), Pair(Refused($$"""{"model": "m", {{Messages}}, "tool_choice": "required"}""")));
        Assert.Equal(("temperature", 400), Pair(Refused($$"""{"model": "m", {{Messages}}, "temperature": "hot"}""")));
        Assert.Equal(("messages", 400), Pair(Refused("""{"model": "m", "messages": []}""")));
        Assert.Equal(("messages[0].role", 400), Pair(Refused("""{"model": "m", "messages": [{"role": "robot", "content": "x"}]}""")));
        Assert.Equal(("model", 400), Pair(Refused($$"""{ {{Messages}} }""")));
        Assert.Equal(("continue_final_message", 400), Pair(Refused($$"""{"model": "m", {{Messages}}, "continue_final_message": true}""")));
        // Penalties at their defaults are what many clients send: accepted.
        ChatRequest.Read(Body("{\"model\": \"m\", " + Messages + ", \"presence_penalty\": 0, \"frequency_penalty\": 0, \"logit_bias\": {}}"), Limits);
    }

    [Fact]
    public void Completion_prompts_are_text_ids_or_lists_of_them()
    {
        Assert.Equal([1, 2, 3], CompletionRequest.Read(Body("""{"model": "m", "prompt": [1, 2, 3]}"""), Limits).Prompts.Single().TokenIds);
        Assert.Equal("a", CompletionRequest.Read(Body("""{"model": "m", "prompt": "a"}"""), Limits).Prompts.Single().Text);
        var many = CompletionRequest.Read(Body("""{"model": "m", "prompt": [[1], [2, 3]], "logprobs": 2}"""), Limits);
        Assert.Equal(2, many.Prompts.Count);
        Assert.Equal(2, many.Sampling.TopLogProbs);
        var error = Assert.Throws<ServingException>(() => CompletionRequest.Read(Body("""{"model": "m", "prompt": {"x": 1}}"""), Limits));
        Assert.Equal("prompt", error.Param);
    }

    private static (string?, int) Pair(ServingException e) => (e.Param, e.Status);
}
