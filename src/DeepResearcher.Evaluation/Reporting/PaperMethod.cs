namespace DeepResearcher.Evaluation.Reporting;

/// <summary>A row of the paper's Tables 1–2: F1 and MBE in percent per benchmark key.</summary>
public sealed record PaperMethod(string Name, string Environment, IReadOnlyDictionary<string, (double F1, double Mbe)> Scores, bool IsDeepResearcher = false);
