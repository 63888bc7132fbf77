using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Training.Rollouts;

/// <summary>The G rollouts of one question, their rewards and their group-relative advantages.</summary>
public sealed record RolloutGroup(RolloutQuestion Question, IReadOnlyList<Trajectory> Trajectories, double[] Rewards, double[] Advantages);
