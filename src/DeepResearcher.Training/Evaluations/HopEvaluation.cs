namespace DeepResearcher.Training.Evaluations;

/// <summary>The evaluation restricted to questions of one hop count: the original's Fig. 7 reads tool calls against hops.</summary>
public sealed record HopEvaluation(int Hops, int Questions, double SetF1, double ToolCalls);
