using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Baselines;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Testing;

namespace DeepResearcher.Evaluation.Tests;

public class CotBaselineTests
{
    private static readonly QaExample Example = new("q1", "nq", "What is the capital of France?", ["Paris"]);

    [Fact]
    public async Task CoT_asks_once_without_tools_and_takes_the_answer_tag()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText("<think>France's capital is well known.</think>\n<answer>Paris</answer>");
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "m", ApiKey = "k", MaxRetries = 0 });

        Trajectory t = await new CotBaseline(model, BaselineKind.Cot).RunAsync(Example, 0, "q1", ct);

        Assert.Equal(TerminationReason.Answered, t.Termination);
        Assert.Equal("Paris", t.FinalAnswer);
        Assert.Equal("France's capital is well known.", Assert.Single(t.Turns).Think);
        string prompt = server.Requests.Single()["messages"]![1]!["content"]!.GetValue<string>();
        Assert.Equal("Question: What is the capital of France?", prompt);
    }

    [Fact]
    public async Task CoT_RAG_searches_once_with_the_question_and_puts_the_top_results_in_the_prompt()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText("<think>The results say Paris.</think><answer>Paris");
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "m", ApiKey = "k", MaxRetries = 0 });
        var toolbox = new ScriptedToolbox();
        toolbox.SearchResults[Example.Question] = [.. Enumerable.Range(1, 8).Select(i => new SearchHit($"Result {i}", $"https://example.org/{i}", i == 1 ? "Paris is the capital of France." : $"snippet {i}"))];

        Trajectory t = await new CotBaseline(model, BaselineKind.CotRag, toolbox, topResults: 3).RunAsync(Example, 0, "q1", ct);

        Assert.Equal("Paris", t.FinalAnswer);
        Assert.Equal([TurnAction.ToolCall, TurnAction.Answer], t.Turns.Select(x => x.Action));
        Assert.Equal([Example.Question], Assert.Single(toolbox.Calls).Queries);
        string prompt = server.Requests.Single()["messages"]![1]!["content"]!.GetValue<string>();
        Assert.Contains("Paris is the capital of France.", prompt, StringComparison.Ordinal);
        Assert.Contains("https://example.org/3", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("https://example.org/4", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_without_an_answer_tag_is_a_protocol_error()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText("I believe it is Paris.");
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "m", ApiKey = "k", MaxRetries = 0 });

        Trajectory t = await new CotBaseline(model, BaselineKind.Cot).RunAsync(Example, 0, "q1", ct);

        Assert.Equal(TerminationReason.ProtocolError, t.Termination);
        Assert.Null(t.FinalAnswer);
    }
}
