using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Training.Rollouts;

/// <summary>
/// Runs G multi-turn episodes per question against the environment, all at once: each episode is an agent loop whose
/// model calls go to a (batching) token-level policy and whose tool calls run concurrently, so a slow tool call holds
/// only its own episode. Rewards come from <see cref="RolloutOptions.Reward"/> (the original's set-F1 with −1 for
/// format errors by default); advantages are group-relative.
/// </summary>
public sealed class RolloutRunner(ITokenLevelChatModel policy, IToolbox toolbox, RolloutOptions options)
{
    public async Task<IReadOnlyList<RolloutGroup>> RunAsync(IReadOnlyList<RolloutQuestion> questions, int step, CancellationToken cancellationToken)
    {
        int g = options.GroupSize;
        var trajectories = new Trajectory[questions.Count * g];
        var agent = new ResearchAgent(policy, toolbox, options.Agent);
        using var slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentEpisodes));
        var episodes = new List<Task>(trajectories.Length);
        for (int q = 0; q < questions.Count; q++)
        {
            for (int i = 0; i < g; i++)
            {
                int index = (q * g) + i;
                RolloutQuestion question = questions[q];
                episodes.Add(RunEpisodeAsync(agent, question, $"s{step}-{question.Id}-{i}", index, trajectories, slots, cancellationToken));
            }
        }

        await Task.WhenAll(episodes);

        var groups = new List<RolloutGroup>(questions.Count);
        for (int q = 0; q < questions.Count; q++)
        {
            Trajectory[] members = trajectories[(q * g)..((q + 1) * g)];
            double[] rewards = await Task.WhenAll(members.Select(t => options.Reward.ScoreAsync(questions[q], t, cancellationToken)));
            double[] advantages = GroupAdvantages.Compute(rewards, options.Normalization);
            var rollouts = new Rollout[members.Length];
            for (int i = 0; i < members.Length; i++)
            {
                members[i].Tags["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture);
                members[i].Tags["group"] = questions[q].Id;
                rollouts[i] = new Rollout(members[i], rewards[i], advantages[i]);
            }

            groups.Add(new RolloutGroup(questions[q], rollouts));
        }

        return groups;
    }

    private static async Task RunEpisodeAsync(
        ResearchAgent agent, RolloutQuestion question, string trajectoryId, int index, Trajectory[] results, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            results[index] = await agent.RunAsync(question.Question, cancellationToken, questionId: question.Id, trajectoryId: trajectoryId);
        }
        finally
        {
            slots.Release();
        }
    }
}
