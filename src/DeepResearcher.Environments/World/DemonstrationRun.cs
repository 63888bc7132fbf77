using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Environments.World;

/// <summary>Runs the expert demonstrator on world questions through the world's real tools, several at a time.</summary>
public static class DemonstrationRun
{
    public static async Task<IReadOnlyList<DemonstrationResult>> RunAsync(
        OfflineWorld world,
        IReadOnlyList<WorldQuestion> questions,
        ExpertNoise noise,
        ulong seed,
        int concurrency,
        IProgress<DemonstrationResult>? progress,
        CancellationToken cancellationToken)
    {
        var results = new DemonstrationResult[questions.Count];
        IToolbox toolbox = world.CreateToolbox();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, questions.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                WorldQuestion question = questions[i];
                var agent = new ResearchAgent(new ExpertDemonstrator(question, noise, seed), toolbox, new ResearchAgentOptions
                {
                    Today = new DateOnly(2026, 1, 1),
                    // The expert reads long pages segment by segment and may need a few extra browse turns.
                    MaxTurns = 10,
                    MaxContextTokens = 1_000_000,
                });
                Trajectory trajectory = await agent.RunAsync(question.Question, ct, questionId: question.Id, trajectoryId: $"expert-{question.Id}");
                trajectory.Tags["type"] = QuestionTypes.WireName(question.Type);
                trajectory.Tags["hops"] = question.Hops.ToString(System.Globalization.CultureInfo.InvariantCulture);
                MetricScores scores = QaMetrics.Score(trajectory.FinalAnswer ?? string.Empty, question.Answers);
                var result = new DemonstrationResult(question, trajectory, scores, OriginalReward.Compute(trajectory, question.Answers).Value);
                results[i] = result;
                progress?.Report(result);
            });
        return results;
    }
}
