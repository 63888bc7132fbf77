using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Running;

/// <summary>Produces the trajectory of one question and sample: the research agent, or a baseline such as CoT.</summary>
public delegate Task<Trajectory> TrajectorySource(QaExample example, int sample, string trajectoryId, CancellationToken cancellationToken);
