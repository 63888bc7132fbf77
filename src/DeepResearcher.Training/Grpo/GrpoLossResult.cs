namespace DeepResearcher.Training.Grpo;

/// <summary>The loss of one mini-batch and what training logs about it.</summary>
public sealed record GrpoLossResult(double Loss, double PolicyLoss, double Kl, double ClipFraction, int Tokens, double Entropy = 0);
