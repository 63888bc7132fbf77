namespace DeepResearcher.Evaluation.Runs;

/// <param name="Lines">The complete lines read, in file order.</param>
/// <param name="Offset">The byte offset to read from next time.</param>
/// <param name="Restarted">The file was shorter than the offset asked for, so it was read from the start.</param>
public sealed record JsonlTailRead(IReadOnlyList<string> Lines, long Offset, bool Restarted);
