namespace DeepResearcher.Evaluation.Reporting;

/// <summary>One named line or bar colour of a chart; a null value is a gap.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values);
