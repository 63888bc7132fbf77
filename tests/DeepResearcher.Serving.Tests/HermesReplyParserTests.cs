using DeepResearcher.Serving.Parsing;

namespace DeepResearcher.Serving.Tests;

public sealed class HermesReplyParserTests
{
    private static (string Content, string Reasoning, IReadOnlyList<ParsedToolCall> Calls) Parse(IEnumerable<string> pieces)
    {
        var parser = new HermesReplyParser();
        var parts = new List<ReplyPart>();
        foreach (string piece in pieces)
        {
            parser.Feed(piece, parts);
        }
        parser.Finish(parts);
        return (string.Concat(parts.Where(p => !p.IsReasoning).Select(p => p.Text)), string.Concat(parts.Where(p => p.IsReasoning).Select(p => p.Text)), parser.ToolCalls);
    }

    [Fact]
    public void A_hermes_tool_call_becomes_a_call_and_the_think_block_reasoning()
    {
        var (content, reasoning, calls) = Parse(["<think>I should search.</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"x y\"]}}\n</tool_call>"]);

        Assert.Equal("I should search.", reasoning);
        Assert.Equal(string.Empty, content);
        ParsedToolCall call = Assert.Single(calls);
        Assert.Equal("web_search", call.Name);
        Assert.Equal("{\"query\":[\"x y\"]}", call.Arguments);
    }

    [Fact]
    public void Text_around_the_tags_is_content_and_two_calls_are_two_calls()
    {
        var (content, _, calls) = Parse(["Let me look. <tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call><tool_call>{\"name\": \"b\", \"arguments\": \"{\\\"k\\\": 1}\"}</tool_call>"]);

        Assert.Equal("Let me look. ", content);
        Assert.Equal(["a", "b"], calls.Select(c => c.Name));
        Assert.Equal("{\"k\": 1}", calls[1].Arguments);
    }

    [Fact]
    public void A_call_that_is_not_json_stays_content_as_written()
    {
        const string Text = "<tool_call>{not json}</tool_call>";
        var (content, _, calls) = Parse([Text]);

        Assert.Empty(calls);
        Assert.Equal(Text, content);
    }

    [Fact]
    public void An_unclosed_call_and_plain_answers_are_content()
    {
        Assert.Equal("<tool_call>{\"name\": \"a\"", Parse(["<tool_call>{\"name\": \"a\""]).Content);
        Assert.Equal("<answer>Paris</answer>", Parse(["<think>hm</think>\n<answer>Paris</answer>"]).Content[1..]);
    }

    [Theory]
    [InlineData("<think>I should search.</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"x\"]}}\n</tool_call>")]
    [InlineData("<think>a < b and <thin</think>\n\n<answer>x <tool</answer> <tool_call>{bad}</tool_call> tail <")]
    [InlineData("plain text with a < sign and </think> stray")]
    public void Streamed_one_character_at_a_time_the_parts_equal_the_whole(string text)
    {
        var whole = Parse([text]);
        var streamed = Parse(text.Select(c => c.ToString()));

        Assert.Equal(whole.Content, streamed.Content);
        Assert.Equal(whole.Reasoning, streamed.Reasoning);
        Assert.Equal(whole.Calls, streamed.Calls);
    }
}
