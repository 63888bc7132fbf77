using System.Text.Json;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Reporting;
using DeepResearcher.Evaluation.Running;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Training.Evaluations;

/// <summary>Evaluation of a policy on held-out world questions through the real tools, all questions at once (the sampler batches them).</summary>
public static class PolicyEvaluator
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>
    /// With <paramref name="samples"/> = 0, greedy decoding, one trajectory per question. Above 0, that many trajectories
    /// per question sampled at the options' temperature, scores averaged over all of them. Trajectory ids name the
    /// evaluation: the toolbox keeps each trajectory's search results and reading positions by id, so an id reused by a
    /// later evaluation would start with pages already "read to the end".
    /// </summary>
    /// <param name="results">
    /// When given, the per-question results go into its results.jsonl (for the report) and their trajectories into its
    /// trajectories.jsonl: a sampled evaluation's directory is its own, so the file is rewritten; the greedy one shares
    /// the run's, whose file already holds GRPO's rollouts, so its trajectories are appended (a result without its
    /// trajectory leaves the report's behaviour table and tool counts empty).
    /// </param>
    /// <param name="greedyTrajectories">Also where a greedy evaluation's trajectories go on their own, so what the policy read and wrote can be compared with a later <c>eval run</c>.</param>
    public static async Task<PolicyEvaluation> EvaluateAsync(
        IChatModel policy, IToolbox toolbox, ResearchAgentOptions options, IReadOnlyList<WorldQuestion> questions, string tag, int samples, CancellationToken cancellationToken,
        RunDirectory? results = null, MetricRules rules = MetricRules.None, string? greedyTrajectories = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        bool greedy = samples == 0;
        int perQuestion = greedy ? 1 : samples;
        var agent = new ResearchAgent(policy, toolbox, greedy ? options with { Sampling = options.Sampling with { Temperature = 0 } } : options);
        Trajectory[] trajectories = await Task.WhenAll(Enumerable.Range(0, questions.Count * perQuestion).Select(k =>
        {
            WorldQuestion q = questions[k / perQuestion];
            string id = greedy ? $"eval-{tag}-{q.Id}" : $"eval-{tag}-{q.Id}-{k % perQuestion}";
            return agent.RunAsync(q.Question, cancellationToken, q.Id, id);
        }));
        // Scored as `eval run` and `eval score` score: one results line per trajectory (the answer only when it ended with
        // one, the metric rules applied), micro-averaged over the lines.
        RunResult[] scored = [.. trajectories.Select((t, k) =>
        {
            WorldQuestion q = questions[k / perQuestion];
            return RunScoring.ToResult(new QaExample(q.Id, q.Source, q.Question, q.Answers) { Hops = q.Hops, Type = QuestionTypes.WireName(q.Type) }, k % perQuestion, t, rules);
        })];
        if (results is not null)
        {
            Directory.CreateDirectory(results.Root);
            // Trajectories first, results second (docs/run-format.md): a results line always finds its trajectory.
            if (greedy)
            {
                // Re-running an evaluation interrupted before it was saved appends its ids again; readers keep the last line of an id.
                await using var appender = new JsonlAppender(results.TrajectoriesPath);
                foreach (Trajectory trajectory in trajectories)
                {
                    await appender.AppendAsync(TrajectoryJson.Serialize(trajectory), cancellationToken);
                }
            }
            else
            {
                await AtomicFile.WriteAllLinesAsync(results.TrajectoriesPath, trajectories.Select(TrajectoryJson.Serialize), cancellationToken);
            }

            await AtomicFile.WriteAllLinesAsync(results.ResultsPath, scored.Select(r => r.ToJsonLine()), cancellationToken);
        }

        if (greedy && greedyTrajectories is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(greedyTrajectories))!);
            await AtomicFile.WriteAllLinesAsync(greedyTrajectories, trajectories.Select(TrajectoryJson.Serialize), cancellationToken);
        }

        double ToolCalls(IEnumerable<int> indices) => indices.Select(k => (double)trajectories[k].ToolCallCount()).DefaultIfEmpty(0).Average();
        ScoreRow overall = ScoreTable.Row("overall", scored);
        int[] all = [.. Enumerable.Range(0, trajectories.Length)];
        return new PolicyEvaluation(questions.Count, overall.SetF1, overall.F1, overall.Em, overall.ProtocolErrorRate, overall.AnswerRate, ToolCalls(all))
        {
            Samples = samples,
            Temperature = greedy ? 0 : options.Sampling.Temperature,
            NoAnswerRate = overall.NoAnswerRate,
            ByHops = [.. all.GroupBy(k => questions[k / perQuestion].Hops).OrderBy(g => g.Key)
                .Select(g => new HopEvaluation(g.Key, g.Count() / perQuestion, ScoreTable.Row($"{g.Key} hops", [.. g.Select(k => scored[k])]).SetF1, ToolCalls(g)))],
        };
    }

    public static Task SaveAsync(PolicyEvaluation evaluation, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return AtomicFile.WriteAllTextAsync(path, JsonSerializer.Serialize(evaluation, Json), cancellationToken);
    }

    /// <summary>The evaluation saved at <paramref name="path"/>, or null when there is none.</summary>
    public static async Task<PolicyEvaluation?> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using FileStream stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<PolicyEvaluation>(stream, Json, cancellationToken)
            ?? throw new InvalidDataException($"{path}: empty evaluation file; delete it to evaluate again");
    }
}
