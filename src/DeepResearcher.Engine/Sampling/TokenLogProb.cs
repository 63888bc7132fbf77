namespace DeepResearcher.Engine.Sampling;

/// <summary>A token id and its log-probability under the model's unmodified distribution at one step.</summary>
public readonly record struct TokenLogProb(int Id, float LogProb);
