using DeepResearcher.ChatModels;
using DeepResearcher.Evaluation.Judging;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Testing;

namespace DeepResearcher.Evaluation.Tests;

public class MbeJudgeTests
{
    private const string Correct = "Reasoning first. {\"rationale\": \"NYC is New York\", \"judgement\": \"correct\"}";
    private const string Incorrect = "{\"rationale\": \"red is not blue\", \"judgement\": \"incorrect\"}";

    private static OpenAIChatModel Client(ScriptedOpenAIServer server)
        => new(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "judge-mini", ApiKey = "test", MaxRetries = 0, Timeout = TimeSpan.FromSeconds(10) });

    [Theory]
    [InlineData("{\"rationale\": \"same\", \"judgement\": \"correct\"}", true)]
    [InlineData("Let me think.\n```json\n{\"rationale\": \"differs\", \"judgement\": \"Incorrect\"}\n```", false)]
    [InlineData("{\n  \"rationale\": \"spans lines\",\n  \"judgement\": \" correct \"\n}", true)]
    public void Parses_the_verdict_from_the_first_to_the_last_brace(string reply, bool expected)
    {
        Assert.Equal(expected, JudgeReplyParser.Parse(reply)?.Correct);
    }

    [Theory]
    [InlineData("correct")]
    [InlineData("{\"rationale\": \"x\"}")]
    [InlineData("{\"rationale\": \"x\", \"judgement\": \"maybe\"}")]
    [InlineData("{\"judgement\": \"correct\"")]
    [InlineData("{\"judgement\": true}")]
    public void Rejects_replies_without_a_valid_judgement(string reply)
    {
        Assert.Null(JudgeReplyParser.Parse(reply));
    }

    [Fact]
    public void The_prompt_holds_the_question_every_answer_and_the_prediction()
    {
        string prompt = JudgePrompt.Render("Which city is the Big Apple?", ["New York", "NYC"], "new york city");

        Assert.Contains("Which city is the Big Apple?", prompt, StringComparison.Ordinal);
        Assert.Contains("[\"New York\",\"NYC\"]", prompt, StringComparison.Ordinal);
        Assert.Contains("new york city", prompt, StringComparison.Ordinal);
        Assert.Contains("\"judgement\"", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Judges_a_run_once_and_rescoring_makes_no_calls()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var run = new RunDirectory(dir.Path);
        await RunResultFile.RewriteAsync(run.ResultsPath,
        [
            new RunResult { Id = "a", Question = "Capital of France?", Answers = ["Paris"], Prediction = "Paris", Em = 1, TrajectoryId = "a" },
            new RunResult { Id = "b", Question = "Big Apple?", Answers = ["New York"], Prediction = "NYC", TrajectoryId = "b" },
            new RunResult { Id = "c", Question = "Sky colour?", Answers = ["blue"], Prediction = "red", TrajectoryId = "c" },
            new RunResult { Id = "d", Question = "Unanswered?", Answers = ["x"], Prediction = "", Termination = "max_turns", TrajectoryId = "d" },
        ], ct);
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText(Correct, Incorrect);
        OpenAIChatModel client = Client(server);

        RunJudgingSummary first;
        await using (JudgeCache cache = await JudgeCache.OpenAsync(run.JudgeCachePath, ct))
        {
            // One at a time so the scripted replies meet the predictions in order.
            first = await RunJudging.JudgeAsync(run, new MbeJudge(client, cache), 1, rejudge: false, null, ct);
        }

        IReadOnlyList<RunResult> judged = await run.LoadResultsAsync(ct);
        Assert.Equal([1, 1, 0, 0], judged.Select(r => r.Mbe!.Value));
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal((1, 1, 2, 0), (first.ExactMatches, first.NoAnswers, first.JudgeCalls, first.Failures));
        Assert.Equal("You are a helpful assistant.", server.Requests[0]["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(0.7, server.Requests[0]["temperature"]!.GetValue<double>(), 3);

        // A fresh process: the cache on disk answers, the server is never called again.
        await using (JudgeCache cache = await JudgeCache.OpenAsync(run.JudgeCachePath, ct))
        {
            RunJudgingSummary second = await RunJudging.JudgeAsync(run, new MbeJudge(client, cache), 4, rejudge: true, null, ct);
            Assert.Equal(2, second.FromCache);
            Assert.Equal(0, second.JudgeCalls);
        }

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal([1, 1, 0, 0], (await run.LoadResultsAsync(ct)).Select(r => r.Mbe!.Value));
    }

    [Fact]
    public async Task Invalid_output_is_retried_then_counted_as_a_judge_failure_not_as_wrong()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText("I think it is right.", "{\"judgement\": \"probably\"}", "no json at all");
        await using JudgeCache cache = await JudgeCache.OpenAsync(dir.File("cache.jsonl"), ct);
        var judge = new MbeJudge(Client(server), cache, maxAttempts: 3);

        JudgeVerdict verdict = await judge.JudgeAsync("Big Apple?", ["New York"], "NYC", ct);

        Assert.Equal(JudgeSource.Failed, verdict.Source);
        Assert.Null(verdict.Correct);
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task A_valid_reply_after_an_invalid_one_is_accepted()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText("garbage", Correct);
        await using JudgeCache cache = await JudgeCache.OpenAsync(dir.File("cache.jsonl"), ct);

        JudgeVerdict verdict = await new MbeJudge(Client(server), cache).JudgeAsync("Big Apple?", ["New York"], "NYC", ct);

        Assert.True(verdict.Correct);
        Assert.Equal(2, verdict.Attempts);
    }

    [Fact]
    public async Task An_unreachable_judge_stops_with_the_endpoint_in_the_message()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.Enqueue(ScriptedReply.Error(503, "overloaded"));
        await using JudgeCache cache = await JudgeCache.OpenAsync(dir.File("cache.jsonl"), ct);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => new MbeJudge(Client(server), cache).JudgeAsync("q", ["a"], "b", ct));

        Assert.Contains(server.BaseUrl.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cache_key_separates_judges_answers_and_predictions()
    {
        string key = JudgeCache.Key("m", "q", ["a"], "p");

        Assert.NotEqual(key, JudgeCache.Key("other", "q", ["a"], "p"));
        Assert.NotEqual(key, JudgeCache.Key("m", "q", ["a", "b"], "p"));
        Assert.NotEqual(key, JudgeCache.Key("m", "q", ["a"], "p2"));
        Assert.Equal(key, JudgeCache.Key("m", "q", ["a"], "p"));
    }

    [Fact]
    public async Task A_torn_last_cache_line_is_dropped_and_the_cache_stays_readable()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string path = dir.File("cache.jsonl");
        string key = JudgeCache.Key("judge-mini", "q", ["a"], "p");
        await File.WriteAllTextAsync(path, $"{{\"key\":\"{key}\",\"correct\":true,\"rationale\":\"r\"}}\n{{\"key\":\"x\",\"corr", ct);

        await using (JudgeCache cache = await JudgeCache.OpenAsync(path, ct))
        {
            Assert.True(cache.TryGet(key, out var verdict) && verdict.Correct);
            await cache.AddAsync(JudgeCache.Key("judge-mini", "q2", ["a"], "p"), "judge-mini", "q2", ["a"], "p", false, "no", ct);
        }

        await using JudgeCache reopened = await JudgeCache.OpenAsync(path, ct);
        Assert.Equal(2, reopened.Count);
    }
}
