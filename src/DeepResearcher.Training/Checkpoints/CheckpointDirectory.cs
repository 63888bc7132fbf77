using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepResearcher.Training.Checkpoints;

/// <summary>
/// The checkpoints of one run under a root directory, named <c>1-sft-000200</c>, <c>2-grpo-000010</c>: the stage's
/// place in the run first, so a plain directory listing is in training order, then the stage and the zero-padded step.
/// Only complete checkpoints (see <see cref="TrainingCheckpoint.IsComplete"/>) count; staging directories are ignored.
/// </summary>
public sealed partial class CheckpointDirectory
{
    private static readonly string[] StageOrder = [TrainerState.SftStage, TrainerState.GrpoStage];

    /// <param name="root">Created on first save; need not exist yet.</param>
    /// <param name="keepLast">Checkpoints of each stage that <see cref="Prune"/> keeps; 0 keeps all.</param>
    public CheckpointDirectory(string root, int keepLast)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentOutOfRangeException.ThrowIfNegative(keepLast);
        Root = Path.GetFullPath(root);
        KeepLast = keepLast;
    }

    public string Root { get; }

    public int KeepLast { get; }

    public string PathFor(string stage, int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        int order = Array.IndexOf(StageOrder, stage);
        if (order < 0) throw new ArgumentException($"stage '{stage}' is neither '{TrainerState.SftStage}' nor '{TrainerState.GrpoStage}'", nameof(stage));
        return Path.Combine(Root, string.Create(CultureInfo.InvariantCulture, $"{order + 1}-{stage}-{step:D6}"));
    }

    /// <summary>Complete checkpoints, oldest first (SFT before GRPO, then by step).</summary>
    public IReadOnlyList<(string Stage, int Step, string Path)> Checkpoints()
    {
        if (!Directory.Exists(Root)) return [];
        var found = new List<(int Order, string Stage, int Step, string Path)>();
        foreach (string path in Directory.EnumerateDirectories(Root))
        {
            var match = NamePattern().Match(Path.GetFileName(path));
            if (!match.Success || !TrainingCheckpoint.IsComplete(path)) continue;
            string stage = match.Groups["stage"].Value;
            int order = Array.IndexOf(StageOrder, stage);
            if (order < 0 || !int.TryParse(match.Groups["step"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int step)) continue;
            // A name whose ordinal disagrees with its stage was not written by PathFor.
            if (int.Parse(match.Groups["order"].ValueSpan, CultureInfo.InvariantCulture) != order + 1) continue;
            found.Add((order, stage, step, path));
        }
        return found.OrderBy(c => c.Order).ThenBy(c => c.Step).Select(c => (c.Stage, c.Step, c.Path)).ToList();
    }

    /// <summary>The newest complete checkpoint, or null when there is none (a fresh run).</summary>
    public string? Latest()
    {
        var all = Checkpoints();
        return all.Count == 0 ? null : all[^1].Path;
    }

    /// <summary>Deletes all but the last <see cref="KeepLast"/> checkpoints of each stage; the latest is never deleted.</summary>
    public void Prune()
    {
        if (KeepLast == 0) return;
        var all = Checkpoints();
        if (all.Count == 0) return;
        string latest = all[^1].Path;
        foreach (var group in all.GroupBy(c => c.Stage))
        {
            var stale = group.ToList();
            foreach (var checkpoint in stale.Take(Math.Max(0, stale.Count - KeepLast)))
            {
                if (checkpoint.Path == latest) continue;
                // Renamed first so that a crash mid-delete cannot leave a half-deleted directory that still looks complete.
                string doomed = TrainingCheckpoint.TemporaryPath(checkpoint.Path, TrainingCheckpoint.PrunedPurpose);
                Directory.Move(checkpoint.Path, doomed);
                TrainingCheckpoint.DeleteDirectory(doomed);
            }
        }
    }

    /// <summary>
    /// Clears what interrupted saves and prunes left behind. Call it when no save is running (at start-up, before
    /// resuming). A crash between a save's two renames leaves its target missing and both the new and the old copy
    /// in staging directories; the new one, complete, is put back in place instead of being deleted.
    /// </summary>
    public void CleanTemporaries()
    {
        if (!Directory.Exists(Root)) return;
        var strays = Directory.EnumerateDirectories(Root)
            .Where(d => Path.GetFileName(d).Contains(TrainingCheckpoint.TemporaryMarker, StringComparison.Ordinal))
            .ToList();
        foreach (var byTarget in strays.GroupBy(TargetOf, StringComparer.Ordinal))
        {
            string target = byTarget.Key;
            if (!Directory.Exists(target))
            {
                string? recovered = byTarget
                    .Where(d => RecoveryPreference(d) is not null && File.Exists(Path.Combine(d, TrainingCheckpoint.StateFileName)))
                    .OrderBy(RecoveryPreference)
                    .FirstOrDefault();
                if (recovered is not null) Directory.Move(recovered, target);
            }
            foreach (string stray in byTarget.Where(Directory.Exists)) TrainingCheckpoint.DeleteDirectory(stray);
        }
    }

    private static string TargetOf(string temporary)
    {
        string name = Path.GetFileName(temporary);
        return Path.Combine(Path.GetDirectoryName(temporary)!, name[..name.IndexOf(TrainingCheckpoint.TemporaryMarker, StringComparison.Ordinal)]);
    }

    // A complete staging copy is newer than the checkpoint it was replacing; a pruned one was meant to go (null).
    private static int? RecoveryPreference(string temporary)
    {
        string name = Path.GetFileName(temporary);
        string purpose = name[(name.IndexOf(TrainingCheckpoint.TemporaryMarker, StringComparison.Ordinal) + TrainingCheckpoint.TemporaryMarker.Length)..];
        if (purpose.StartsWith(TrainingCheckpoint.PrunedPurpose, StringComparison.Ordinal)) return null;
        return purpose.StartsWith(TrainingCheckpoint.ReplacedPurpose, StringComparison.Ordinal) ? 1 : 0;
    }

    [GeneratedRegex(@"^(?<order>[0-9])-(?<stage>[a-z]+)-(?<step>[0-9]{6,})$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
