using System.Diagnostics;
using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Observability;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Testing;

namespace DeepResearcher.Core.Tests.Agent;

/// <summary>The agent's spans: one per trajectory, a turn under it per turn, the model and tool calls under their turn.</summary>
public class ResearchAgentTracingTests
{
    private const string Url = "https://wiki.example/Freedonia";
    private const string SearchTurn = "<think>I need to search.</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"capital of Freedonia\"]}}\n</tool_call>";
    private const string AnswerTurn = "<think>Found it.</think>\n<answer>Fredville</answer>";

    [Fact]
    public async Task A_trajectory_is_a_span_with_its_turns_model_calls_and_tool_calls_under_it()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.EnqueueText(SearchTurn, AnswerTurn);
        var toolbox = new ScriptedToolbox();
        toolbox.SearchResults["capital of Freedonia"] = [new SearchHit("Freedonia", Url, "Its capital …")];
        var agent = new ResearchAgent(new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "scripted", Timeout = TimeSpan.FromSeconds(10) }), toolbox);
        using var recorder = new ActivityRecorder(ResearchTracing.SourceName);

        Trajectory trajectory = await agent.RunAsync("What is the capital of Freedonia?", TestContext.Current.CancellationToken, questionId: "q1", trajectoryId: "traj-42");

        Activity research = Assert.Single(recorder.Named("research"));
        Assert.Equal(recorder.Root.SpanId, research.ParentSpanId);
        Assert.Equal("traj-42", research.GetTagItem(ResearchTracing.TrajectoryIdTag));
        Assert.Equal("q1", research.GetTagItem(ResearchTracing.QuestionIdTag));
        Assert.Equal("answered", research.GetTagItem(ResearchTracing.TerminationTag));
        Assert.Equal(2, research.GetTagItem("deepresearcher.turns"));
        Assert.Equal(research.TraceId.ToHexString(), trajectory.Tags[ResearchTracing.TraceIdKey]);

        IReadOnlyList<Activity> turns = recorder.Named("research.turn");
        Assert.Equal([1, 2], turns.Select(t => (int)t.GetTagItem(ResearchTracing.TurnTag)!));
        Assert.All(turns, t => Assert.Equal(research.SpanId, t.ParentSpanId));
        Assert.All(turns, t => Assert.Equal("traj-42", t.GetTagItem(ResearchTracing.TrajectoryIdTag)));
        Assert.Equal(["toolcall", "answer"], turns.Select(t => (string)t.GetTagItem(ResearchTracing.ActionTag)!));

        IReadOnlyList<Activity> generations = recorder.Named("research.generate");
        Assert.Equal(turns.Select(t => t.SpanId), generations.Select(g => g.ParentSpanId));
        Activity tool = Assert.Single(recorder.Named("research.tool_call"));
        Assert.Equal(turns[0].SpanId, tool.ParentSpanId);
        Assert.Equal("web_search", tool.GetTagItem(ResearchTracing.ToolTag));
        Assert.Equal("traj-42", tool.GetTagItem(ResearchTracing.TrajectoryIdTag));
        Assert.Equal(ActivityStatusCode.Unset, tool.Status);
    }

    [Fact]
    public async Task A_failed_tool_call_marks_its_span_as_an_error_and_without_a_listener_nothing_is_recorded()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.EnqueueText(SearchTurn, AnswerTurn, SearchTurn, AnswerTurn);
        var toolbox = new ScriptedToolbox { Override = (_, _) => Task.FromResult(ToolResult.Failure("search provider down")) };
        var agent = new ResearchAgent(new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "scripted", Timeout = TimeSpan.FromSeconds(10) }), toolbox);

        Trajectory untraced = await agent.RunAsync("q", TestContext.Current.CancellationToken);
        Assert.False(untraced.Tags.ContainsKey(ResearchTracing.TraceIdKey));

        using var recorder = new ActivityRecorder(ResearchTracing.SourceName);
        await agent.RunAsync("q", TestContext.Current.CancellationToken);

        Activity tool = Assert.Single(recorder.Named("research.tool_call"));
        Assert.Equal(ActivityStatusCode.Error, tool.Status);
        Assert.Equal("search provider down", tool.StatusDescription);
    }
}
