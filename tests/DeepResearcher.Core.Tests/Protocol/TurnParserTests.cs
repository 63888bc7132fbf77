using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Parsing;

namespace DeepResearcher.Core.Tests.Protocol;

public class TurnParserTests
{
    private static readonly TurnParser Parser = new();

    [Theory]
    [InlineData("", ProtocolErrorKind.EmptyTurn)]
    [InlineData("   \n ", ProtocolErrorKind.EmptyTurn)]
    [InlineData("I think the answer is Paris.", ProtocolErrorKind.MissingThink)]
    [InlineData("<answer>Paris</answer>", ProtocolErrorKind.MissingThink)]
    [InlineData("Sure! <think>plan</think><answer>Paris</answer>", ProtocolErrorKind.TextBeforeThink)]
    [InlineData("<think>I should search", ProtocolErrorKind.UnclosedThink)]
    [InlineData("<think>plan</think>", ProtocolErrorKind.NoAction)]
    [InlineData("<think>plan</think>\nThe answer is Paris.", ProtocolErrorKind.NoAction)]
    [InlineData("<think>plan</think>Paris</answer>", ProtocolErrorKind.StrayClosingTag)]
    [InlineData("<think>plan</think>{\"name\": \"web_search\"}</tool_call>", ProtocolErrorKind.StrayClosingTag)]
    [InlineData("<think>plan</think><answer>Paris", ProtocolErrorKind.UnclosedAnswer)]
    [InlineData("<think>plan</think><answer>  </answer>", ProtocolErrorKind.EmptyAnswer)]
    [InlineData("<think>plan</think><answer>Paris</answer><answer>Lyon</answer>", ProtocolErrorKind.MultipleActions)]
    [InlineData("<think>plan</think><answer>Paris</answer>\n<tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [\"x\"]}}</tool_call>", ProtocolErrorKind.MultipleActions)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [\"x\"]}}", ProtocolErrorKind.UnclosedToolCall)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [\"x\"]}}</tool_call><tool_call>{}</tool_call>", ProtocolErrorKind.MultipleActions)]
    [InlineData("<think>plan</think><tool_call>{name: web_search}</tool_call>", ProtocolErrorKind.InvalidToolCallJson)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [\"x\"]}</tool_call>", ProtocolErrorKind.InvalidToolCallJson)]
    [InlineData("<think>plan</think><tool_call></tool_call>", ProtocolErrorKind.InvalidToolCallJson)]
    [InlineData("<think>plan</think><tool_call>[\"web_search\"]</tool_call>", ProtocolErrorKind.ToolCallNotObject)]
    [InlineData("<think>plan</think><tool_call>\"web_search\"</tool_call>", ProtocolErrorKind.ToolCallNotObject)]
    [InlineData("<think>plan</think><tool_call>{\"arguments\": {\"query\": [\"x\"]}}</tool_call>", ProtocolErrorKind.MissingToolName)]
    [InlineData("<think>plan</think><tool_call>{\"name\": 7, \"arguments\": {}}</tool_call>", ProtocolErrorKind.MissingToolName)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"python\", \"arguments\": {\"code\": \"1+1\"}}</tool_call>", ProtocolErrorKind.UnknownTool)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\"}</tool_call>", ProtocolErrorKind.MissingArguments)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": \"{\\\"query\\\": [\\\"x\\\"]}\"}</tool_call>", ProtocolErrorKind.ArgumentsNotObject)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": {}}</tool_call>", ProtocolErrorKind.MissingArgument)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"queries\": [\"x\"]}}</tool_call>", ProtocolErrorKind.MissingArgument)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": \"capital of France\"}}</tool_call>", ProtocolErrorKind.WrongArgumentType)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [\"a\", 3]}}</tool_call>", ProtocolErrorKind.WrongArgumentType)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": []}}</tool_call>", ProtocolErrorKind.EmptyQueryList)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [\"  \", \"\"]}}</tool_call>", ProtocolErrorKind.EmptyQueryList)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"browse_webpage\", \"arguments\": {\"url_list\": []}}</tool_call>", ProtocolErrorKind.EmptyUrlList)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"browse_webpage\", \"arguments\": {\"url_list\": \"https://a.example\"}}</tool_call>", ProtocolErrorKind.WrongArgumentType)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"browse_webpage\", \"arguments\": {\"urls\": [\"https://a.example\"]}}</tool_call>", ProtocolErrorKind.MissingArgument)]
    [InlineData("<think>plan</think><tool_call>{\"name\": \"browse_webpage\", \"arguments\": {\"url_list\": [null]}}</tool_call>", ProtocolErrorKind.WrongArgumentType)]
    public void Rejects_malformed_turns_with_the_rule_that_was_broken(string turn, ProtocolErrorKind expected)
    {
        ParsedTurn parsed = Parser.Parse(turn);

        MalformedTurn malformed = Assert.IsType<MalformedTurn>(parsed);
        Assert.Equal(expected, malformed.Error.Kind);
        Assert.False(string.IsNullOrWhiteSpace(malformed.Error.Message));
    }

    [Theory]
    [InlineData("<think>I know this.</think>\n<answer>Paris</answer>", "I know this.", "Paris")]
    [InlineData("<think>\nplan\n</think>\n<answer>\nyes\n</answer>", "plan", "yes")]
    [InlineData("  <think>x</think><answer>1921</answer>  trailing words", "x", "1921")]
    [InlineData("<think>x</think> Final: <answer>Marie Curie</answer>", "x", "Marie Curie")]
    [InlineData("<think>the page said <b>bold</b></think><answer>Ünïcödé — “quoted”</answer>", "the page said <b>bold</b>", "Ünïcödé — “quoted”")]
    public void Parses_answers(string turn, string think, string answer)
    {
        AnswerTurn parsed = Assert.IsType<AnswerTurn>(Parser.Parse(turn));

        Assert.Equal(think, parsed.Think);
        Assert.Equal(answer, parsed.Answer);
    }

    [Fact]
    public void Parses_a_search_call_and_keeps_only_the_first_three_distinct_queries()
    {
        const string turn = "<think>search</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"a\", \" a \", \"b\", \"c\", \"d\", \"e\"]}}\n</tool_call>";

        ToolCallTurn parsed = Assert.IsType<ToolCallTurn>(Parser.Parse(turn));

        Assert.Equal(ResearchTools.WebSearchName, parsed.Call.Name);
        Assert.Equal(["a", "b", "c"], parsed.Call.Queries);
        Assert.Equal(2, parsed.Call.DroppedQueries);
    }

    [Fact]
    public void The_query_limit_is_configurable()
    {
        var parser = new TurnParser(new TurnParserOptions { MaxQueriesPerSearch = 1 });

        ToolCallTurn parsed = Assert.IsType<ToolCallTurn>(parser.Parse(
            "<think>s</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [\"a\", \"b\"]}}</tool_call>"));

        Assert.Equal(["a"], parsed.Call.Queries);
        Assert.Equal(1, parsed.Call.DroppedQueries);
    }

    [Fact]
    public void Parses_a_browse_call_with_deduplicated_urls()
    {
        const string turn = "<think>read</think><tool_call>{\"name\": \"browse_webpage\", \"arguments\": {\"url_list\": [\"https://a.example/x\", \"https://b.example\", \"https://a.example/x\"]}}</tool_call>";

        ToolCallTurn parsed = Assert.IsType<ToolCallTurn>(Parser.Parse(turn));

        Assert.Equal(ResearchTools.BrowseWebpageName, parsed.Call.Name);
        Assert.Equal(["https://a.example/x", "https://b.example"], parsed.Call.Urls);
    }

    [Fact]
    public void Keeps_the_arguments_as_written_and_ignores_unknown_top_level_keys()
    {
        const string turn = "<think>s</think><tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [\"q\"], \"top_k\": 5}, \"id\": \"call_1\"}</tool_call>";

        ToolCallTurn parsed = Assert.IsType<ToolCallTurn>(Parser.Parse(turn));

        Assert.Equal(5, parsed.Call.Arguments["top_k"]!.GetValue<int>());
    }

    [Fact]
    public void A_search_only_parser_rejects_browsing()
    {
        var parser = new TurnParser(new TurnParserOptions { KnownTools = [ResearchTools.WebSearchName] });

        MalformedTurn parsed = Assert.IsType<MalformedTurn>(parser.Parse(
            "<think>r</think><tool_call>{\"name\": \"browse_webpage\", \"arguments\": {\"url_list\": [\"https://a.example\"]}}</tool_call>"));

        Assert.Equal(ProtocolErrorKind.UnknownTool, parsed.Error.Kind);
        Assert.Contains("web_search", parsed.Error.Message, StringComparison.Ordinal);
    }
}
