using System.Text.Json;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Running;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Training.Pipeline;

/// <summary>Greedy evaluation of a policy on held-out world questions through the real tools, all questions at once (the sampler batches them).</summary>
public static class PolicyEvaluator
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <param name="results">When given, the per-question results go into its results.jsonl (for the report).</param>
    public static async Task<PolicyEvaluation> EvaluateAsync(
        IChatModel policy, IToolbox toolbox, ResearchAgentOptions options, IReadOnlyList<WorldQuestion> questions, string tag, CancellationToken cancellationToken, RunDirectory? results = null)
    {
        var agent = new ResearchAgent(policy, toolbox, options with { Sampling = options.Sampling with { Temperature = 0 } });
        Trajectory[] trajectories = await Task.WhenAll(questions.Select(q => agent.RunAsync(q.Question, cancellationToken, q.Id, $"eval-{tag}-{q.Id}")));
        if (results is not null)
        {
            await AtomicFile.WriteAllLinesAsync(results.ResultsPath, questions.Select((q, i) =>
                RunScoring.ToResult(
                    new QaExample(q.Id, q.Source, q.Question, q.Answers) { Hops = q.Hops, Type = QuestionTypes.WireName(q.Type) },
                    0,
                    trajectories[i]).ToJsonLine()), cancellationToken);
        }

        double SetF1(int i) => QaMetrics.SetF1(trajectories[i].FinalAnswer ?? string.Empty, questions[i].Answers);
        double Mean(IEnumerable<int> indices, Func<int, double> f) => indices.Select(f).DefaultIfEmpty(0).Average();
        int[] all = [.. Enumerable.Range(0, questions.Count)];
        return new PolicyEvaluation(
            questions.Count,
            Mean(all, SetF1),
            Mean(all, i => QaMetrics.F1(trajectories[i].FinalAnswer ?? string.Empty, questions[i].Answers)),
            Mean(all, i => QaMetrics.ExactMatch(trajectories[i].FinalAnswer ?? string.Empty, questions[i].Answers)),
            Mean(all, i => trajectories[i].Termination is TerminationReason.ProtocolError ? 1 : 0),
            Mean(all, i => trajectories[i].Termination == TerminationReason.Answered ? 1 : 0),
            Mean(all, i => trajectories[i].ToolCallCount()))
        {
            ByHops = [.. all.GroupBy(i => questions[i].Hops).OrderBy(g => g.Key)
                .Select(g => new HopEvaluation(g.Key, g.Count(), Mean(g, SetF1), Mean(g, i => trajectories[i].ToolCallCount())))],
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
