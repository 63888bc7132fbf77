using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Environments.World;

/// <summary>One question solved (or not) by the expert, with its scores.</summary>
public sealed record DemonstrationResult(WorldQuestion Question, Trajectory Trajectory, MetricScores Scores, double Reward);
