using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Behaviour;
using DeepResearcher.Evaluation.Running;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>The JSON the trajectory viewer reads, embedded in the page.</summary>
public static class ViewerData
{
    /// <summary>Longer observations are cut in the page (the run files keep them whole).</summary>
    public const int MaxObservationChars = 30_000;

    // The default encoder escapes <, > and &, so the JSON cannot close its <script> element whatever the pages contained.
    private static readonly JsonSerializerOptions ScriptSafe = new() { Encoder = JavaScriptEncoder.Default };

    public static string ToScriptJson(RunReportData data) => Build(data).ToJsonString(ScriptSafe);

    public static JsonObject Build(RunReportData data)
    {
        var questions = new JsonArray();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (RunResult r in data.Results.OrderBy(r => r.Source, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal).ThenBy(r => r.Sample))
        {
            TrajectoryBehaviour? b = data.Behaviour.GetValueOrDefault(r.TrajectoryId);
            questions.Add(new JsonObject
            {
                ["id"] = r.Id,
                ["sample"] = r.Sample,
                ["source"] = r.Source,
                ["question"] = r.Question,
                ["answers"] = new JsonArray([.. r.Answers.Select(a => (JsonNode)a)]),
                ["prediction"] = r.Prediction,
                ["em"] = r.Em,
                ["f1"] = Math.Round(r.F1, 4),
                ["set_f1"] = Math.Round(r.SetF1, 4),
                ["cover_em"] = r.CoverEm,
                ["mbe"] = r.Mbe,
                ["judge_failed"] = r.JudgeFailed == true,
                ["termination"] = r.Termination,
                ["hops"] = r.Hops,
                ["type"] = r.Type,
                ["tid"] = r.TrajectoryId,
                ["searches"] = b?.Searches,
                ["browses"] = b?.Browses,
            });
            wanted.Add(r.TrajectoryId);
        }

        var groups = new JsonArray();
        foreach (JsonObject group in data.Groups)
        {
            groups.Add(group.DeepClone());
            if (group["trajectory_ids"] is JsonArray ids)
            {
                foreach (JsonNode? id in ids)
                {
                    if (id?.GetValueKind() == JsonValueKind.String)
                    {
                        wanted.Add(id.GetValue<string>());
                    }
                }
            }
        }

        var trajectories = new JsonObject();
        foreach (string id in wanted)
        {
            if (data.Trajectories.TryGetValue(id, out Trajectory? t))
            {
                trajectories[id] = Trajectory(t);
            }
        }

        return new JsonObject { ["questions"] = questions, ["trajectories"] = trajectories, ["groups"] = groups };
    }

    /// <summary>One trajectory as the viewer shows it: how it ended and its turns with their tool calls.</summary>
    public static JsonObject Trajectory(Trajectory t)
    {
        var turns = new JsonArray();
        foreach (TurnRecord turn in t.Turns)
        {
            JsonObject? tool = turn.ToolCall is not { } call ? null : new JsonObject
            {
                ["name"] = call.Name,
                ["queries"] = new JsonArray([.. call.Queries.Select(q => (JsonNode)q)]),
                ["urls"] = new JsonArray([.. call.Urls.Select(u => (JsonNode)u)]),
                ["observation"] = call.Observation.Length > MaxObservationChars
                    ? call.Observation[..MaxObservationChars] + $"\n… ({call.Observation.Length - MaxObservationChars} more characters in {RunFiles.Trajectories})"
                    : call.Observation,
                ["error"] = call.Error,
                ["latency_ms"] = Math.Round(call.LatencyMs, 1),
                ["cache"] = call.Cache.ToString().ToLowerInvariant(),
            };
            turns.Add(new JsonObject
            {
                ["index"] = turn.Index,
                ["action"] = turn.Action switch { TurnAction.Answer => "answer", TurnAction.ToolCall => "tool_call", _ => "error" },
                ["think"] = turn.Think,
                ["answer"] = turn.Answer,
                ["error"] = turn.Error?.ToString(),
                ["tool"] = tool,
            });
        }

        return new JsonObject
        {
            ["question"] = t.Question,
            ["termination"] = RunScoring.TerminationName(t.Termination),
            ["detail"] = t.TerminationDetail,
            ["elapsed_ms"] = Math.Round(t.ElapsedMs, 1),
            ["tokens"] = t.Usage.CompletionTokens,
            ["turns"] = turns,
        };
    }
}
