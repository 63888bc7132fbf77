using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol.Parsing;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Core.Tests.Trajectories;

public class TrajectoryJsonTests
{
    [Fact]
    public void Round_trips_without_loss()
    {
        Trajectory original = Sample();

        string line = TrajectoryJson.Serialize(original);
        Trajectory copy = TrajectoryJson.Deserialize(line);

        Assert.DoesNotContain('\n', line);
        Assert.Equal(line, TrajectoryJson.Serialize(copy));
        Assert.Equal(original.Text(), copy.Text());
        Assert.Equal(original.TokenIds(), copy.TokenIds());
        Assert.Equal(original.LossMask(), copy.LossMask());
        Assert.Equal(original.Segments[1].LogProbs, copy.Segments[1].LogProbs);
        Assert.Equal(TerminationReason.Answered, copy.Termination);
        Assert.Equal(original.Usage, copy.Usage);
        Assert.Equal(original.StartedAt, copy.StartedAt);
        Assert.Equal("q", copy.Turns[0].ToolCall!.Arguments["query"]![0]!.GetValue<string>());
        Assert.Equal(CacheStatus.Hit, copy.Turns[0].ToolCall!.Cache);
        Assert.Equal(ProtocolErrorKind.EmptyAnswer, copy.Turns[1].Error!.Kind);
        Assert.Equal("group-7", copy.Tags["group"]);
    }

    [Fact]
    public void Uses_snake_case_keys_and_string_enums()
    {
        string line = TrajectoryJson.Serialize(Sample());

        JsonObject json = JsonNode.Parse(line)!.AsObject();
        Assert.Equal("answered", json["termination"]!.GetValue<string>());
        Assert.Equal("policy", json["segments"]![1]!["kind"]!.GetValue<string>());
        Assert.NotNull(json["final_answer"]);
        Assert.Contains("\"token_ids\":[", line, StringComparison.Ordinal);
        Assert.Contains("émigré", line, StringComparison.Ordinal); // not \u-escaped
    }

    [Fact]
    public async Task Reading_a_bad_line_names_the_file_and_line()
    {
        string path = Path.Combine(Path.GetTempPath(), $"traj-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(path, TrajectoryJson.Serialize(Sample()) + "\n{not json\n", TestContext.Current.CancellationToken);
        try
        {
            var ex = await Assert.ThrowsAsync<InvalidDataException>(async () =>
            {
                await foreach (Trajectory _ in TrajectoryJson.ReadAsync(path, TestContext.Current.CancellationToken))
                {
                }
            });
            Assert.Contains($"{path}:2", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Trajectory Sample()
    {
        var trajectory = new Trajectory
        {
            Id = "t1",
            Question = "Who was the émigré?",
            QuestionId = "nq_1",
            Model = "m",
            Template = "qwen2.5",
            StartedAt = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero),
            Termination = TerminationReason.Answered,
            TerminationDetail = null,
            FinalAnswer = "Nabokov",
            Usage = new TokenUsage(120, 30, 2),
            ElapsedMs = 12.5,
            Tags = { ["group"] = "group-7" },
        };
        trajectory.Segments.Add(new TrajectorySegment { Kind = SegmentKind.Prompt, Text = "prompt<think>", TokenIds = [1, 2, 3] });
        trajectory.Segments.Add(new TrajectorySegment { Kind = SegmentKind.Policy, Text = "x", Turn = 1, TokenIds = [4, 5], LogProbs = [-0.125f, -1.0000001f] });
        trajectory.Segments.Add(new TrajectorySegment { Kind = SegmentKind.Environment, Text = "obs", Turn = 1, TokenIds = [6] });
        trajectory.Turns.Add(new TurnRecord
        {
            Index = 1,
            Prefill = "<think>",
            Generated = "x",
            Action = TurnAction.ToolCall,
            ToolCall = new ToolCallRecord
            {
                Name = "web_search",
                Arguments = new JsonObject { ["query"] = new JsonArray("q") },
                Queries = ["q"],
                LatencyMs = 3.25,
                Cache = CacheStatus.Hit,
                Observation = "[]",
            },
        });
        trajectory.Turns.Add(new TurnRecord
        {
            Index = 2,
            Generated = "<answer></answer>",
            Action = TurnAction.Error,
            Error = new ProtocolError(ProtocolErrorKind.EmptyAnswer, "empty"),
        });
        return trajectory;
    }
}
