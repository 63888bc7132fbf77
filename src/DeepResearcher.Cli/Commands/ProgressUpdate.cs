namespace DeepResearcher.Cli.Commands;

/// <summary>Where a long stage is: <paramref name="Done"/> of <paramref name="Total"/> <paramref name="Unit"/>s of <paramref name="Stage"/>.</summary>
internal sealed record ProgressUpdate(string Stage, int Done, int Total, string Unit = "step", string Detail = "");
