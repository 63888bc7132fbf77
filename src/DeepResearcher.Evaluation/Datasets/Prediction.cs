namespace DeepResearcher.Evaluation.Datasets;

/// <summary>One line of a predictions file: <c>{"id","prediction"}</c>.</summary>
public sealed record Prediction(string Id, string Text);
